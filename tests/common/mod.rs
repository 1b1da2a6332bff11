//! Helpers shared by the integration tests: the fixtures and running the pipeline on them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sa2rs::{Emit, Input, Outcome};

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `fixtures/*.py`, sorted.
pub fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(manifest_dir().join("fixtures"))
        .expect("fixtures/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    v.sort();
    v
}

pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Fixtures named `error_*` are models SQLAlchemy refuses: sa2rs must report an error too.
pub fn is_error_fixture(path: &Path) -> bool {
    stem(path).starts_with("error_")
}

/// Runs sa2rs on a fixture, naming it `fixtures/<file>` so that output is the same on every
/// machine.
pub fn run_fixture(path: &Path, emit: Emit) -> Outcome {
    let name = format!(
        "fixtures/{}",
        path.file_name()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default()
    );
    let bytes = std::fs::read(path).expect("fixture is readable");
    sa2rs::run(vec![Input { name, bytes }], emit)
}
