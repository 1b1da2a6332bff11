//! Finding input files and naming them as Python modules.
//!
//! A file's module name follows Python's rule for packages: walk up through directories that
//! hold an `__init__.py`; `app/models/user.py` in such a tree is `app.models.user`, and
//! `app/models/__init__.py` is the package `app.models`. A file outside any package is named
//! by its stem.

use std::path::{Path, PathBuf};

/// One input file: its display name, its Python module name and its raw bytes.
#[derive(Debug, Clone)]
pub struct Input {
    /// The path as the user named it (or as found below a directory they named).
    pub name: String,
    /// The dotted module name (`app.models.user`).
    pub module: String,
    /// The file is a package's `__init__.py`.
    pub is_package: bool,
    pub bytes: Vec<u8>,
}

impl Input {
    /// An input that is not part of a package: the module is named by the file's stem.
    pub fn standalone(name: impl Into<String>, bytes: Vec<u8>) -> Input {
        let name = name.into();
        let module = Path::new(&name)
            .file_stem()
            .map_or_else(|| "module".into(), |s| s.to_string_lossy().into_owned());
        Input {
            name,
            module,
            is_package: false,
            bytes,
        }
    }
}

/// Reads every input file: files as given, directories walked for `*.py` in sorted order.
/// The error is a message for the user, naming the path.
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        if meta.is_dir() {
            let before = files.len();
            walk(path, &mut files)
                .map_err(|e| format!("cannot read directory `{}`: {e}", path.display()))?;
            if files.len() == before {
                return Err(format!("no Python files found under `{}`", path.display()));
            }
        } else {
            files.push(path.clone());
        }
    }
    files
        .into_iter()
        .map(|p| {
            let bytes =
                std::fs::read(&p).map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
            let (module, is_package) = module_name(&p);
            Ok(Input {
                name: p.display().to_string(),
                module,
                is_package,
                bytes,
            })
        })
        .collect()
}

/// The Python module name of a file, and whether it is a package's `__init__.py`.
pub fn module_name(path: &Path) -> (String, bool) {
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let is_package = stem == "__init__";
    let mut parts = if is_package { Vec::new() } else { vec![stem] };
    let mut dir = std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    // Bounded: a path has finitely many ancestors, but be explicit about it.
    for _ in 0..256 {
        let Some(d) = dir else { break };
        if !d.join("__init__.py").is_file() {
            break;
        }
        match d.file_name() {
            Some(n) => parts.push(n.to_string_lossy().into_owned()),
            None => break,
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    parts.reverse();
    if parts.is_empty() {
        parts.push("__init__".into());
    }
    (parts.join("."), is_package)
}

/// Collects `*.py` files below `dir`, sorted, skipping hidden files and directories and
/// `__pycache__`, without following symbolic links to directories.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if !name.starts_with('.') && name != "__pycache__" {
                walk(&path, out)?;
            }
        } else if name.ends_with(".py")
            && !name.starts_with('.')
            && (kind.is_file() || path.is_file())
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_follow_packages() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("app").join("models");
        std::fs::create_dir_all(&pkg).unwrap();
        for f in [
            "app/__init__.py",
            "app/models/__init__.py",
            "app/models/user.py",
        ] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        assert_eq!(
            module_name(&pkg.join("user.py")),
            ("app.models.user".into(), false)
        );
        assert_eq!(
            module_name(&pkg.join("__init__.py")),
            ("app.models".into(), true)
        );
        std::fs::write(dir.path().join("loose.py"), "").unwrap();
        assert_eq!(
            module_name(&dir.path().join("loose.py")),
            ("loose".into(), false)
        );
    }
}
