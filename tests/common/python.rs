//! The Python side of the tests: real SQLAlchemy, pinned, in a venv under `target/`.

use std::path::{Path, PathBuf};
use std::process::Command;

const REQUIREMENTS: &[&str] = &[
    "sqlalchemy==2.1.9",
    "flask-sqlalchemy==3.1.1",
    "sqlalchemy-utils==0.43.0",
];

/// The Python with SQLAlchemy: `SA2RS_PYTHON`, or the venv under `target/`, created on
/// first use.
pub fn venv_python() -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var("SA2RS_PYTHON") {
        return Ok(PathBuf::from(p));
    }
    let venv = super::manifest_dir().join("target").join("sqla-venv");
    let python = venv.join("bin").join("python");
    let ready = |py: &Path| {
        Command::new(py)
            .args([
                "-c",
                "import sqlalchemy, flask_sqlalchemy, sqlalchemy_utils; assert sqlalchemy.__version__ == '2.1.9'",
            ])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ready(&python) {
        return Ok(python);
    }
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{cmd:?} failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "--quiet"])
        .args(REQUIREMENTS))?;
    if ready(&python) {
        Ok(python)
    } else {
        Err("SQLAlchemy 2.1.9 is not importable in the new venv".into())
    }
}

/// Field-level differences between two JSON values, as `path: sa2rs=… sqlalchemy=…` lines.
/// The Python with SQLAlchemy, or `None` (the test `what` is skipped) when it cannot be set
/// up; under `CI=true` that fails the test instead.
pub fn sqlalchemy(what: &str) -> Option<PathBuf> {
    match venv_python() {
        Ok(p) => Some(p),
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true and SQLAlchemy cannot be set up: {why}")
        }
        Err(why) => {
            eprintln!("skipping {what}: SQLAlchemy cannot be set up: {why}");
            None
        }
    }
}

/// What `tests/sqla/dump_graph.py FLAGS FIXTURES` prints: one JSON object mapping each
/// fixture path, as given, to its graph or error (and, with `--enums` / `--ddl`, more).
pub fn dump_graph(python: &Path, flags: &[&str], fixtures: &[PathBuf]) -> serde_json::Value {
    let out = Command::new(python)
        .arg(super::manifest_dir().join("tests/sqla/dump_graph.py"))
        .args(flags)
        .args(fixtures)
        .output()
        .expect("the harness runs");
    assert!(
        out.status.success(),
        "harness failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the harness prints JSON")
}
