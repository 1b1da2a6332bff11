//! `--emit sql` against SQLAlchemy: for every fixture and both dialects, the statements
//! `metadata.create_all()` runs (compiled through a mock engine by `tests/sqla/dump_graph.py
//! --ddl`) must equal sa2rs's, white space normalised: the `CREATE TABLE` statements in the same
//! order, the indexes, enum types and `ALTER TABLE`s as sets (SQLAlchemy keeps those in sets).
//! Where SQLAlchemy's compiler raises, sa2rs must report an error. Every SQLite script is
//! then executed in a real SQLite database (`tests/sqla/exec_sqlite.py`).

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sa2rs::emit::sql::Dialect;
use sa2rs::Emit;
use serde_json::Value;

/// Fixtures whose DDL sa2rs knows it cannot write exactly, and the warning saying so: the
/// statements of these fixtures may differ, but only with that warning reported.
const KNOWN: &[(&str, &str)] = &[
    // `String(NAME_LENGTH // 2 if False else 40)`: a length sa2rs cannot evaluate.
    ("evaluated_constants", "W0005"),
    // `Index("...", func.lower("label"))`: indexes on expressions are left out.
    ("table_args", "W0801"),
    // sqlalchemy-utils and user types: their DDL is their `impl`'s, which is guessed.
    ("types_dialects", "W0800"),
    ("types_third_party", "W0800"),
    ("warnings_types", "W0800"),
    // A `TypeDecorator` whose `load_dialect_impl` chooses its DDL type.
    ("ddl_dialect_impl", "W0800"),
    // A `UserDefinedType`, whose `get_col_spec()` is code.
    ("warnings_not_ported", "W0800"),
];

/// White space collapsed, as SQLAlchemy's tab-indented lines and ours differ only there.
fn normalise(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The statements of a script, without comments, normalised.
fn statements(script: &str) -> Vec<String> {
    let body: String = script
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    body.split(';')
        .map(normalise)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Statements by kind: the `CREATE TABLE`s (in order), the rest as sets.
#[derive(Debug, PartialEq)]
struct Script {
    tables: Vec<String>,
    others: BTreeSet<String>,
}

/// The unqualified, unquoted name of a table in `CREATE TABLE x.y (` or `REFERENCES x.y (`.
fn table_after<'a>(statement: &'a str, keyword: &str) -> Vec<&'a str> {
    statement
        .split(keyword)
        .skip(1)
        .filter_map(|rest| rest.split(" (").next())
        .map(|name| name.rsplit('.').next().unwrap_or(name).trim_matches('"'))
        .collect()
}

/// Tables referenced before they are created (outside `ALTER TABLE`).
fn out_of_order(tables: &[String]) -> Vec<String> {
    let mut created: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for t in tables {
        let name = table_after(t, "CREATE TABLE ")
            .first()
            .copied()
            .unwrap_or("");
        created.push(name);
        for r in table_after(t, "REFERENCES ") {
            if !created.contains(&r) {
                out.push(format!("{name} references {r} before it is created"));
            }
        }
    }
    out
}

fn split(statements: &[String]) -> Script {
    let (tables, others): (Vec<String>, Vec<String>) = statements
        .iter()
        .cloned()
        .partition(|s| s.starts_with("CREATE TABLE "));
    Script {
        tables,
        others: others.into_iter().collect(),
    }
}

/// A fixture's SQLite script and the schemas it needs attached.
type SqliteScript = (String, String, Vec<String>);

