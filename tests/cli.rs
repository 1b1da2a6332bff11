//! End-to-end tests of the `sa2rs` binary: exit codes, what goes to stdout and stderr, the
//! atomic `-o` output, directory walking, colour, and hostile inputs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

use common::binary::{self, Run};

/// No single run may take longer than this; a hang is a failure, not a stuck test suite.
const TIMEOUT: Duration = Duration::from_secs(20);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Runs `sa2rs` with `args` in `cwd` (the test's own directory when `None`).
fn sa2rs_in<S: AsRef<std::ffi::OsStr>>(cwd: Option<&Path>, args: &[S]) -> Run {
    let mut cmd = binary::command();
    cmd.args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    binary::run(cmd, TIMEOUT)
}

fn sa2rs<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    sa2rs_in(None, args)
}

/// Writes `bytes` to `dir/name` (creating parent directories) and returns the path.
fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The identifiers that follow `keyword ` (e.g. `pub struct `) in `text`.
fn declared(text: &str, keyword: &str) -> BTreeSet<String> {
    text.match_indices(keyword)
        .map(|(i, _)| {
            text[i + keyword.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

const MODEL: &str = r#"from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    name = Column(String)
"#;

const OTHER_MODEL: &str = r#"from sqlalchemy import Column, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    total = Column(Integer)
"#;

// 1.
#[test]
fn syntax_error_exits_1_with_e0001_at_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    // `def f(:` -- CPython reports line 2, column 7 (the `:`).
    let path = write(
        dir.path(),
        "bad_syntax.py",
        "import os\ndef f(:\n    pass\n",
    );
    let run = sa2rs(&["--color", "never", path.to_str().unwrap()]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(run.stderr.contains("error[E0001]"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("┌─ {}:2:7\n", path.display())),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("error: 1 error reported; no output written"),
        "{}",
        run.stderr
    );

    // The fixture: `class Child(Base)` on line 18 lacks its colon; the error is at its end.
    let fixture = fixture("error_syntax.py");
    let run = sa2rs(&["--color", "never", fixture.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("error[E0001]"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("┌─ {}:18:18\n", fixture.display())),
        "{}",
        run.stderr
    );
}

// 2.
#[test]
fn non_utf8_file_exits_2_with_e0002() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "latin.py", b"x = 1\n\xff\xfe\n");
    let run = sa2rs(&["--color", "never", path.to_str().unwrap()]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(run.stderr.contains("E0002"), "{}", run.stderr);
    assert!(run.stderr.contains("UTF-8"), "{}", run.stderr);
    // Points at the offending byte: line 2, column 1.
    assert!(
        run.stderr.contains(&format!("┌─ {}:2:1\n", path.display())),
        "{}",
        run.stderr
    );
}

// 3.
#[test]
fn latin1_file_with_coding_line_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let source = b"# -*- coding: latin-1 -*-\n\
        from sqlalchemy import Column, Integer, String\n\
        from sqlalchemy.orm import declarative_base\n\
        \n\
        Base = declarative_base()\n\
        \n\
        \n\
        class Cafe(Base):\n    \
            __tablename__ = \"cafe\"\n    \
            id = Column(Integer, primary_key=True)\n    \
            name = Column(String, default=\"caf\xe9\")\n";
    let path = write(dir.path(), "cafe.py", source);
    let run = sa2rs(&[path.to_str().unwrap()]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(run.stdout.contains("pub struct Cafe {"), "{}", run.stdout);
    // The Latin-1 `\xe9` arrives as the character `é`, re-encoded as UTF-8.
    assert!(run.stdout.contains("\"café\""), "{}", run.stdout);
}

// 4.
#[test]
fn empty_file_emits_only_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "empty.py", "");
    let run = sa2rs(&[path.to_str().unwrap()]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    // An input without models is not an error, but it says so.
    assert!(
        run.stderr.contains("warning[W0011]"),
        "stderr:\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("error"), "stderr:\n{}", run.stderr);

    let out = &run.stdout;
    assert!(
        out.starts_with(&format!(
            "//! Models ported from `{}` by sa2rs.",
            path.display()
        )),
        "{out}"
    );
    assert!(out.contains("pub mod relations {"), "{out}");
    // Only the registry's own types: no model structs, no column enums.
    let structs = declared(out, "pub struct ");
    let expected: BTreeSet<String> = ["ColumnPair", "Relation"].map(String::from).into();
    assert_eq!(structs, expected, "{out}");
    let enums = declared(out, "pub enum ");
    let expected: BTreeSet<String> = ["Collection", "Entity", "Lazy", "RelationKind"]
        .map(String::from)
        .into();
    assert_eq!(enums, expected, "{out}");
    assert!(out.contains("pub enum Entity {}"), "{out}");
    assert!(
        out.contains("pub const ALL: &'static [Entity] = &[];"),
        "{out}"
    );
    assert!(
        out.contains("pub static RELATIONS: &[Relation] = &[];"),
        "{out}"
    );

    let run = sa2rs(&["--emit", "graph-json", path.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "tables": {}, "relationships": [] })
    );
}

// 5.
#[test]
fn missing_path_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no_such_models.py");
    let run = sa2rs(&[missing.to_str().unwrap()]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(run.stderr.starts_with("error:"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("`{}`", missing.display())),
        "{}",
        run.stderr
    );

    // A good file next to the missing one changes nothing: still no output at all.
    let good = fixture("classic_one_to_many.py");
    let run = sa2rs(&[good.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(run.stderr.starts_with("error:"), "{}", run.stderr);
    assert!(run.stderr.contains("no_such_models.py"), "{}", run.stderr);
}

// 6.
#[test]
fn out_file_is_not_created_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("error_unknown_target.py");
    let run = sa2rs_in(
        Some(dir.path()),
        &["--color", "never", "-o", "out.rs", input.to_str().unwrap()],
    );
    run.assert_no_panic();
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(run.stderr.contains("error[E0100]"), "{}", run.stderr);
    assert!(!dir.path().join("out.rs").exists());
    // Nothing at all was left behind: no `out.rs`, no temporary file.
    assert_eq!(entries(dir.path()), Vec::<String>::new());
}

// 6.
#[test]
fn existing_out_file_is_untouched_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let before: &[u8] = b"// hand-written, must survive\nfn keep() {}\n\xff not even UTF-8\n";
    let out = write(dir.path(), "out.rs", before);
    let input = fixture("error_unknown_target.py");
    let run = sa2rs_in(Some(dir.path()), &["-o", "out.rs", input.to_str().unwrap()]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert_eq!(std::fs::read(&out).unwrap(), before);
    assert_eq!(entries(dir.path()), ["out.rs"]);

    // The same with an input that is not even readable as text (exit 2).
    let bad = write(dir.path(), "sub/bad.py", b"\xff\n");
    let run = sa2rs_in(Some(dir.path()), &["-o", "out.rs", bad.to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), before);
    assert_eq!(entries(dir.path()), ["out.rs", "sub"]);
}

// 7.
#[test]
fn out_file_is_written_on_success() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("classic_one_to_many.py");
    let run = sa2rs_in(Some(dir.path()), &["-o", "out.rs", input.to_str().unwrap()]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    let written = std::fs::read_to_string(dir.path().join("out.rs")).unwrap();
    assert!(written.contains("pub struct Parent"), "{written}");
    assert!(written.contains("pub struct Child"), "{written}");
    assert_eq!(entries(dir.path()), ["out.rs"]);

    // The file holds exactly what stdout would have.
    let to_stdout = sa2rs(&[input.to_str().unwrap()]);
    assert_eq!(to_stdout.code, Some(0));
    assert_eq!(written, to_stdout.stdout);

    // An existing file is replaced as a whole, with no leftovers.
    let out = dir.path().join("nested").join("out.rs");
    write(dir.path(), "nested/out.rs", "x".repeat(200_000));
    let run = sa2rs(&["--out", out.to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), written);
    assert_eq!(entries(&dir.path().join("nested")), ["out.rs"]);
}

// 8.
#[test]
fn directory_is_walked_skipping_pycache_and_hidden_dirs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/users.py", MODEL);
    write(dir.path(), "billing/v2/orders.py", OTHER_MODEL);
    write(dir.path(), "billing/README.txt", "class (not python");
    write(dir.path(), "__pycache__/x.py", "class Broken(\n");
    write(dir.path(), ".hidden/y.py", "def (\n");
    write(dir.path(), "app/__pycache__/z.py", "def (\n");
    let run = sa2rs(&[
        "--color",
        "never",
        "--emit",
        "graph-json",
        dir.path().to_str().unwrap(),
    ]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(!run.stderr.contains("E0001"), "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let tables = json["tables"].as_object().expect("`tables` is an object");
    let names: BTreeSet<&str> = tables.keys().map(String::as_str).collect();
    assert_eq!(names, BTreeSet::from(["orders", "users"]), "{json}");
    assert_eq!(tables["users"]["class"], "User");
    assert_eq!(tables["orders"]["class"], "Order");

    // A skipped directory given explicitly is still walked (only *below* a walk are they
    // skipped) -- and then its syntax error is reported.
    let run = sa2rs(&[dir.path().join("__pycache__").to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(run.stderr.contains("E0001"), "{}", run.stderr);

    // A directory with no Python files in it is a usage error.
    let empty = tempfile::tempdir().unwrap();
    write(empty.path(), "notes.txt", "nothing here");
    let run = sa2rs(&[empty.path().to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.starts_with("error: no Python files found under"),
        "{}",
        run.stderr
    );
}

// 9.
#[test]
fn color_always_and_never() {
    let input = fixture("error_unknown_target.py");
    let input = input.to_str().unwrap();

    let run = sa2rs(&["--color", "always", input]);
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(run.stderr.contains("\x1b["), "{:?}", run.stderr);
    assert!(run.stderr.contains("E0100"), "{}", run.stderr);

    let run = sa2rs(&["--color", "never", input]);
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);
    assert!(run.stderr.contains("error[E0100]"), "{}", run.stderr);

    // The default, `auto`, does not colour a pipe.
    let run = sa2rs(&[input]);
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);
}

/// A pathologically nested file: the run finishes, exits 0 or 1 (never a signal or a
/// panic), and reports either the W0010 truncation warning or a syntax error.
fn assert_survives_nesting(name: &str, source: String) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), name, source);
    let started = Instant::now();
    let run = sa2rs(&["--color", "never", path.to_str().unwrap()]);
    let took = started.elapsed();
    assert!(
        run.code.is_some(),
        "killed by a signal; stderr tail: {}",
        tail(&run.stderr)
    );
    run.assert_no_panic();
    assert!(
        matches!(run.code, Some(0 | 1)),
        "exit code {:?}; stderr tail: {}",
        run.code,
        tail(&run.stderr)
    );
    assert!(
        run.stderr.contains("warning[W0010]") || run.stderr.contains("error[E0001]"),
        "stderr tail: {}",
        tail(&run.stderr)
    );
    if run.code == Some(0) {
        assert!(run.stdout.contains("pub mod relations"), "{}", run.stdout);
    }
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

fn tail(s: &str) -> &str {
    let mut at = s.len().saturating_sub(500);
    while !s.is_char_boundary(at) {
        at += 1;
    }
    &s[at..]
}

// 10.
#[test]
fn deeply_nested_lists_do_not_crash() {
    let n = 100_000;
    let source = format!("x = {}{}\n", "[".repeat(n), "]".repeat(n));
    assert_survives_nesting("lists.py", source);
}

// 10.
#[test]
fn deeply_nested_unary_minus_does_not_crash() {
    let source = format!("x = {}1\n", "-".repeat(50_000));
    assert_survives_nesting("minus.py", source);
}

// 11.
#[test]
fn nul_bytes_are_a_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "nul.py", [0u8; 64]);
    let run = sa2rs(&["--color", "never", path.to_str().unwrap()]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(run.stderr.contains("E0001"), "{}", run.stderr);
    assert!(run.stderr.contains("null bytes"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("┌─ {}:1:1\n", path.display())),
        "{}",
        run.stderr
    );
}

// 12.
#[test]
fn help_mentions_emit() {
    let run = sa2rs(&["--help"]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(run.stdout.contains("--emit"), "{}", run.stdout);
    assert!(run.stdout.contains("graph-json"), "{}", run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    // No path at all is a usage error (clap's exit code 2), not a silent success.
    let run = sa2rs::<&str>(&[]);
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn out_pointing_at_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "models.py", "x = 1\n");
    let run = sa2rs(&["-o", path.to_str().unwrap(), path.to_str().unwrap()]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
    assert!(
        run.stderr.contains("would overwrite the input"),
        "stderr:\n{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "x = 1\n");
}

#[test]
fn deep_nesting_warning_labels_one_character() {
    let dir = tempfile::tempdir().unwrap();
    let src = format!("x = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let path = write(dir.path(), "deep.py", &src);
    let run = sa2rs(&[path.to_str().unwrap()]);
    run.assert_no_panic();
    assert!(
        run.stderr.contains("warning[W0010]"),
        "stderr:\n{}",
        &run.stderr[..run.stderr.len().min(2000)]
    );
    // The source line is quoted once, but the label is a single caret, not the whole expression.
    assert!(
        run.stderr.len() < src.len() + 10_000,
        "stderr is {} bytes",
        run.stderr.len()
    );
}

#[test]
fn out_dir_writes_a_module_tree_and_replaces_only_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pkg_shop");
    let out = dir.path().join("models");
    let out_arg = format!("{}/", out.display());
    let run = sa2rs(&[fixture, "-o", &out_arg]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    for f in ["mod.rs", "relations.rs", "catalog.rs", "orders.rs"] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let root = std::fs::read_to_string(out.join("mod.rs")).unwrap();
    assert!(
        root.contains("pub mod catalog;") && root.contains("pub use self::orders::OrderLine;"),
        "{root}"
    );
    // Running again replaces the tree; nothing else is left beside it.
    std::fs::write(out.join("stale.rs"), "// old").unwrap();
    let run = sa2rs(&[fixture, "-o", &out_arg]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(!out.join("stale.rs").exists());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("models")]);
    // A directory sa2rs did not write is never replaced.
    let foreign = dir.path().join("src");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("main.rs"), "fn main() {}").unwrap();
    let run = sa2rs(&[fixture, "-o", foreign.to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
    assert!(
        run.stderr.contains("not generated by sa2rs"),
        "stderr:\n{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("main.rs")).unwrap(),
        "fn main() {}"
    );
    // The graph is one document: a directory is a usage error.
    let run = sa2rs(&[fixture, "--emit", "graph-json", "-o", &out_arg]);
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
}

#[test]
fn check_reports_a_stale_output_with_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/classic_one_to_many.py"
    );
    let out = dir.path().join("models.rs");
    let out_s = out.to_str().unwrap();
    // Missing: stale.
    let run = sa2rs(&[fixture, "-o", out_s, "--check"]);
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(!out.exists(), "--check must not write");
    // Written: up to date.
    assert_eq!(sa2rs(&[fixture, "-o", out_s]).code, Some(0));
    let run = sa2rs(&[fixture, "-o", out_s, "--check"]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty());
    // Edited by hand: stale, and the diff shows the line.
    let text = std::fs::read_to_string(&out)
        .unwrap()
        .replace("pub parent_id", "pub parent");
    std::fs::write(&out, text).unwrap();
    let run = sa2rs(&[fixture, "-o", out_s, "--check"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stdout.contains("-    pub parent: Option<i32>,"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("+    pub parent_id: Option<i32>,"),
        "{}",
        run.stdout
    );
    // A tree with a stray file is stale too.
    let pkg = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pkg_shop");
    let tree = format!("{}/tree/", dir.path().display());
    assert_eq!(sa2rs(&[pkg, "-o", &tree]).code, Some(0));
    assert_eq!(sa2rs(&[pkg, "-o", &tree, "--check"]).code, Some(0));
    std::fs::write(dir.path().join("tree/extra.rs"), "// stray\n").unwrap();
    let run = sa2rs(&[pkg, "-o", &tree, "--check"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.contains("extra.rs"), "{}", run.stdout);
}

#[test]
fn unrelated_unparsable_module_is_skipped_but_an_imported_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(app.join("scripts")).unwrap();
    std::fs::write(app.join("__init__.py"), "").unwrap();
    std::fs::write(app.join("scripts/__init__.py"), "").unwrap();
    std::fs::write(
        app.join("models.py"),
        "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass A(Base):\n    __tablename__ = 'a'\n    id = Column(Integer, primary_key=True)\n",
    )
    .unwrap();
    std::fs::write(app.join("scripts/migrate.py"), "def broken(:\n    pass\n").unwrap();
    let run = sa2rs(&["--emit", "graph-json", app.to_str().unwrap()]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(
        run.stderr.contains("warning[W0012]") && run.stderr.contains("app.scripts.migrate"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("\"a\""), "{}", run.stdout);
    // Once the models import it, it matters: an error.
    std::fs::write(
        app.join("views.py"),
        "from .scripts.migrate import broken\n",
    )
    .unwrap();
    let run = sa2rs(&["--emit", "graph-json", app.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(run.stderr.contains("error[E0001]"), "{}", run.stderr);
}

#[test]
fn targets_write_their_module_tree_and_check_it() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = fixture("classic_many_to_many.py");
    let layouts = [
        ("sqlx", vec!["mod.rs", "relations.rs"]),
        ("diesel", vec!["mod.rs", "relations.rs", "schema.rs"]),
        (
            "sea-orm",
            vec![
                "association.rs",
                "child.rs",
                "mod.rs",
                "parent.rs",
                "prelude.rs",
                "relations.rs",
            ],
        ),
    ];
    for (target, files) in layouts {
        let out = format!("{}/{target}/", dir.path().display());
        let run = sa2rs(&[fixture.to_str().unwrap(), "--target", target, "-o", &out]);
        assert_eq!(run.code, Some(0), "{target}: {}", run.stderr);
        assert_eq!(entries(&dir.path().join(target)), files, "{target}");
        let root = std::fs::read_to_string(dir.path().join(target).join("mod.rs")).unwrap();
        for file in files.iter().filter(|f| **f != "mod.rs") {
            let module = file.trim_end_matches(".rs");
            assert!(
                root.contains(&format!("pub mod {module};")),
                "{target}: mod.rs declares {module}:\n{root}"
            );
        }
        let check = sa2rs(&[
            fixture.to_str().unwrap(),
            "--target",
            target,
            "-o",
            &out,
            "--check",
        ]);
        assert_eq!(check.code, Some(0), "{target}: {}", check.stdout);
        // Another target's tree differs: stale.
        let other = if target == "sqlx" { "diesel" } else { "sqlx" };
        let check = sa2rs(&[
            fixture.to_str().unwrap(),
            "--target",
            other,
            "-o",
            &out,
            "--check",
        ]);
        assert_eq!(check.code, Some(1), "{target} checked as {other}");
    }
    let run = sa2rs(&[
        fixture.to_str().unwrap(),
        "--target",
        "sqlx",
        "--emit",
        "graph-json",
    ]);
    assert_eq!(run.code, Some(2));
    assert!(run
        .stderr
        .contains("`--target` applies to `--emit rust` only"));
}

/// Output is created as any new file or directory is (the user's umask decides), not with a
/// temporary file's private mode: a generated `models.rs` or module tree must be readable by
/// whoever can read its directory.
#[cfg(unix)]
#[test]
fn output_has_the_mode_of_a_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let plain_file = dir.path().join("plain.txt");
    std::fs::write(&plain_file, "").unwrap();
    let plain_dir = dir.path().join("plain");
    std::fs::create_dir(&plain_dir).unwrap();

    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/classic_one_to_many.py"
    );
    let out = dir.path().join("out.rs");
    let run = sa2rs(&[fixture, "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert_eq!(mode(&out), mode(&plain_file), "file mode {:o}", mode(&out));

    let pkg = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pkg_shop");
    let tree = dir.path().join("models");
    let run = sa2rs(&[pkg, "-o", &format!("{}/", tree.display())]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert_eq!(
        mode(&tree),
        mode(&plain_dir),
        "directory mode {:o}",
        mode(&tree)
    );
    assert_eq!(mode(&tree.join("mod.rs")), mode(&plain_file));
}
