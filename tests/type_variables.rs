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
