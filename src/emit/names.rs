//! Rust identifiers from Python names: one function per kind of name, all through [`ident`].

use crate::IndexSet;
use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Rust keywords (2021 edition, strict and reserved), which need `r#` or a rename.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers; these get a trailing `_` instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A name made valid as a Rust identifier (characters outside identifiers become `_`, a
/// leading digit gets a `_` prefix, an empty name becomes `fallback`), with keywords renamed.
/// Returns the identifier's text as it should be written (`r#type`, `self_`).
pub fn sanitize(name: &str, fallback: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.chars().all(|c| c == '_') {
        s = fallback.to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    // ASCII letters, digits and `_`, not starting with a digit, is an identifier or a keyword
    // already; only other characters need the parser's word.
    if !s.is_ascii() && syn::parse_str::<syn::Ident>(&s).is_err() && !KEYWORDS.contains(&s.as_str())
    {
        // Not a valid identifier even so (an unusual Unicode character): keep ASCII only.
        s = s
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if s.starts_with(|c: char| c.is_ascii_digit()) {
            s.insert(0, '_');
        }
    }
    if NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Whether `text` is a Rust keyword (written `r#text` as an identifier).
pub fn is_keyword(text: &str) -> bool {
    KEYWORDS.contains(&text)
}

/// Builds the `Ident` for sanitized text (raw when it is a keyword).
pub fn ident(text: &str) -> Ident {
    if KEYWORDS.contains(&text) {
        Ident::new_raw(text, Span::call_site())
    } else {
        Ident::new(text, Span::call_site())
    }
}

/// Hands out identifiers unique within one namespace (a struct's fields, a module's types).
#[derive(Default)]
pub struct Namespace {
    taken: IndexSet<String>,
}

impl Namespace {
    /// Reserves `text` (already valid) as taken.
    pub fn reserve(&mut self, text: &str) {
        self.taken.insert(text.to_owned());
    }

    /// `base`, or `base` + `sep` + a number when taken.
    fn unique(&mut self, base: String, sep: &str) -> String {
        let mut candidate = base.clone();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{base}{sep}{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }

    /// A field or function name: `snake_case`.
    pub fn snake(&mut self, name: &str) -> String {
        let s = sanitize(&name.to_snake_case(), "field");
        self.unique(s, "_")
    }

    /// A type or variant name: `UpperCamelCase`.
    pub fn camel(&mut self, name: &str) -> String {
        let s = sanitize(&name.to_upper_camel_case(), "Type");
        self.unique(s, "")
    }

    /// Like [`Namespace::camel`], but on a clash tries each alternative (converted the same
    /// way) before numbering.
    pub fn camel_or(&mut self, name: &str, alternatives: &[String]) -> String {
        let s = sanitize(&name.to_upper_camel_case(), "Type");
        if self.taken.contains(&s) {
            for alt in alternatives {
                let alt = sanitize(&alt.to_upper_camel_case(), "Type");
                if !self.taken.contains(&alt) {
                    return self.unique(alt, "");
                }
            }
        }
        self.unique(s, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_raw_or_renamed() {
        let mut ns = Namespace::default();
        assert_eq!(ns.snake("type"), "type");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ns.snake("self"), "self_");
        assert_eq!(ns.camel("Self_"), "Self_");
        assert_eq!(ns.snake("_"), "field");
    }

    #[test]
    fn type_clashes_try_alternatives_then_numbers() {
        let mut ns = Namespace::default();
        assert_eq!(ns.camel("Tag"), "Tag");
        assert_eq!(ns.camel_or("Tag", &["archive_Tag".into()]), "ArchiveTag");
        assert_eq!(ns.camel_or("Tag", &["archive_Tag".into()]), "Tag2");
    }

    #[test]
    fn clashes_are_numbered() {
        let mut ns = Namespace::default();
        assert_eq!(ns.snake("userId"), "user_id");
        assert_eq!(ns.snake("user_id"), "user_id_2");
        assert_eq!(ns.snake("2fa"), "_2fa");
        assert_eq!(ns.snake("naïve"), "naïve");
    }

    #[test]
    fn every_sanitized_name_is_an_identifier_or_a_keyword() {
        let names = [
            "id",
            "2fa",
            "_",
            "__",
            "",
            "a-b",
            "type",
            "self",
            "Self",
            "crate",
            "r#x",
            "x y",
            "naïve",
            "ünïcödé",
            "名前",
            "a\u{200b}b",
            "\u{1F600}",
            "é1",
            "_0",
            "fn",
            "union",
        ];
        for name in names {
            let text = sanitize(name, "field");
            let ok = syn::parse_str::<syn::Ident>(&text).is_ok() || is_keyword(&text);
            assert!(ok, "{name:?} gave {text:?}, not an identifier");
        }
    }
}
