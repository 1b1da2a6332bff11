//! The differential test: for every fixture, real SQLAlchemy (from PyPI, in a venv under
//! `target/`) configures the models and dumps its graph (`tests/sqla/dump_graph.py`); sa2rs's
//! `--emit graph-json` must equal it field by field. For `error_` fixtures, both must fail.
//!
//! The venv is created on first use (`python3 -m venv` + pip). `SA2RS_PYTHON` names another
//! interpreter. Without Python or network the test is skipped, except under `CI=true`, where
//! it fails.

mod common;

use sa2rs::Emit;
use serde_json::Value;

fn diff(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => diff(&format!("{path}.{k}"), va, vb, out),
                    None => out.push(format!("{path}.{k}: only sa2rs has it ({va})")),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(format!("{path}.{k}: only SQLAlchemy has it ({vb})"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                let label = va
                    .get("name")
                    .or_else(|| va.get("key"))
                    .and_then(Value::as_str);
                let here = match label {
                    Some(l) => format!("{path}[{i}:{l}]"),
                    None => format!("{path}[{i}]"),
                };
                diff(&here, va, vb, out);
            }
        }
        _ if ours != theirs => out.push(format!("{path}: sa2rs={ours} sqlalchemy={theirs}")),
        _ => {}
    }
}

#[test]
fn graphs_equal_sqlalchemy() {
    let Some(python) = common::python::sqlalchemy("the differential test") else {
        return;
    };
    let fixtures = common::fixtures();
    let reference = common::python::dump_graph(&python, &[], &fixtures);

    let mut failures = Vec::new();
    for path in &fixtures {
        let name = common::stem(path);
        let theirs = &reference[path.to_string_lossy().as_ref()];
        let ours = common::run_fixture(path, Emit::GraphJson);
        let rendered = sa2rs::diagnostics::render_plain(&ours.files, &ours.diagnostics);
        if common::is_error_fixture(path) {
            if theirs.get("error").is_none() {
                failures.push(format!("{name}: SQLAlchemy accepts this error fixture"));
            }
            if !ours.has_errors() {
                failures.push(format!(
                    "{name}: sa2rs reports no error, SQLAlchemy says {}",
                    theirs["error"]
                ));
            }
            continue;
        }
        let Some(graph) = theirs.get("graph") else {
            failures.push(format!("{name}: SQLAlchemy fails: {}", theirs["error"]));
            continue;
        };
        let Some(json) = ours.output else {
            failures.push(format!("{name}: sa2rs reports errors:\n{rendered}"));
            continue;
        };
        let ours: Value = serde_json::from_str(&json).expect("sa2rs prints JSON");
        let mut diffs = Vec::new();
        diff("", &ours, graph, &mut diffs);
        failures.extend(diffs.into_iter().map(|d| format!("{name}{d}")));
    }
    assert!(
        failures.is_empty(),
        "sa2rs differs from SQLAlchemy 2.1.9:\n{}",
        failures.join("\n")
    );
}

#[test]
fn diff_names_the_field_that_differs() {
    let a = serde_json::json!({"tables": {"t": {"columns": [{"name": "id", "nullable": true}]}}});
    let b = serde_json::json!({"tables": {"t": {"columns": [{"name": "id", "nullable": false}]}}});
    let mut out = Vec::new();
    diff("", &a, &b, &mut out);
    assert_eq!(
        out,
        [".tables.t.columns[0:id].nullable: sa2rs=true sqlalchemy=false"]
    );
}
