//! The ORM targets' output, pinned for a few fixtures (the end-to-end test in `orm_e2e.rs`
//! proves what it does), and what each target leaves out, with a warning naming it.

mod common;

use sa2rs::{Emit, Target};

const TARGETS: &[(Target, &str)] = &[
    (Target::Sqlx, "sqlx"),
    (Target::Diesel, "diesel"),
    (Target::SeaOrm, "sea-orm"),
    (Target::SeaOrmExpanded, "sea-orm-expanded"),
];

#[test]
fn target_output_is_pinned() {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        for fixture in ["classic_many_to_many.py", "foreign_keys_forms.py", "self_referential.py"] {
            let path = common::manifest_dir().join("fixtures").join(fixture);
            for (target, name) in TARGETS {
                let out = common::run_fixture(&path, Emit::Target(*target));
                let warnings = common::codes(&out);
                assert!(warnings.is_empty(), "{fixture} {name}: {warnings:?}");
                let code = out.output.expect("output");
                insta::assert_snapshot!(format!("{name}@{fixture}"), code);
            }
        }
    });
}

/// `(relationship, code)` of each W0700, in order.
fn left_out(fixture: &str, target: Target) -> Vec<String> {
    let path = common::manifest_dir().join("fixtures").join(fixture);
    let out = common::run_fixture(&path, Emit::Target(target));
    assert!(out.output.is_some(), "{fixture}: no output");
    out.diagnostics
        .iter()
        .filter(|d| d.code.as_deref() == Some("W0700"))
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn what_a_query_on_column_pairs_cannot_load_is_reported() {
    for (target, name) in TARGETS {
        // A join condition with a filter (`Address.kind == "billing"`) is not its pairs alone.
        let joins = left_out("joins_primaryjoin.py", *target);
        assert!(
            joins.iter().any(|m| m.contains("`User.active_addresses`")),
            "{name}: {joins:?}"
        );
        // Rows of a single-table subclass differ from their siblings only by the
        // discriminator: the loaders of sqlx and Diesel filter on it, SeaORM's relations
        // cannot.
        let single = left_out("inheritance_single_table.py", *target);
        let sea_orm = matches!(target, Target::SeaOrm | Target::SeaOrmExpanded);
        assert_eq!(single.is_empty(), !sea_orm, "{name}: {single:?}");
    }
}
