//! The end-to-end test of the ORM targets, on SQLite:
//!
//! 1. real SQLAlchemy creates a database from a fixture and fills it through its ORM, following
//!    every relationship, then dumps every row and, per relationship, the keys of the related
//!    rows it loads (`tests/orm/sqla_db.py`);
//! 2. the Rust that sa2rs generates for the fixture and target, compiled against the real crate
//!    in a test crate (`#![deny(warnings)]`), opens the same database, reads every row and
//!    follows every relationship with the target's own API, and dumps the same way;
//! 3. the two dumps must be equal. Then the Rust inserts every row it read into an empty
//!    database that SQLAlchemy created, and SQLAlchemy's dump of it must be equal again.
//!
//! The test crates form one workspace under `target/orm-e2e`; its target directory is
//! `SA2RS_E2E_TARGET_DIR` when set (CI keeps it outside the clone, to reuse between runs).

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sa2rs::emit::orm::{OrmPlan, RelationPlan};
use sa2rs::graph::{Graph, TableId};
use sa2rs::source::SourceFiles;
use sa2rs::{Emit, Target};
use serde_json::{Map, Value};

/// A `(table, column)` pair.
type Column = (String, String);

/// The fixtures every target is proved on.
const FIXTURES: &[&str] = &[
    "classic_one_to_many.py",
    "classic_one_to_one.py",
    "classic_many_to_many.py",
    "classic_association_object.py",
    "mapped_one_to_many.py",
    "mapped_one_to_one.py",
    "mapped_many_to_many.py",
    "mapped_association_object.py",
    "self_referential.py",
    "foreign_keys_forms.py",
    "types_mapped.py",
    "enums_python.py",
    "inheritance_joined.py",
    "inheritance_single_table.py",
    "metadata_schema.py",
    "table_args.py",
];

/// What a target's test crate needs.
struct Harness {
    target: Target,
    /// The crate's directory in the workspace, and its package name.
    name: &'static str,
    /// Generate the `-o DIR/` module tree (else one file).
    tree: bool,
    /// Its `[dependencies]`.
    dependencies: &'static str,
    /// Writes the driver module of one fixture: `dump(db) -> Value`, `copy(from, to)`.
    driver: fn(&Graph, &SourceFiles, &OrmPlan) -> Driver,
    /// More of `support.rs`: `Dump` for the crate's own types.
    support: &'static str,
    /// The crate's `main.rs`, given the crate's and the fixture modules' names.
    main: fn(&str, &[String]) -> String,
}

/// A fixture's driver module, and the relationships it follows (`Class.key`).
struct Driver {
    text: String,
    kept: Vec<String>,
    /// How many relationships the target leaves out, with a warning.
    left_out: usize,
}

fn python() -> Option<PathBuf> {
    common::python::sqlalchemy("the ORM end-to-end test")
}

fn workspace() -> PathBuf {
    common::manifest_dir().join("target").join("orm-e2e")
}

/// Runs a command; panics with its output when it fails. Returns its standard output.
fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} cannot run: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The graph and plan of a fixture, as the emitter sees them; the warnings about the
/// relationships the target leaves out.
fn plan_of(path: &Path, target: &str) -> (Graph, SourceFiles, OrmPlan, Vec<String>) {
    let bytes = std::fs::read(path).expect("fixture is readable");
    let name = format!("fixtures/{}", common::stem(path));
    let analysis = sa2rs::analyse(&[sa2rs::Input::standalone(name, bytes)]);
    let mut diags = Vec::new();
    let plan = sa2rs::emit::orm::plan(&analysis.graph, &analysis.files, target, &mut diags);
    let left_out = diags
        .iter()
        .map(|d| {
            assert_eq!(d.code.as_deref(), Some("W0700"), "{d:?}");
            d.message.clone()
        })
        .collect();
    (analysis.graph, analysis.files, plan, left_out)
}

