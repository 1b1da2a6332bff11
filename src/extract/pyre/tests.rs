//! The subset against what CPython 3.11 returns.

use std::cell::Cell;

use super::*;

fn sub(pattern: &str, repl: &str, text: &str) -> String {
    let re = Regex::new(pattern).expect("pattern compiles");
    let chars: Vec<char> = text.chars().collect();
    let steps = Cell::new(MAX_STEPS);
    let pieces = template(repl, &re).expect("template parses");
    let mut out = String::new();
    let mut last = 0;
    for m in re.find_all(&chars, &steps).expect("runs") {
        let (a, b) = m.get(0).expect("group 0");
        out.extend(&chars[last..a]);
        for p in &pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Group(g) => {
                    if let Some((x, y)) = m.get(*g) {
                        out.extend(&chars[x..y]);
                    }
                }
            }
        }
        last = b;
    }
    out.extend(&chars[last..]);
    out
}

#[test]
fn camel_to_snake_forms() {
    // Each expected value is what CPython 3.11 returns.
    assert_eq!(sub("(?<!^)(?=[A-Z])", "_", "IncidentType"), "Incident_Type");
    assert_eq!(
        sub("(?<!^)(?=[A-Z])", "_", "HTTPRequest"),
        "H_T_T_P_Request"
    );
    let two = |s: &str| {
        let s1 = sub("(.)([A-Z][a-z]+)", r"\1_\2", s);
        sub("([a-z0-9])([A-Z])", r"\1_\2", &s1)
    };
    assert_eq!(two("HTTPRequestLog"), "HTTP_Request_Log");
    assert_eq!(two("OAuth2Token"), "O_Auth2_Token");
    assert_eq!(
        sub(
            r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))",
            r"_\1",
            "HTTPRequest"
        ),
        "HTTP_Request"
    );
    assert_eq!(sub("x*", "-", "abxd"), "-a-b--d-");
    assert_eq!(sub(r"\B([A-Z])", r"_\1", "UserAddress"), "User_Address");
    assert_eq!(sub("[A-Z]{2,}", "X", "ABCdEF"), "XdX");
    assert_eq!(sub("a+?", "-", "aaa"), "---");
    assert_eq!(sub("a{2}b", "X", "aab"), "X");
    assert_eq!(sub("a{,2}b", "X", "aaab"), "aX");
    assert_eq!(sub("a{x}", "X", "a{x}"), "X");
    assert_eq!(sub("[]a]+", "X", "]a]b"), "Xb");
    assert_eq!(sub("[a-]+", "X", "a-b"), "Xb");
    assert_eq!(sub(r"(a)(?:b)\1", "X", "aba"), "X");
    assert_eq!(sub("(?<=a|b)c", "X", "acbc"), "aXbX");
    assert_eq!(sub(r"(?P<up>[A-Z])", r"_\g<up>", "aB"), "a_B");
}

#[test]
fn split_on_empty_matches() {
    let re = Regex::new("(?=[A-Z])").expect("compiles");
    let chars: Vec<char> = "IncidentType".chars().collect();
    let steps = Cell::new(MAX_STEPS);
    let found: Vec<(usize, usize)> = re
        .find_all(&chars, &steps)
        .expect("runs")
        .iter()
        .filter_map(|m| m.get(0))
        .collect();
    assert_eq!(found, [(0, 0), (8, 8)]);
}

#[test]
fn refusals() {
    assert!(Regex::new("(?i)abc").is_err());
    assert!(Regex::new("(a*)*").is_err());
    assert!(Regex::new("(?<=a+)b").is_err());
    assert!(Regex::new(r"\p{L}").is_err());
    let re = Regex::new(r"\w+").expect("compiles");
    let steps = Cell::new(MAX_STEPS);
    assert!(re.find_all(&['é'], &steps).is_err());
}

#[test]
fn steps_are_bounded() {
    let re = Regex::new("(a|aa)+$").expect("compiles");
    let text: Vec<char> = "a".repeat(64).chars().chain(['b']).collect();
    let steps = Cell::new(10_000);
    assert!(re.find_all(&text, &steps).is_err());
}
