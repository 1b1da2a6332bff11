//! Table-name helpers as applications write them.

use super::*;

/// Runs `def f(cls)` of `src` for a class named `name`.
fn run(src: &str, name: &str) -> Result<Value, Unknown> {
    let parsed = crate::parse::parse(0, src, "t.py").expect("test source parses");
    let body = parsed.module.body;
    let scope = Scope::of(&body);
    let ns = Arc::new(Namespace::of("t", &body, &scope));
    let index = ModuleIndex::default();
    let def = ns
        .functions
        .get("f")
        .expect("the source defines `f`")
        .clone();
    let interp = Interp::new(
        &index,
        &ns,
        ClassInfo {
            name,
            has_inherited_table: false,
        },
    );
    interp.call_with_class("t", &def)
}

fn s(v: &str) -> Result<Value, Unknown> {
    Ok(Value::Str(v.into()))
}

#[test]
fn common_table_name_helpers() {
    let split = "import re\ndef resolve(name):\n    names = re.split('(?=[A-Z])', name)\n    return '_'.join([x.lower() for x in names if x])\ndef f(cls):\n    return resolve(cls.__name__)\n";
    assert_eq!(run(split, "IncidentType"), s("incident_type"));
    assert_eq!(run(split, "HTTPRequest"), s("h_t_t_p_request"));
    let sub = "import re\ndef f(cls):\n    return re.sub(r'(?<!^)(?=[A-Z])', '_', cls.__name__).lower()\n";
    assert_eq!(run(sub, "IncidentType"), s("incident_type"));
    let two = "import re\n_first = re.compile('(.)([A-Z][a-z]+)')\n_all = re.compile('([a-z0-9])([A-Z])')\ndef snake(name):\n    s1 = _first.sub(r'\\1_\\2', name)\n    return _all.sub(r'\\1_\\2', s1).lower()\ndef f(cls):\n    return snake(cls.__name__)\n";
    assert_eq!(run(two, "HTTPRequestLog"), s("http_request_log"));
    let chars = "def f(cls):\n    return ''.join('_' + c.lower() if c.isupper() else c for c in cls.__name__).lstrip('_')\n";
    assert_eq!(run(chars, "UserAddress"), s("user_address"));
    let lam = "import re\ndef f(cls):\n    return re.sub('([A-Z])', lambda m: '_' + m.group(1).lower(), cls.__name__)[1:]\n";
    assert_eq!(run(lam, "UserAddress"), s("user_address"));
    let plural = "def f(cls):\n    name = cls.__name__.lower()\n    return name + 'es' if name.endswith('s') else name + 's'\n";
    assert_eq!(run(plural, "Address"), s("addresses"));
    let flask = "from flask_sqlalchemy.model import camel_to_snake_case\ndef f(cls):\n    return camel_to_snake_case(cls.__name__)\n";
    assert_eq!(run(flask, "HTTPRequestLog"), s("http_request_log"));
}

#[test]
fn what_is_not_evaluated_says_why() {
    let e = run(
        "import inflection\ndef f(cls):\n    return inflection.underscore(cls.__name__)\n",
        "A",
    )
    .unwrap_err();
    assert!(e.why.contains("does not run"), "{e:?}");
    let e = run("def f(cls):\n    out = ''\n    for c in cls.__name__:\n        out = out + c\n    return out\n", "A").unwrap_err();
    assert!(e.why.contains("`for` statement"), "{e:?}");
    let e = run(
        "def g():\n    return g()\ndef f(cls):\n    return g()\n",
        "A",
    )
    .unwrap_err();
    assert!(e.why.contains("deeply") || e.why.contains("steps"), "{e:?}");
    let e = run(
        "BIG = 'a' * 1000000\ndef f(cls):\n    return ''.join([BIG.lower() for c in BIG])\n",
        "A",
    )
    .unwrap_err();
    assert!(e.why.contains("steps"), "{e:?}");
}
