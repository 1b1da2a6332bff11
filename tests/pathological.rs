//! Pathological inputs, generated here rather than committed: huge files, deep nesting, long
//! attribute chains, cycles of foreign keys and of class aliases, NUL bytes. None may panic,
//! overflow the stack or hang; each gets a diagnostic or output, and `-o` writes nothing on
//! error. (`tests/cli.rs` has the first nesting and NUL-byte cases; the times these take are
//! in README.md, measured, not asserted.)

use std::path::Path;
use std::time::Duration;

mod common;

use common::binary::{self, Run};

use sa2rs::emit::sql::Dialect;
use sa2rs::{Emit, Input};

/// A hang is a failure, not a stuck test suite (the 50 MB inputs take a few seconds in the
/// test profile).
const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `sa2rs --color never ARGS` in `cwd`.
fn sa2rs(cwd: &Path, args: &[&str]) -> Run {
    let mut cmd = binary::command();
    cmd.args(["--color", "never"]).args(args).current_dir(cwd);
    let run = binary::run(cmd, TIMEOUT);
    assert!(
        run.code.is_some(),
        "killed by a signal (a stack overflow?); stderr: {}",
        head(&run.stderr)
    );
    assert!(
        run.code != Some(101) && !run.stderr.contains("panicked"),
        "the binary panicked:\n{}",
        head(&run.stderr)
    );
    run
}

/// The start of `s`, for messages (some of these inputs quote very long lines).
fn head(s: &str) -> &str {
    let mut at = s.len().min(3000);
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    &s[..at]
}

/// Runs `sa2rs` on `source` (written as `dir/name`) twice: to standard output, then with
/// `-o out.rs`. Checks that the exit codes agree and that `out.rs` exists exactly when the
/// run succeeded; returns the first run.
fn port(dir: &Path, name: &str, source: impl AsRef<[u8]>) -> Run {
    std::fs::write(dir.join(name), source).unwrap();
    let run = sa2rs(dir, &[name]);
    let out = dir.join("out.rs");
    let _ = std::fs::remove_file(&out);
    let to_file = sa2rs(dir, &["-o", "out.rs", name]);
    assert_eq!(run.code, to_file.code, "{}", head(&to_file.stderr));
    assert!(to_file.stdout.is_empty());
    if run.code == Some(0) {
        assert_eq!(std::fs::read_to_string(&out).unwrap(), run.stdout);
        std::fs::remove_file(&out).unwrap();
    } else {
        assert!(!out.exists(), "`-o` wrote a file on error");
    }
    // Nothing else is left behind (no temporary file).
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, [name], "files left in the directory");
    std::fs::remove_file(dir.join(name)).unwrap();
    run
}

const HEADER: &str = "\
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

";

const USER: &str = "
class User(Base):
    __tablename__ = \"users\"
    id = Column(Integer, primary_key=True)
    name = Column(String)
";

/// 100,000 levels of brackets of each kind, and of calls, inside a model's column: the parser's
/// recursion runs on the pipeline's large stack, and lowering stops at `MAX_DEPTH` (W0010).
/// (`tests/cli.rs` has lists and unary minus at module level.)
#[test]
fn nested_brackets_in_a_column() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    for (open, close) in [("(", ")"), ("[", "]"), ("{", "}"), ("f(", ")")] {
        let deep = format!("{}1{}", open.repeat(n), close.repeat(n));
        let source = format!("{HEADER}{USER}    deep = Column(Integer, default={deep})\n");
        let run = port(dir.path(), "models.py", source);
        assert!(
            matches!(run.code, Some(0 | 1)),
            "{open}: exit {:?}: {}",
            run.code,
            head(&run.stderr)
        );
        if run.code == Some(0) {
            assert!(run.stdout.contains("pub struct User {"), "{open}");
            // Parentheses only group: `((1))` is the node `1`, nested no deeper.
            if open != "(" {
                assert!(run.stderr.contains("warning[W0010]"), "{open}");
            }
        } else {
            assert!(run.stderr.contains("error[E0001]"), "{open}");
        }
    }
}

/// A 10,000-deep attribute chain `a.b0.b1...` as a column's argument and at module level: read
/// to `MAX_DEPTH` (W0010), the model is still ported.
#[test]
fn attribute_chain_ten_thousand_deep() {
    let dir = tempfile::tempdir().unwrap();
    let chain: String = std::iter::once("a".to_owned())
        .chain((0..10_000).map(|i| format!("b{i}")))
        .collect::<Vec<_>>()
        .join(".");
    let in_column = format!("{HEADER}{USER}    chained = Column(String({chain}))\n");
    let at_module = format!("{HEADER}X = {chain}\n{USER}    chained = Column(X)\n");
    for (what, source) in [("column", in_column), ("module", at_module)] {
        let run = port(dir.path(), "models.py", source);
        assert_eq!(run.code, Some(0), "{what}: {}", head(&run.stderr));
        assert!(run.stderr.contains("warning[W0010]"), "{what}");
        assert!(
            run.stdout.contains("pub chained: Option<String>,"),
            "{what}"
        );
    }
}