/// The differences from SQLAlchemy, and every script sa2rs wrote.
fn compare(python: &Path, dialect: Dialect, name: &str) -> (Vec<String>, Vec<SqliteScript>) {
    let fixtures: Vec<PathBuf> = common::fixtures()
        .into_iter()
        .filter(|p| !common::is_error_fixture(p))
        .collect();
    let reference = common::python::dump_graph(python, &["--ddl", name], &fixtures);
    let mut failures = Vec::new();
    let mut scripts = Vec::new();
    for path in &fixtures {
        let fixture = common::stem(path);
        let theirs = &reference[path.to_string_lossy().as_ref()];
        let ours = common::run_fixture(path, Emit::Sql(dialect));
        let codes = common::codes(&ours);
        let rendered = sa2rs::diagnostics::render_plain(&ours.files, &ours.diagnostics);
        if let Some(e) = theirs.get("ddl_error") {
            if !ours.has_errors() || ours.output.is_some() {
                failures.push(format!(
                    "{fixture}: SQLAlchemy raises {e}, sa2rs reports no error"
                ));
            }
            continue;
        }
        let Some(ddl) = theirs.get("ddl").and_then(Value::as_array) else {
            failures.push(format!("{fixture}: SQLAlchemy fails: {theirs}"));
            continue;
        };
        let Some(script) = ours.output else {
            failures.push(format!("{fixture}: sa2rs reports errors:\n{rendered}"));
            continue;
        };
        let expected: Vec<String> = ddl
            .iter()
            .filter_map(Value::as_str)
            .map(normalise)
            .collect();
        let (mut expected, mut got) = (split(&expected), split(&statements(&script)));
        // A cycle of foreign keys SQLite cannot break (it has no `ALTER TABLE ... ADD
        // CONSTRAINT`) is created with a forward reference by SQLAlchemy too: only references
        // SQLAlchemy's order does not have are out of order.
        let forward = out_of_order(&expected.tables);
        failures.extend(
            out_of_order(&got.tables)
                .into_iter()
                .filter(|e| !forward.contains(e))
                .map(|e| format!("{fixture}: {e}")),
        );
        // A package's tables are created in the order its modules are imported, which only
        // the application decides: any dependency order is right.
        if path.is_dir() {
            expected.tables.sort();
            got.tables.sort();
        }
        let known = KNOWN.iter().find(|(f, _)| *f == fixture);
        match known {
            Some((_, code)) if !codes.iter().any(|c| c == code) => {
                failures.push(format!("{fixture}: expected warning {code}, got {codes:?}"))
            }
            Some(_) => {}
            None if expected != got => {
                let only = |a: &[String], b: &[String]| -> Vec<String> {
                    a.iter().filter(|s| !b.contains(s)).cloned().collect()
                };
                let exp: Vec<String> = expected.others.iter().cloned().collect();
                let ours: Vec<String> = got.others.iter().cloned().collect();
                failures.push(format!(
                    "{fixture}: DDL differs\n  SQLAlchemy only: {:#?}\n  sa2rs only: {:#?}\n  table order: SQLAlchemy {:?}\n                sa2rs {:?}",
                    [only(&expected.tables, &got.tables), only(&exp, &ours)].concat(),
                    [only(&got.tables, &expected.tables), only(&ours, &exp)].concat(),
                    expected.tables.iter().map(|t| t.split(" (").next().unwrap_or("")).collect::<Vec<_>>(),
                    got.tables.iter().map(|t| t.split(" (").next().unwrap_or("")).collect::<Vec<_>>(),
                ));
            }
            None => {}
        }
        let schemas: BTreeSet<String> = theirs["graph"]["tables"]
            .as_object()
            .map(|t| {
                t.keys()
                    .filter_map(|k| k.rsplit_once('.').map(|(s, _)| s.to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        scripts.push((fixture, script, schemas.into_iter().collect()));
    }
    (failures, scripts)
}

/// Runs every SQLite script in a real SQLite database; the failures.
fn execute(python: &Path, scripts: &[SqliteScript]) -> Vec<String> {
    let input: serde_json::Map<String, Value> = scripts
        .iter()
        .map(|(name, ddl, schemas)| {
            (
                name.clone(),
                serde_json::json!({"ddl": ddl, "schemas": schemas}),
            )
        })
        .collect();
    let mut child = Command::new(python)
        .arg(common::manifest_dir().join("tests/sqla/exec_sqlite.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(Value::Object(input).to_string().as_bytes())
        .expect("the scripts are written");
    let out = child.wait_with_output().expect("python finishes");
    assert!(out.status.success(), "exec_sqlite.py failed");
    let results: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut failures = Vec::new();
    for (name, _, _) in scripts {
        match results.get(name) {
            Some(Value::Null) => {}
            Some(e) => failures.push(format!("{name}: SQLite refuses sa2rs's DDL: {e}")),
            None => failures.push(format!("{name}: not executed")),
        }
    }
    failures
}

fn check(dialect: Dialect, name: &str) {
    let Some(python) = common::python::sqlalchemy("the DDL differential test") else {
        return;
    };
    let (mut failures, scripts) = compare(&python, dialect, name);
    assert!(
        scripts.len() > 50,
        "only {} fixtures produced DDL",
        scripts.len()
    );
    if dialect == Dialect::Sqlite {
        failures.extend(execute(&python, &scripts));
    }
    assert!(
        failures.is_empty(),
        "sa2rs's {name} DDL differs from SQLAlchemy 2.1.9's:\n{}",
        failures.join("\n")
    );
}

#[test]
fn sqlite_ddl_equals_sqlalchemy_and_runs_in_sqlite() {
    check(Dialect::Sqlite, "sqlite");
}

#[test]
fn postgresql_ddl_equals_sqlalchemy() {
    check(Dialect::Postgresql, "postgresql");
}

#[test]
fn references_before_creation_are_found() {
    let tables = [
        "CREATE TABLE b ( a_id INTEGER, FOREIGN KEY(a_id) REFERENCES \"a\" (id) )".to_owned(),
        "CREATE TABLE s.a ( b_id INTEGER, FOREIGN KEY(b_id) REFERENCES s.b (id) )".to_owned(),
    ];
    assert_eq!(
        out_of_order(&tables),
        ["b references a before it is created"]
    );
}

#[test]
fn statements_are_split_and_normalised() {
    let script = "-- a comment; with a semicolon\nCREATE TABLE a (\n    id INTEGER\n);\nCREATE INDEX ix ON a (id);\n";
    assert_eq!(
        statements(script),
        ["CREATE TABLE a ( id INTEGER )", "CREATE INDEX ix ON a (id)"]
    );
}

/// The DDL of two fixtures in both dialects, pinned for review (the differential tests above
/// prove it against SQLAlchemy; these show a reader what it looks like).
#[test]
fn ddl_output_is_pinned() {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        for fixture in ["classic_association_object.py", "ddl_features.py"] {
            let path = common::manifest_dir().join("fixtures").join(fixture);
            for (dialect, name) in [(Dialect::Sqlite, "sqlite"), (Dialect::Postgresql, "postgresql")] {
                let out = common::run_fixture(&path, Emit::Sql(dialect));
                let script = out.output.expect("DDL");
                insta::assert_snapshot!(format!("sql-{name}@{fixture}"), script);
            }
        }
    });
}

/// An enum SQLAlchemy's PostgreSQL compiler cannot name is an error, as it is there.
#[test]
fn a_native_enum_without_a_name_is_refused_on_postgresql() {
    let source = "from sqlalchemy import Column, Enum, Integer\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base()\nclass A(Base):\n    __tablename__ = 'a'\n    id = Column(Integer, primary_key=True)\n    kind = Column(Enum('x', 'y'))\n";
    let run = |dialect| {
        sa2rs::run(
            vec![sa2rs::inputs::Input::standalone(
                "models.py",
                source.as_bytes().to_vec(),
            )],
            Emit::Sql(dialect),
        )
    };
    let pg = run(Dialect::Postgresql);
    assert!(pg.output.is_none());
    assert!(
        common::codes(&pg).contains(&"E0801".to_owned()),
        "{:?}",
        common::codes(&pg)
    );
    let lite = run(Dialect::Sqlite);
    assert!(lite.output.is_some_and(|s| s.contains("kind VARCHAR(1)")));
}

/// The command line: `--dialect` chooses the dialect of `--emit sql`.
#[test]
fn the_command_line_chooses_the_dialect() {
    let fixture = common::manifest_dir().join("fixtures/classic_one_to_many.py");
    let run = |dialect: &str| {
        let mut cmd = common::binary::command();
        cmd.args(["--emit", "sql", "--dialect", dialect])
            .arg(&fixture);
        let out = common::binary::run(cmd, std::time::Duration::from_secs(20));
        assert_eq!(out.code, Some(0), "{dialect}");
        out.stdout
    };
    assert!(run("sqlite").contains("id INTEGER NOT NULL,"));
    assert!(run("postgresql").contains("id SERIAL NOT NULL,"));
}

/// A `TypeDecorator` whose `load_dialect_impl` chooses its DDL is not written as its `impl`:
/// one `W0800` per such type, at its first column, counting the others.
#[test]
fn a_dialect_chosen_type_is_one_warning_per_type() {
    let path = common::manifest_dir().join("fixtures/ddl_dialect_impl.py");
    for dialect in [Dialect::Sqlite, Dialect::Postgresql] {
        let out = common::run_fixture(&path, Emit::Sql(dialect));
        let guessed: Vec<&str> = out
            .diagnostics
            .iter()
            .filter(|d| d.code.as_deref() == Some("W0800"))
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            guessed,
            [
                "the DDL of type `GUID` is not known: column `groups.id` (and 1 other column)",
                "the DDL of type `ShortGUID` is not known: column `users.token`",
            ]
        );
        // The plain decorator has its `impl`'s DDL.
        let script = out.output.expect("DDL");
        assert!(
            script.contains("created DATETIME")
                || script.contains("created TIMESTAMP WITHOUT TIME ZONE"),
            "{script}"
        );
    }
}

/// An index option of the dialect that sa2rs does not render leaves the index out of that
/// dialect's DDL (said so); another dialect's options do not concern it. A `ddl_if` that only
/// running decides is not ported.
#[test]
fn dialect_options_sa2rs_does_not_render_leave_the_index_out() {
    let source = r#"
from sqlalchemy import Column, Index, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Job(Base):
    __tablename__ = "jobs"
    id = Column(Integer, primary_key=True)
    state = Column(String(20))
    __table_args__ = (
        Index("ix_jobs_open", "state", postgresql_where="state = 'open'"),
        Index("ix_jobs_state", "state").ddl_if(callable_=lambda *a, **k: True),
    )
"#;
    for (dialect, left_out) in [(Dialect::Sqlite, false), (Dialect::Postgresql, true)] {
        let input = sa2rs::Input::standalone("jobs.py", source.as_bytes().to_vec());
        let out = sa2rs::run(vec![input], Emit::Sql(dialect));
        let codes: Vec<(&str, &str)> = out
            .diagnostics
            .iter()
            .map(|d| (d.code.as_deref().unwrap_or(""), d.message.as_str()))
            .collect();
        let script = out.output.expect("DDL");
        assert_eq!(
            script.contains("CREATE INDEX ix_jobs_open"),
            !left_out,
            "{script}"
        );
        let said = codes
            .iter()
            .filter(|c| **c == ("W0801", "index `ix_jobs_open` is left out of the DDL"))
            .count();
        assert_eq!(said, usize::from(left_out), "once on PostgreSQL: {codes:?}");
        assert!(
            codes.iter().any(|(c, _)| *c == "W0003"),
            "the `ddl_if(callable_=...)`: {codes:?}"
        );
        assert!(!script.contains("ix_jobs_state"), "{script}");
    }
}

/// A primary key's option sa2rs does not render (`postgresql_include=`) leaves the option out,
/// not the key: the key is written, and the warning says what is missing, once, on that
/// dialect only.
#[test]
fn a_primary_key_option_sa2rs_does_not_render_is_left_out_of_the_key() {
    let source = r#"
from sqlalchemy import Column, Integer, PrimaryKeyConstraint
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (PrimaryKeyConstraint("id", postgresql_include=["state"]),)
    id = Column(Integer)
    state = Column(Integer)
"#;
    for (dialect, warned) in [(Dialect::Sqlite, false), (Dialect::Postgresql, true)] {
        let input = sa2rs::Input::standalone("jobs.py", source.as_bytes().to_vec());
        let out = sa2rs::run(vec![input], Emit::Sql(dialect));
        let script = out.output.expect("DDL");
        assert!(script.contains("PRIMARY KEY (id)"), "{script}");
        let said: Vec<(&str, &str)> = out
            .diagnostics
            .iter()
            .map(|d| (d.code.as_deref().unwrap_or(""), d.message.as_str()))
            .collect();
        let expected = (
            "W0801",
            "option `postgresql_include` of this primary key is left out of the DDL",
        );
        let count = said.iter().filter(|d| **d == expected).count();
        assert_eq!(count, usize::from(warned), "{dialect:?}: {said:?}");
        assert_eq!(said.len(), count, "nothing else is said: {said:?}");
    }
}

/// A column's `CheckConstraint` is written with the column, deferrability included, as
/// SQLAlchemy writes it; a table's of `text("...")` is its SQL; one whose condition is Python
/// is left out, and said so.
#[test]
fn column_check_constraints_are_written_with_their_column() {
    let source = r#"
from sqlalchemy import CheckConstraint, Column, Integer, MetaData, Table, text

metadata = MetaData()

t = Table(
    "t",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("z", Integer, CheckConstraint(text("z < 9"), deferrable=True, initially="DEFERRED")),
    Column("w", Integer, CheckConstraint(Column("w") > 0)),
    CheckConstraint(text("z > 0"), name="ck_z"),
    CheckConstraint(Column("w") < 5),
)
"#;
    for dialect in [Dialect::Sqlite, Dialect::Postgresql] {
        let input = sa2rs::Input::standalone("t.py", source.as_bytes().to_vec());
        let out = sa2rs::run(vec![input], Emit::Sql(dialect));
        let script = out.output.expect("DDL");
        assert!(
            script.contains("    z INTEGER CHECK (z < 9) DEFERRABLE INITIALLY DEFERRED,\n"),
            "{script}"
        );
        assert!(script.contains("    w INTEGER,\n"), "{script}");
        // A table's check of `text("...")` is its SQL; one of Python is left out.
        assert!(
            script.contains("    CONSTRAINT ck_z CHECK (z > 0)\n"),
            "{script}"
        );
        assert!(!script.contains("< 5"), "{script}");
        let said: Vec<&str> = out.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            said,
            [
                "this check constraint of column `t.w` is left out of the DDL",
                "this check constraint is left out of the DDL"
            ],
            "{dialect:?}"
        );
    }
}
