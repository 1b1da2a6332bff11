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

/// A schema name that is no Rust identifier (found by `fuzz/`: Diesel's `table!` took it as
/// one, and building the identifier panicked): every target writes its output, and Diesel's,
/// which must name the schema as an identifier, says how it wrote it (W0702).
#[test]
fn a_schema_that_is_no_identifier() {
    let source = "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass User(Base):\n    __tablename__ = \"user\"\n    __table_args__ = {\"schema\": \"cor#\"}\n    id = Column(Integer, primary_key=True)\n";
    for (target, name) in TARGETS {
        for emit in [Emit::Target(*target), Emit::TargetTree(*target)] {
            let out = sa2rs::run(
                vec![sa2rs::Input::standalone("models.py", source.into())],
                emit,
            );
            assert!(
                out.output.is_some() || out.tree.is_some(),
                "{name}: {:?}",
                out.diagnostics
            );
            let codes = common::codes(&out);
            let expected: &[&str] = if *target == Target::Diesel {
                &["W0702"]
            } else {
                &[]
            };
            assert_eq!(codes, expected, "{name}");
        }
    }
    let out = sa2rs::run(
        vec![sa2rs::Input::standalone("models.py", source.into())],
        Emit::Target(Target::Diesel),
    );
    assert!(out.output.unwrap().contains("cor_.user (id)"));
}