/// Rows in a stable order (each table's rows sorted by their JSON text), without the
/// `as_stored` columns (`(table, column)`), and relations only for `kept` relationships, so
/// that two dumps compare as sets.
fn normalise(dump: &Value, kept: &[String], as_stored: &[(String, String)]) -> Value {
    let mut rows = Map::new();
    if let Some(tables) = dump["rows"].as_object() {
        for (table, list) in tables {
            let mut list: Vec<Value> = list.as_array().cloned().unwrap_or_default();
            for row in &mut list {
                if let Some(row) = row.as_object_mut() {
                    for (t, c) in as_stored {
                        if t == table {
                            row.remove(c);
                        }
                    }
                    // Numbers as text compare by value: a decimal has the zeros of its scale
                    // on one side (`51.2500000000`) and not on the other.
                    for value in row.values_mut() {
                        if let Value::String(s) = value {
                            if s.contains('.') && s.parse::<f64>().is_ok() && !s.contains('e') {
                                *s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
                            }
                        }
                    }
                }
            }
            list.sort_by_key(|r| r.to_string());
            rows.insert(table.clone(), Value::Array(list));
        }
    }
    let mut relations = Map::new();
    if let Some(rels) = dump["relations"].as_object() {
        for (key, parents) in rels.iter().filter(|(k, _)| kept.contains(k)) {
            let mut by_parent = Map::new();
            for (parent, targets) in parents.as_object().into_iter().flatten() {
                let mut targets: Vec<Value> = targets.as_array().cloned().unwrap_or_default();
                targets.sort_by_key(|t| t.to_string());
                by_parent.insert(parent.clone(), Value::Array(targets));
            }
            relations.insert(key.clone(), Value::Object(by_parent));
        }
    }
    serde_json::json!({ "rows": rows, "relations": relations })
}

/// The workspace manifest of the test crates: every directory is a member.
fn write_workspace(ws: &Path) {
    std::fs::create_dir_all(ws).expect("create the workspace");
    std::fs::write(
        ws.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"*\"]\nexclude = [\"target\"]\n\n[profile.dev]\ndebug = false\n\n[profile.dev.package.\"*\"]\nopt-level = 1\n",
    )
    .expect("write the workspace manifest");
}