/// A file of 50 MB: a giant comment, then a giant string, each with a model after it. Both are
/// ported; the time they take is measured in README.md, not asserted.
#[test]
fn fifty_megabytes() {
    let dir = tempfile::tempdir().unwrap();
    let size = 50 * 1024 * 1024;
    let line = format!("# {}\n", "x".repeat(77));
    let comment = format!("{HEADER}{}{USER}", line.repeat(size / line.len()));
    let string = format!("{HEADER}DOC = \"{}\"\n{USER}", "y".repeat(size));
    for (what, source) in [("comment", comment), ("string", string)] {
        assert!(source.len() >= size);
        let run = port(dir.path(), "models.py", source);
        assert_eq!(run.code, Some(0), "{what}: {}", head(&run.stderr));
        assert!(run.stdout.contains("pub struct User {"), "{what}");
    }
}

/// A file of NUL bytes, 1 MB: a syntax error at the first byte, and nothing written.
#[test]
fn a_megabyte_of_nul_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let run = port(dir.path(), "nul.py", vec![0u8; 1 << 20]);
    assert_eq!(run.code, Some(1), "{}", head(&run.stderr));
    assert!(run.stderr.contains("error[E0001]"), "{}", head(&run.stderr));
    assert!(run.stderr.contains("nul.py:1:1"), "{}", head(&run.stderr));
    assert!(run.stdout.is_empty());
}

/// Foreign keys and relationships in a cycle (`A -> B -> C -> A`, and a table referring to
/// itself) resolve, and every emitter handles them: PostgreSQL's DDL adds the cycle's foreign
/// keys with `ALTER TABLE`.
#[test]
fn cyclic_foreign_keys_through_every_emitter() {
    let source = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/cyclic_relationships.py"
    ))
    .unwrap();
    for emit in Emit::all() {
        let outcome = sa2rs::run(
            vec![Input::standalone("cyclic_relationships.py", source.clone())],
            emit,
        );
        assert!(!outcome.has_errors(), "{emit:?}");
        assert!(
            outcome.output.is_some() || outcome.tree.is_some(),
            "{emit:?}"
        );
        if emit == Emit::Sql(Dialect::Postgresql) {
            let sql = outcome.output.unwrap();
            assert!(sql.contains("ALTER TABLE"), "{sql}");
        }
    }
}

/// A class that inherits from itself through an alias: `B = A` above `class A(B)` (a
/// `NameError` in Python), `X = A` between two classes `A` (the second is a subclass of the
/// first: two classes of one name, E0120), and aliases bound to each other. Each is read in one
/// pass, with a diagnostic or output.
#[test]
fn classes_inheriting_themselves_through_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let a =
        "class A(Base):\n    __tablename__ = \"a\"\n    id = Column(Integer, primary_key=True)\n";
    let sub = "    __tablename__ = \"a2\"\n    id = Column(Integer, ForeignKey(\"a.id\"), primary_key=True)\n";

    // `B` is bound to an unbound name: `class A(B)` has no declarative base.
    let before = format!("{HEADER}B = A\n\nclass A(B):\n{sub}");
    let run = port(dir.path(), "models.py", before);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("warning[W0011]"), "{}", run.stderr);

    // The second `A` subclasses the first through `X`.
    let between = format!("{HEADER}{a}\nX = A\n\nclass A(X):\n{sub}");
    let run = port(dir.path(), "models.py", between);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("error[E0120]"), "{}", run.stderr);

    // Aliases rebound to each other, and a name rebound to its own alias.
    let rebound = format!("{HEADER}{a}\nX = A\nA = X\nY = A\nX = Y\n\nclass B(X):\n{sub}");
    let run = port(dir.path(), "models.py", rebound);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("pub struct B {"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Entity::B => Some(Entity::A)"),
        "{}",
        run.stdout
    );

    // Aliases of each other only (`NameError` in Python): bases sa2rs cannot see.
    let mutual = format!("{HEADER}X = Y\nY = X\n\nclass A(X):\n{sub}\n\nclass B(Y, Base):\n    __tablename__ = \"b\"\n    id = Column(Integer, primary_key=True)\n");
    let run = port(dir.path(), "models.py", mutual);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("pub struct B {"), "{}", run.stdout);
    assert!(!run.stdout.contains("pub struct A {"), "{}", run.stdout);
}

