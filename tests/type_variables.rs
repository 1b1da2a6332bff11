//! Column types held in module variables (`fixtures/type_variables.py` has those SQLAlchemy
//! configures; here, those it cannot be sure of). A variable is read only where the value a
//! class sees is certain: bound once, above the class.

mod common;

use common::{codes, run_source};

fn graph_type(out: &sa2rs::Outcome, column: &str) -> String {
    let json: serde_json::Value =
        serde_json::from_str(out.output.as_deref().expect("a graph")).unwrap();
    let columns = json["tables"]["t"]["columns"].as_array().unwrap();
    let c = columns.iter().find(|c| c["name"] == column).unwrap();
    c["type"].as_str().unwrap().to_owned()
}

const HEAD: &str = "
from sqlalchemy import BigInteger, Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()
";

fn model(variables: &str) -> String {
    format!(
        "{HEAD}{variables}\nclass T(Base):\n    __tablename__ = 't'\n    id = Column(Integer, primary_key=True)\n    x = Column(X)\n"
    )
}

#[test]
fn a_variable_bound_once_is_its_type() {
    let out = run_source(&model("X = BigInteger()\n"));
    assert!(codes(&out).is_empty(), "{:?}", codes(&out));
    assert_eq!(graph_type(&out, "x"), "BigInteger");
}

/// Which binding the class sees depends on order and control flow: not read, and said so.
#[test]
fn a_variable_bound_twice_or_in_a_block_stays_unknown() {
    for variables in [
        "X = BigInteger()\nX = String(10)\n",
        "if True:\n    X = BigInteger()\n",
        "X = BigInteger()\nfrom app.types import X\n",
        "X, Y = BigInteger(), String()\n",
    ] {
        let out = run_source(&model(variables));
        assert_eq!(codes(&out), ["W0004"], "{variables}");
        assert_eq!(graph_type(&out, "x"), "X", "{variables}");
    }
}

/// Assigned below the class that uses it: Python raises `NameError`.
#[test]
fn a_variable_assigned_below_its_use_is_an_error() {
    let source = format!("{}\nX = BigInteger()\n", model(""));
    let out = run_source(&source);
    assert_eq!(codes(&out), ["E0405"]);
}

/// A subclass of a plain type is named as itself and has its parent's meaning; its DDL is its
/// parent's unless code chooses it (`@compiles`, `__visit_name__`), and then it is a guess.
#[test]
fn a_subclass_of_a_type_whose_ddl_code_chooses_is_a_guess() {
    let classes = [
        "from sqlalchemy.ext.compiler import compiles\n\nclass Unused(String):\n    pass\n\n@compiles(Unused, \"postgresql\")\ndef char_one(type_, compiler, **kw):\n    return \"CHAR(1)\"\n",
        "class Unused(String):\n    __visit_name__ = \"CHAR\"\n",
    ];
    for class in classes {
        let source = model(&format!("{class}\nX = Unused(20)\n"));
        let out = run_source(&source);
        assert!(codes(&out).is_empty(), "{:?}", codes(&out));
        assert_eq!(graph_type(&out, "x"), "Unused");
        let sql = sa2rs::run(
            vec![sa2rs::Input::standalone(
                "models.py",
                source.as_bytes().to_vec(),
            )],
            sa2rs::Emit::Sql(sa2rs::emit::sql::Dialect::Postgresql),
        );
        assert_eq!(codes(&sql), ["W0800"], "{class}");
    }
    // Without such code, the parent's DDL, as SQLAlchemy compiles it.
    let source = model("class Unused(String):\n    pass\n\nX = Unused(20)\n");
    let sql = sa2rs::run(
        vec![sa2rs::Input::standalone("models.py", source.into_bytes())],
        sa2rs::Emit::Sql(sa2rs::emit::sql::Dialect::Postgresql),
    );
    assert!(codes(&sql).is_empty(), "{:?}", codes(&sql));
    assert!(sql.output.unwrap().contains("x VARCHAR(20)"));
}