/// The target directory of the workspace.
fn target_dir(ws: &Path) -> PathBuf {
    std::env::var_os("SA2RS_E2E_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| ws.join("target"))
}

/// The test crates share one workspace: one target at a time writes and builds it.
static WORKSPACE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn e2e(h: &Harness) {
    let Some(python) = python() else { return };
    let _workspace = WORKSPACE.lock().unwrap_or_else(|e| e.into_inner());
    let sqla_db = common::manifest_dir().join("tests/orm/sqla_db.py");
    let ws = workspace();
    let dir = ws.join(h.name);
    let src = dir.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).expect("create the test crate");
    write_workspace(&ws);
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"e2e-{}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{}",
            h.name, h.dependencies
        ),
    )
    .expect("write the crate manifest");

    let mut modules = Vec::new();
    // Per fixture: the relationships followed, and the columns read as stored.
    let mut kept: Vec<(Vec<String>, Vec<Column>)> = Vec::new();
    for fixture in FIXTURES {
        let path = common::manifest_dir().join("fixtures").join(fixture);
        let stem = common::stem(&path);
        let emit = if h.tree {
            Emit::TargetTree(h.target)
        } else {
            Emit::Target(h.target)
        };
        let outcome = common::run_fixture(&path, emit);
        let as_stored = as_stored(&outcome.diagnostics);
        let (graph, files, plan, left_out) = plan_of(&path, h.name);
        let module = format!("f_{stem}");
        let mut text = format!(
            "//! `{fixture}`: the generated code and its driver.\n\npub mod models;\n\n#[allow(unused_imports)]\nuse crate::support::*;\n\n"
        );
        let driver = (h.driver)(&graph, &files, &plan);
        // Tables in a schema live in database files of their own, attached under its name,
        // as `tests/orm/sqla_db.py` lays them out (`DB.<schema>`).
        let mut schemas: Vec<&str> = graph
            .tables
            .iter()
            .filter_map(|t| t.schema.as_deref())
            .collect();
        schemas.sort_unstable();
        schemas.dedup();
        writeln!(
            text,
            "/// The schemas of the tables, each an attached database.\npub const SCHEMAS: &[&str] = &{schemas:?};\n"
        )
        .expect("write to string");
        text.push_str(&driver.text);
        std::fs::create_dir_all(src.join(&module)).expect("create module dir");
        std::fs::write(src.join(&module).join("mod.rs"), text).expect("write driver");
        match (outcome.output, outcome.tree) {
            (Some(code), _) => {
                std::fs::write(src.join(&module).join("models.rs"), code).expect("write models")
            }
            (None, Some(tree)) => {
                for file in tree {
                    let target = src.join(&module).join("models").join(&file.path);
                    std::fs::create_dir_all(target.parent().expect("a parent"))
                        .expect("create models/");
                    std::fs::write(target, file.contents).expect("write a models file");
                }
            }
            (None, None) => panic!("{fixture}: no {} output", h.name),
        }
        assert_eq!(
            driver.kept.len() + left_out.len() + driver.left_out,
            graph.relationships.len(),
            "{fixture}: every relationship is loaded or reported"
        );
        kept.push((driver.kept, as_stored));
        modules.push(module);
    }
    let mut lib = String::from(
        "#![deny(warnings)]\n//! Every fixture's generated code, with a driver that dumps and copies its database.\n\npub mod support;\n",
    );
    for m in &modules {
        writeln!(lib, "pub mod {m};").expect("write to string");
    }
    std::fs::write(src.join("lib.rs"), lib).expect("write lib.rs");
    let krate = format!("e2e_{}", h.name.replace('-', "_"));
    std::fs::write(src.join("main.rs"), (h.main)(&krate, &modules)).expect("write main.rs");
    std::fs::write(src.join("support.rs"), format!("{SUPPORT}{}", h.support))
        .expect("write support.rs");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target_dir = target_dir(&ws);
    run(Command::new(&cargo)
        .args(["build", "--quiet", "-p", &format!("e2e-{}", h.name)])
        .arg("--manifest-path")
        .arg(ws.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir));
    let binary = target_dir.join("debug").join(format!("e2e-{}", h.name));

    let scratch = tempfile::tempdir().expect("a scratch directory");
    let mut failures = Vec::new();
    for ((fixture, module), (kept, as_stored)) in FIXTURES.iter().zip(&modules).zip(&kept) {
        let path = common::manifest_dir().join("fixtures").join(fixture);
        let db = scratch.path().join(format!("{module}.sqlite"));
        let copy = scratch.path().join(format!("{module}.copy.sqlite"));
        run(Command::new(&python)
            .arg(&sqla_db)
            .arg("seed")
            .arg(&path)
            .arg(&db));
        let theirs: Value = serde_json::from_str(&run(Command::new(&python)
            .arg(&sqla_db)
            .arg("dump")
            .arg(&path)
            .arg(&db)))
        .expect("the SQLAlchemy dump is JSON");
        let ours: Value =
            serde_json::from_str(&run(Command::new(&binary).args([module, "dump"]).arg(&db)))
                .expect("the Rust dump is JSON");
        // Columns the target reads as SQLite stores them (`W0701`) differ in form; the copy
        // below checks that they survive unchanged.
        let (theirs_read, ours) = (
            normalise(&theirs, kept, as_stored),
            normalise(&ours, kept, as_stored),
        );
        let theirs = normalise(&theirs, kept, &[]);
        if theirs_read != ours {
            failures.push(format!(
                "{fixture}: {} reads differently from SQLAlchemy\nSQLAlchemy: {theirs_read}\n{}: {ours}",
                h.name, h.name
            ));
            continue;
        }
        run(Command::new(&python)
            .arg(&sqla_db)
            .arg("create")
            .arg(&path)
            .arg(&copy));
        run(Command::new(&binary)
            .args([module, "copy"])
            .arg(&db)
            .arg(&copy));
        let written: Value = serde_json::from_str(&run(Command::new(&python)
            .arg(&sqla_db)
            .arg("dump")
            .arg(&path)
            .arg(&copy)))
        .expect("the SQLAlchemy dump is JSON");
        let written = normalise(&written, kept, &[]);
        if written != theirs {
            failures.push(format!(
                "{fixture}: rows written by {} read differently in SQLAlchemy\nexpected: {theirs}\nread: {written}",
                h.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The tables in an order that inserts every referenced row first (foreign keys are
/// enforced); a table referencing itself has its rows in key order already.
fn insert_order(graph: &Graph) -> Vec<usize> {
    let n = graph.tables.len();
    let mut done = vec![false; n];
    let mut order = Vec::new();
    while order.len() < n {
        let before = order.len();
        for t in 0..n {
            let ready = !done[t]
                && graph.tables[t].columns.iter().all(|c| {
                    c.foreign_keys
                        .iter()
                        .filter_map(|fk| fk.column)
                        .all(|r| r.table.0 == t || done[r.table.0])
                });
            if ready {
                done[t] = true;
                order.push(t);
            }
        }
        assert!(order.len() > before, "a cycle of foreign keys");
    }
    order
}

/// The `(table, column)`s a target reads and writes as SQLite stores them (`W0701`).
fn as_stored(diags: &[sa2rs::diagnostics::Diagnostic]) -> Vec<(String, String)> {
    diags
        .iter()
        .filter(|d| d.code.as_deref() == Some("W0701"))
        .filter_map(|d| {
            let column = d.message.split('`').nth(1)?;
            let (table, column) = column.rsplit_once('.')?;
            Some((table.to_owned(), column.to_owned()))
        })
        .collect()
}

/// `Class.key`, as the dumps name a relationship.
fn relation_key(graph: &Graph, plan: &OrmPlan, r: &RelationPlan) -> String {
    let rel = plan.relationship(graph, r);
    format!("{}.{}", graph.class(rel.class).name, rel.key)
}

/// Conversions shared by the drivers: a value to its JSON form in the dumps, and primary-key
/// values to the `a/b` keys.
const SUPPORT: &str = r#"//! Values as the dumps write them.

use serde_json::Value;

pub trait Dump {
    fn dump(&self) -> Value;
    /// The value's part of a row key (`str()` in Python).
    fn key(&self) -> String {
        match self.dump() {
            Value::String(s) => s,
            other => other.to_string(),
        }
    }
}

macro_rules! dump_as_json {
    ($($t:ty),*) => { $(impl Dump for $t { fn dump(&self) -> Value { serde_json::json!(self) } })* };
}
dump_as_json!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool, String, serde_json::Value);

impl<T: Dump> Dump for Option<T> {
    fn dump(&self) -> Value {
        self.as_ref().map_or(Value::Null, Dump::dump)
    }
}

impl Dump for Vec<u8> {
    fn dump(&self) -> Value {
        Value::String(self.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl Dump for chrono::NaiveDate {
    fn dump(&self) -> Value {
        Value::String(self.format("%Y-%m-%d").to_string())
    }
}

impl Dump for chrono::NaiveDateTime {
    fn dump(&self) -> Value {
        Value::String(self.format("%Y-%m-%dT%H:%M:%S%.6f").to_string().trim_end_matches(".000000").to_owned())
    }
}

impl Dump for chrono::NaiveTime {
    fn dump(&self) -> Value {
        Value::String(self.format("%H:%M:%S%.6f").to_string().trim_end_matches(".000000").to_owned())
    }
}

impl Dump for uuid::fmt::Simple {
    fn dump(&self) -> Value {
        self.as_uuid().dump()
    }
}

impl Dump for uuid::Uuid {
    fn dump(&self) -> Value {
        Value::String(self.hyphenated().to_string())
    }
}

/// A row key: the primary-key values joined with `/`.
pub fn key(parts: &[String]) -> String {
    parts.join("/")
}

/// A JSON object of `(column, value)`.
pub fn row(columns: Vec<(&str, Value)>) -> Value {
    Value::Object(columns.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}
"#;

// ---- sqlx ---------------------------------------------------------------------------------------

/// Field access for a column: `.as_str()` for a generated enum (where the target has them).
fn dump_expr(
    plan: &OrmPlan,
    graph: &Graph,
    t: TableId,
    c: usize,
    var: &str,
    enums: bool,
) -> String {
    let field = field_ident(&plan.tables[t.0].fields[c]);
    let nullable = graph.table(t).columns[c].nullable;
    match (plan.enum_name(t, c).filter(|_| enums), nullable) {
        (Some(_), false) => format!("{var}.{field}.as_str().to_owned().dump()"),
        (Some(_), true) => format!("{var}.{field}.map(|v| v.as_str().to_owned()).dump()"),
        (None, _) => format!("{var}.{field}.dump()"),
    }
}

/// A field as the generated code spells it (`r#type`).
fn field_ident(name: &str) -> String {
    sa2rs::emit::names::ident(name).to_string()
}

/// `key(&[r.a.key(), r.b.key()])`: the row key of `var`, a row of `t`.
fn key_expr(plan: &OrmPlan, graph: &Graph, t: TableId, var: &str) -> String {
    let parts: Vec<String> = graph
        .table(t)
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.primary_key)
        .map(|(c, _)| format!("{var}.{}.key()", field_ident(&plan.tables[t.0].fields[c])))
        .collect();
    format!("key(&[{}])", parts.join(", "))
}

/// How a target's generated API is called.
struct Calls {
    /// The database handle's type.
    db: &'static str,
    /// `async ` or nothing.
    asyncness: &'static str,
    /// After a call: `.await` or nothing.
    wait: &'static str,
    /// `Enum` columns are generated enums (else strings).
    enums: bool,
}

const SQLX_CALLS: Calls = Calls {
    db: "&sqlx::SqlitePool",
    asyncness: "async ",
    wait: ".await",
    enums: true,
};

const DIESEL_CALLS: Calls = Calls {
    db: "&mut diesel::sqlite::SqliteConnection",
    asyncness: "",
    wait: "",
    enums: false,
};

fn sqlx_driver(graph: &Graph, _: &SourceFiles, plan: &OrmPlan) -> Driver {
    loader_driver(graph, plan, &SQLX_CALLS)
}

fn diesel_driver(graph: &Graph, _: &SourceFiles, plan: &OrmPlan) -> Driver {
    loader_driver(graph, plan, &DIESEL_CALLS)
}

/// The driver of a target with a `load_<key>` method per relationship.
fn loader_driver(graph: &Graph, plan: &OrmPlan, calls: &Calls) -> Driver {
    Driver {
        text: driver(graph, plan, calls),
        kept: plan
            .relations
            .iter()
            .map(|r| relation_key(graph, plan, r))
            .collect(),
        left_out: 0,
    }
}

/// The part of `dump` that reads every table (`t0`, `t1`, ... hold the rows); `read(t)` is the
/// expression reading table `t`.
fn dump_rows(graph: &Graph, plan: &OrmPlan, enums: bool, read: impl Fn(usize) -> String) -> String {
    let mut out = String::new();
    for (t, table) in graph.tables.iter().enumerate() {
        let columns: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                format!(
                    "({:?}, {})",
                    col.name,
                    dump_expr(plan, graph, TableId(t), c, "r", enums)
                )
            })
            .collect();
        writeln!(
            out,
            "    let t{t} = {}.expect(\"read {}\");\n    rows.insert({:?}.into(), t{t}.iter().map(|r| row(vec![{}])).collect());",
            read(t),
            table.fullname(),
            table.fullname(),
            columns.join(", ")
        )
        .unwrap();
    }
    out
}

/// The driver of one fixture: `dump` reads every table with `Entity::all` and follows every
/// relationship with its `load_<key>`; `copy` inserts every row read into another database.
fn driver(graph: &Graph, plan: &OrmPlan, calls: &Calls) -> String {
    let Calls {
        db,
        asyncness,
        wait,
        ..
    } = calls;
    let mut out = format!(
        "pub {asyncness}fn dump(db: {db}) -> serde_json::Value {{\n    let mut rows = serde_json::Map::new();\n    #[allow(unused_mut)]\n    let mut relations = serde_json::Map::new();\n",
    );
    out.push_str(&dump_rows(graph, plan, calls.enums, |t| {
        format!("models::{}::all(db){wait}", plan.tables[t].name)
    }));
    for r in &plan.relations {
        let name = relation_key(graph, plan, r);
        let parent = key_expr(plan, graph, r.from, "p");
        let child = key_expr(plan, graph, r.to, "c");
        // `related` is a `Vec` or an `Option`: both iterate.
        let collect = format!(
            "related.iter().map(|c| serde_json::Value::String({child})).collect::<Vec<_>>()"
        );
        writeln!(
            out,
            "    let mut m = serde_json::Map::new();\n    for p in t{}.iter(){} {{\n        let related = p.load_{}(db){wait}.expect(\"load {name}\");\n        m.insert({parent}, serde_json::Value::Array({collect}));\n    }}\n    relations.insert({name:?}.into(), serde_json::Value::Object(m));",
            r.from.0,
            rows_of(graph, plan, r),
            r.name
        )
        .unwrap();
    }
    out.push_str("    serde_json::json!({ \"rows\": rows, \"relations\": relations })\n}\n\n");
    writeln!(out, "pub {asyncness}fn copy(from: {db}, to: {db}) {{").unwrap();
    for t in insert_order(graph) {
        let table = graph.table(TableId(t));
        writeln!(
            out,
            "    for r in models::{}::all(from){wait}.expect(\"read {}\") {{\n        r.insert(to){wait}.expect(\"insert into {}\");\n    }}",
            plan.tables[t].name,
            table.fullname(),
            table.fullname()
        )
        .unwrap();
    }
    out.push_str("}\n");
    out
}

fn sqlx_main(krate: &str, modules: &[String]) -> String {
    let open = r#"async fn open(path: &str, schemas: &[&str]) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let attach = attach(path, schemas);
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            let attach = attach.clone();
            Box::pin(async move {
                for statement in &attach {
                    sqlx::Executor::execute(&mut *conn, sqlx::AssertSqlSafe(statement.clone())).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .expect("open the database")
}"#;
    test_main(krate, modules, "sqlx code", open, true)
}

/// `.filter(...)` keeping the rows of the relationship's class, when it is a single-table
/// subclass (SQLAlchemy lists its instances only).
fn rows_of(graph: &Graph, plan: &OrmPlan, r: &RelationPlan) -> String {
    let Some(d) = &r.from_rows else {
        return String::new();
    };
    let field = field_ident(&plan.tables[r.from.0].fields[d.column]);
    let values: Vec<String> = d
        .identities
        .iter()
        .map(|i| match i {
            sa2rs::ir::Identity::Str(s) => format!("{s:?}"),
            sa2rs::ir::Identity::Int(n) => n.to_string(),
        })
        .collect();
    let pattern = values.join(" | ");
    let is_str = matches!(d.identities.first(), Some(sa2rs::ir::Identity::Str(_)));
    match (graph.table(r.from).columns[d.column].nullable, is_str) {
        (false, true) => format!(".filter(|p| matches!(p.{field}.as_str(), {pattern}))"),
        (true, true) => format!(".filter(|p| matches!(p.{field}.as_deref(), Some({pattern})))"),
        (false, false) => format!(".filter(|p| matches!(p.{field}, {pattern}))"),
        (true, false) => format!(".filter(|p| matches!(p.{field}, Some({pattern})))"),
    }
}

/// `attach(path, schemas)` in every test crate's `main.rs`: the `ATTACH` statements of a
/// database's schema files.
const ATTACH: &str = r#"fn attach(path: &str, schemas: &[&str]) -> Vec<String> {
    schemas
        .iter()
        .map(|s| format!("ATTACH DATABASE '{}.{}' AS \"{}\"", path.replace('\'', "''"), s, s))
        .collect()
}"#;

/// The `main.rs` of a target's test crate: `FIXTURE dump DB` / `FIXTURE copy DB TO`, with
/// `open` opening a database (`async`, and shared as `&`, or not, and borrowed as `&mut`).
fn test_main(krate: &str, modules: &[String], what: &str, open: &str, is_async: bool) -> String {
    let (main, wait, borrow) = if is_async {
        (
            "#[tokio::main(flavor = \"current_thread\")]\nasync fn main()",
            ".await",
            "&",
        )
    } else {
        ("fn main()", "", "&mut ")
    };
    let mut out = format!("#![deny(warnings)]\n//! Dumps or copies a fixture's database with its generated {what}.\n\nuse {krate}::*;\n\n{open}\n\n{ATTACH}\n\n{main} {{\n");
    out.push_str(
        r#"    let args: Vec<String> = std::env::args().collect();
    let [_, fixture, command, db, rest @ ..] = args.as_slice() else {
        panic!("usage: FIXTURE dump DB | FIXTURE copy DB TO");
    };
    match (fixture.as_str(), command.as_str()) {
"#,
    );
    for m in modules {
        let open = |path: &str| format!("{borrow}open({path}, {m}::SCHEMAS){wait}");
        writeln!(
            out,
            "        ({m:?}, \"dump\") => println!(\"{{}}\", {m}::dump({}){wait}),\n        ({m:?}, \"copy\") => {m}::copy({}, {}){wait},",
            open("db"),
            open("db"),
            open("&rest[0]"),
        )
        .unwrap();
    }
    out.push_str("        _ => panic!(\"unknown fixture or command\"),\n    }\n}\n");
    out
}

const SQLX_SUPPORT: &str = r#"
impl Dump for sqlx::types::Json<serde_json::Value> {
    fn dump(&self) -> Value {
        self.0.clone()
    }
}
"#;

const SQLX_DEPENDENCIES: &str = r#"sqlx = { version = "0.9", default-features = false, features = ["sqlite", "runtime-tokio", "derive", "chrono", "uuid", "json"] }
tokio = { version = "1", features = ["rt", "macros"] }
serde_json = "1"
chrono = { version = "0.4", default-features = false }
uuid = { version = "1", default-features = false }
"#;

#[test]
fn sqlx_reads_and_writes_what_sqlalchemy_does() {
    e2e(&Harness {
        target: Target::Sqlx,
        name: "sqlx",
        tree: false,
        dependencies: SQLX_DEPENDENCIES,
        driver: sqlx_driver,
        support: SQLX_SUPPORT,
        main: sqlx_main,
    });
}

// ---- Diesel -------------------------------------------------------------------------------------

fn diesel_main(krate: &str, modules: &[String]) -> String {
    let open = r#"fn open(path: &str, schemas: &[&str]) -> diesel::sqlite::SqliteConnection {
    use diesel::{Connection, RunQueryDsl};
    let mut conn = diesel::sqlite::SqliteConnection::establish(path).expect("open the database");
    for statement in attach(path, schemas) {
        diesel::sql_query(statement).execute(&mut conn).expect("attach a schema");
    }
    conn
}"#;
    test_main(krate, modules, "Diesel code", open, false)
}

const DIESEL_SUPPORT: &str = "";

const DIESEL_DEPENDENCIES: &str = r#"diesel = { version = "2.3", default-features = false, features = ["sqlite", "chrono", "32-column-tables"] }
libsqlite3-sys = { version = "0.37", features = ["bundled"] }
serde_json = "1"
chrono = { version = "0.4", default-features = false }
uuid = { version = "1", default-features = false }
"#;

#[test]
fn diesel_reads_and_writes_what_sqlalchemy_does() {
    e2e(&Harness {
        target: Target::Diesel,
        name: "diesel",
        tree: false,
        dependencies: DIESEL_DEPENDENCIES,
        driver: diesel_driver,
        support: DIESEL_SUPPORT,
        main: diesel_main,
    });
}

// ---- SeaORM -------------------------------------------------------------------------------------

fn sea_orm_driver(graph: &Graph, files: &SourceFiles, plan: &OrmPlan) -> Driver {
    sea_orm_driver_in(graph, files, plan, false)
}

fn sea_orm_expanded_driver(graph: &Graph, files: &SourceFiles, plan: &OrmPlan) -> Driver {
    sea_orm_driver_in(graph, files, plan, true)
}

/// The SeaORM driver: relations loaded with `Entity::load().with(...)` (dense) or
/// `find_linked` (expanded).
fn sea_orm_driver_in(graph: &Graph, files: &SourceFiles, plan: &OrmPlan, expanded: bool) -> Driver {
    let mut diags = Vec::new();
    let fields = sa2rs::emit::sea_orm::relation_fields(graph, files, plan, &mut diags);
    let mut out = String::from(
        "#[allow(unused_imports)]\nuse sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, ModelTrait};\n\npub async fn dump(db: &sea_orm::DatabaseConnection) -> serde_json::Value {\n    let mut rows = serde_json::Map::new();\n    #[allow(unused_mut)]\n    let mut relations = serde_json::Map::new();\n",
    );
    out.push_str(&dump_rows(graph, plan, true, |t| {
        format!(
            "models::{}::Entity::find().all(db).await",
            plan.tables[t].module
        )
    }));
    let mut kept = Vec::new();
    for (r, field) in plan.relations.iter().zip(&fields) {
        let Some(field) = field else { continue };
        let name = relation_key(graph, plan, r);
        let from = &plan.tables[r.from.0].module;
        let with = match &field.relation_enum {
            Some(v) => format!("models::{from}::Relation::{v}"),
            None => format!("models::{}::Entity", plan.tables[r.to.0].module),
        };
        let iter = if r.many {
            "iter()"
        } else {
            "as_ref().into_iter()"
        };
        let parent = key_expr(plan, graph, r.from, "p");
        let child = key_expr(plan, graph, r.to, "c");
        kept.push(name.clone());
        if expanded {
            writeln!(
                out,
                "    let mut m = serde_json::Map::new();\n    for p in &t{} {{\n        let related = p.find_linked(models::{from}::{}).all(db).await.expect(\"load {name}\");\n        m.insert({parent}, serde_json::Value::Array(related.iter().map(|c| serde_json::Value::String({child})).collect()));\n    }}\n    relations.insert({name:?}.into(), serde_json::Value::Object(m));",
                r.from.0, field.link
            )
            .unwrap();
            continue;
        }
        writeln!(
            out,
            "    let loaded = models::{from}::Entity::load().with({with}).all(db).await.expect(\"load {name}\");\n    let mut m = serde_json::Map::new();\n    for p in &loaded {{\n        m.insert({parent}, serde_json::Value::Array(p.{}.{iter}.map(|c| serde_json::Value::String({child})).collect()));\n    }}\n    relations.insert({name:?}.into(), serde_json::Value::Object(m));",
            field_ident(&field.field)
        )
        .unwrap();
    }
    out.push_str("    serde_json::json!({ \"rows\": rows, \"relations\": relations })\n}\n\n");
    out.push_str("pub async fn copy(from: &sea_orm::DatabaseConnection, to: &sea_orm::DatabaseConnection) {\n");
    for t in insert_order(graph) {
        let table = graph.table(TableId(t));
        writeln!(
            out,
            "    for r in models::{m}::Entity::find().all(from).await.expect(\"read {n}\") {{\n        models::{m}::Entity::insert(r.into_active_model().reset_all()).exec_without_returning(to).await.expect(\"insert into {n}\");\n    }}",
            m = plan.tables[t].module,
            n = table.fullname(),
        )
        .unwrap();
    }
    out.push_str("}\n");
    Driver {
        text: out,
        kept,
        left_out: diags.len(),
    }
}

fn sea_orm_main(krate: &str, modules: &[String]) -> String {
    let open = r#"async fn open(path: &str, schemas: &[&str]) -> sea_orm::DatabaseConnection {
    use sea_orm::ConnectionTrait;
    let mut options = sea_orm::ConnectOptions::new(format!("sqlite:{path}?mode=rw"));
    options.max_connections(1).min_connections(1).sqlx_logging(false);
    let db = sea_orm::Database::connect(options).await.expect("open the database");
    for statement in attach(path, schemas) {
        db.execute_unprepared(&statement).await.expect("attach a schema");
    }
    db
}"#;
    test_main(krate, modules, "SeaORM entities", open, true)
}

const SEA_ORM_SUPPORT: &str = r#"
impl Dump for rust_decimal::Decimal {
    fn dump(&self) -> Value {
        Value::String(self.to_string())
    }
}

impl Dump for sea_orm::entity::prelude::TextUuid {
    fn dump(&self) -> Value {
        self.0.dump()
    }
}
"#;

const SEA_ORM_DEPENDENCIES: &str = r#"sea-orm = { version = "2.0.4", default-features = false, features = ["macros", "sqlx-sqlite", "runtime-tokio", "with-chrono", "with-rust_decimal", "with-uuid", "with-json"] }
tokio = { version = "1", features = ["rt", "macros"] }
serde_json = "1"
chrono = { version = "0.4", default-features = false }
uuid = { version = "1", default-features = false }
rust_decimal = { version = "1", default-features = false }
"#;

#[test]
fn sea_orm_reads_and_writes_what_sqlalchemy_does() {
    e2e(&Harness {
        target: Target::SeaOrm,
        name: "sea-orm",
        // The layout sea-orm-cli writes: `mod.rs`, `prelude.rs`, a file per entity.
        tree: true,
        dependencies: SEA_ORM_DEPENDENCIES,
        driver: sea_orm_driver,
        support: SEA_ORM_SUPPORT,
        main: sea_orm_main,
    });
}

#[test]
fn sea_orm_expanded_reads_and_writes_what_sqlalchemy_does() {
    e2e(&Harness {
        target: Target::SeaOrmExpanded,
        name: "sea-orm-expanded",
        tree: false,
        dependencies: SEA_ORM_DEPENDENCIES,
        support: SEA_ORM_SUPPORT,
        driver: sea_orm_expanded_driver,
        main: sea_orm_main,
    });
}

// ---- Every fixture ------------------------------------------------------------------------------

/// Beyond the fixtures proved on a database: every fixture's output, for every target, compiles
/// against the real crate with `#![deny(warnings)]` (`cargo check`, one crate per target).
#[test]
fn every_fixture_compiles_for_every_target() {
    if python().is_none() {
        // Without the venv the end-to-end tests are skipped too; so is this, as they share the
        // workspace and its first build.
        return;
    }
    let _workspace = WORKSPACE.lock().unwrap_or_else(|e| e.into_inner());
    let ws = workspace();
    write_workspace(&ws);
    let targets = [
        (Target::Sqlx, "sqlx", SQLX_DEPENDENCIES),
        (Target::Diesel, "diesel", DIESEL_DEPENDENCIES),
        (Target::SeaOrm, "sea-orm", SEA_ORM_DEPENDENCIES),
        (
            Target::SeaOrmExpanded,
            "sea-orm-expanded",
            SEA_ORM_DEPENDENCIES,
        ),
    ];
    let mut packages = Vec::new();
    for (target, name, dependencies) in targets {
        let dir = ws.join(format!("check-{name}"));
        let src = dir.join("src");
        let _ = std::fs::remove_dir_all(&src);
        std::fs::create_dir_all(&src).expect("create the check crate");
        std::fs::write(
            dir.join("Cargo.toml"),
            format!("[package]\nname = \"check-{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{dependencies}"),
        )
        .expect("write the check crate manifest");
        let mut lib = String::from("#![deny(warnings)]\n//! Every fixture's generated code.\n\n");
        let mut modules = 0;
        for path in common::fixtures() {
            if common::is_error_fixture(&path) {
                continue;
            }
            let stem = common::stem(&path);
            let code = common::run_fixture(&path, Emit::Target(target))
                .output
                .unwrap_or_else(|| panic!("{stem}: no {name} output"));
            std::fs::write(src.join(format!("f_{stem}.rs")), code).expect("write a module");
            writeln!(lib, "pub mod f_{stem};").expect("write to string");
            modules += 1;
        }
        assert!(modules > 40, "{name}: {modules} fixtures");
        std::fs::write(src.join("lib.rs"), lib).expect("write lib.rs");
        packages.push(format!("check-{name}"));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["check", "--quiet"])
        .arg("--manifest-path")
        .arg(ws.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir(&ws));
    for p in &packages {
        cmd.args(["-p", p]);
    }
    run(&mut cmd);
}
