//! Enum values against SQLAlchemy: for every `Enum` column sa2rs ports as a Rust enum, the
//! values its `as_str()` returns must be exactly the values SQLAlchemy stores
//! (`Enum.enums`: member names by default, values with `values_callable`), in order.
//! `tests/sqla/dump_graph.py --enums` is the reference. Skipped without Python, like the
//! differential test, except under `CI=true`.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use sa2rs::ir::TypeKind;

/// The values of every column sa2rs ports as an enum (also `ARRAY` items), by
/// `table.column`.
fn ported_enums(path: &std::path::Path) -> BTreeMap<String, Vec<String>> {
    let inputs = sa2rs::inputs::read_paths(&[path.to_path_buf()]).expect("fixture is readable");
    let analysis = sa2rs::analyse(&inputs);
    let graph = analysis.graph;
    let mut out = BTreeMap::new();
    for table in &graph.tables {
        for col in &table.columns {
            let mut kind = &col.ty.kind;
            if let TypeKind::Array { item, .. } = kind {
                kind = item;
            }
            if let TypeKind::Enum(e) = kind {
                if !e.values.is_empty() {
                    out.insert(
                        format!("{}.{}", table.fullname(), col.name),
                        e.values.clone(),
                    );
                }
            }
        }
    }
    out
}

#[test]
fn enum_values_equal_sqlalchemy() {
    let Some(python) = common::python::sqlalchemy("the enum values test") else {
        return;
    };
    let fixtures: Vec<PathBuf> = common::fixtures()
        .into_iter()
        .filter(|p| !common::is_error_fixture(p))
        .filter(|p| !ported_enums(p).is_empty())
        .collect();
    let reference = common::python::dump_graph(&python, &["--enums"], &fixtures);
    let mut failures = Vec::new();
    for path in &fixtures {
        let theirs = &reference[path.to_string_lossy().as_ref()]["enums"];
        for (column, values) in ported_enums(path) {
            let expected: Option<Vec<String>> = theirs[&column].as_array().map(|v| {
                v.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            });
            if expected.as_ref() != Some(&values) {
                failures.push(format!(
                    "{}: {column}: sa2rs={values:?} sqlalchemy={expected:?}",
                    common::stem(path)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "enum values differ:\n{}",
        failures.join("\n")
    );
}
