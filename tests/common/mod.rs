//! Helpers shared by the integration tests: the fixtures and running the pipeline on them.

#![allow(dead_code)]

pub mod binary;
pub mod python;

use std::path::{Path, PathBuf};

use sa2rs::{Emit, Input, Outcome};

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every fixture, sorted: the files `fixtures/*.py` and the packages `fixtures/*/__init__.py`
/// (directories, run as a whole).
pub fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(manifest_dir().join("fixtures"))
        .expect("fixtures/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "py") || p.join("__init__.py").is_file())
        .collect();
    v.sort();
    v
}

/// The package fixtures only.
pub fn package_fixtures() -> Vec<PathBuf> {
    fixtures().into_iter().filter(|p| p.is_dir()).collect()
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

/// Runs sa2rs on a fixture (a file, or a package directory as a whole), naming files
/// `fixtures/...` so that output is the same on every machine.
pub fn run_fixture(path: &Path, emit: Emit) -> Outcome {
    if path.is_dir() {
        let root = manifest_dir();
        let mut inputs =
            sa2rs::inputs::read_paths(&[path.to_path_buf()]).expect("package is readable");
        for input in &mut inputs {
            if let Ok(rel) = Path::new(&input.name).strip_prefix(&root) {
                input.name = rel.display().to_string();
            }
        }
        return sa2rs::run(inputs, emit);
    }
    let name = format!(
        "fixtures/{}",
        path.file_name()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default()
    );
    let bytes = std::fs::read(path).expect("fixture is readable");
    sa2rs::run(vec![Input::standalone(name, bytes)], emit)
}

/// Runs sa2rs on one standalone module `models.py` holding `source`, for the graph.
pub fn run_source(source: &str) -> Outcome {
    sa2rs::run(
        vec![Input::standalone("models.py", source.as_bytes().to_vec())],
        Emit::GraphJson,
    )
}

/// The codes of every diagnostic, in the order reported.
pub fn codes(out: &Outcome) -> Vec<String> {
    out.diagnostics
        .iter()
        .filter_map(|d| d.code.clone())
        .collect()
}