/// A function that a package's modules import from each other in a cycle (`from .other
/// import f` in `naming`, `from .naming import f` in `other`), or that a module imports from
/// itself: an `ImportError` in Python. Following the imports never ends, so the call that needs
/// the function is unknown (W0600, naming the cycle) instead of overflowing the stack.
#[test]
fn functions_imported_in_a_cycle() {
    let base = "\
from sqlalchemy.orm import DeclarativeBase, declared_attr

from .naming import table_name


class Base(DeclarativeBase):
    @declared_attr.directive
    def __tablename__(cls):
        return table_name(cls.__name__)
";
    let models = "\
from sqlalchemy import Column, Integer

from .base import Base


class User(Base):
    id = Column(Integer, primary_key=True)
";
    let cycles: [&[(&str, &str)]; 2] = [
        &[
            ("naming.py", "from .other import table_name\n"),
            ("other.py", "from .naming import table_name\n"),
        ],
        &[("naming.py", "from .naming import table_name\n")],
    ];
    for modules in cycles {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("app");
        std::fs::create_dir(&pkg).unwrap();
        std::fs::write(pkg.join("__init__.py"), "").unwrap();
        std::fs::write(pkg.join("base.py"), base).unwrap();
        std::fs::write(pkg.join("models.py"), models).unwrap();
        for (name, source) in modules {
            std::fs::write(pkg.join(name), source).unwrap();
        }
        let run = sa2rs(dir.path(), &["app"]);
        assert_eq!(run.code, Some(0), "{}", head(&run.stderr));
        assert!(
            run.stderr.contains("warning[W0600]")
                && run.stderr.contains("`table_name` is imported in a cycle"),
            "{}",
            head(&run.stderr)
        );
    }
}

/// Module constants whose strings grow faster than the source: each would build gigabytes
/// within the evaluator's step budget. Each string is bounded, and so is the data all of a
/// module's evaluations build; the table name is then unknown (W0600).
#[test]
fn constants_that_explode() {
    let dir = tempfile::tempdir().unwrap();
    let chain = |first: &str, step: &str, n: usize| {
        let steps: String = (1..=n)
            .map(|i| format!("A{i} = {}\n", step.replace("{p}", &format!("A{}", i - 1))))
            .collect();
        format!("A0 = {first}\n{steps}T = A{n}\n")
    };
    let big = "'x' * 1048576";
    let cases = [
        chain("'xx'", "{p}.replace('x', {p})", 63),
        chain(big, "{p} + {p}", 13),
        chain(big, "'{}{}'.format({p}, {p})", 13),
        format!("A = {big}\nT = '{}'.format(A)\n", "{0}".repeat(3000)),
        format!("A = {big}\nL = [{}]\nT = L[0]\n", "A, ".repeat(3000)),
        format!(
            "A = {big}\n{}T = B0\n",
            (0..700).map(|i| format!("B{i} = A\n")).collect::<String>()
        ),
    ];
    for constants in cases {
        let source = format!(
            "{HEADER}{constants}\nclass User(Base):\n    __tablename__ = T\n    id = Column(Integer, primary_key=True)\n"
        );
        let run = port(dir.path(), "models.py", &source);
        assert_eq!(run.code, Some(0), "{}", head(&run.stderr));
        assert!(
            run.stderr.contains("warning[W0600]"),
            "{}",
            head(&run.stderr)
        );
    }
}

/// A class of 20,000 columns, and a joined subclass of it with 20,000 more: matching a
/// subclass's columns to its parent's was quadratic in the columns.
#[test]
fn twenty_thousand_columns() {
    let dir = tempfile::tempdir().unwrap();
    let columns = |prefix: &str| -> String {
        (0..20_000)
            .map(|i| format!("    {prefix}{i} = Column(Integer)\n"))
            .collect()
    };
    let source = format!(
        "{HEADER}class Wide(Base):\n    __tablename__ = \"wide\"\n    id = Column(Integer, primary_key=True)\n{}\n\nclass Wider(Wide):\n    __tablename__ = \"wider\"\n    id = Column(Integer, ForeignKey(\"wide.id\"), primary_key=True)\n{}",
        columns("a"),
        columns("b")
    );
    let run = port(dir.path(), "models.py", source);
    assert_eq!(run.code, Some(0), "{}", head(&run.stderr));
    assert!(run.stdout.contains("pub b19999: Option<i32>,"));
}

/// 5,000 tables, each with a foreign key to the one before, as a chain and as a ring: the DDL
/// puts them in dependency order (the sort was cubic in a chain's length), and a ring's
/// foreign keys go to `ALTER TABLE` on PostgreSQL.
#[test]
fn five_thousand_tables_in_a_chain_and_a_ring() {
    let n = 5_000;
    let table = |i: usize, to: usize| {
        format!("t{i} = Table(\"t{i}\", Base.metadata, Column(\"id\", Integer, primary_key=True), Column(\"p\", ForeignKey(\"t{to}.id\")))\n")
    };
    let chain: String = (0..n).map(|i| table(i, i.saturating_sub(1))).collect();
    let ring: String = (0..n).map(|i| table(i, (i + n - 1) % n)).collect();
    for (what, tables) in [("chain", chain), ("ring", ring)] {
        let source = format!("{HEADER}{tables}");
        for dialect in [Dialect::Sqlite, Dialect::Postgresql] {
            let outcome = sa2rs::run(
                vec![Input::standalone("models.py", source.clone().into_bytes())],
                Emit::Sql(dialect),
            );
            assert!(!outcome.has_errors(), "{what} {dialect:?}");
            let sql = outcome.output.unwrap();
            assert_eq!(sql.matches("CREATE TABLE").count(), n, "{what} {dialect:?}");
            let alters = sql.matches("ALTER TABLE").count();
            let expected = if what == "ring" && dialect == Dialect::Postgresql {
                n
            } else {
                0
            };
            assert_eq!(alters, expected, "{what} {dialect:?}");
        }
    }
}
