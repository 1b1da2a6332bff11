//! The `sa2rs` command line: reads files, runs the pipeline, writes the output atomically, and
//! turns diagnostics into exit codes (0: fine, 1: errors reported, 2: usage or I/O failure).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use sa2rs::{diagnostics, Emit};

/// Port SQLAlchemy declarative models to Rust: structs, a typed relation registry, and
/// diagnostics for whatever cannot be ported. sa2rs reads Python; it never runs it.
#[derive(Parser, Debug)]
#[command(name = "sa2rs", version, about)]
struct Cli {
    /// Python files, or directories (every `*.py` below them, in sorted order).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// What to generate.
    #[arg(long, value_enum, default_value_t = EmitArg::Rust)]
    emit: EmitArg,

    /// The library the generated Rust uses (with `--emit rust`).
    #[arg(long, value_enum, default_value_t = TargetArg::Plain)]
    target: TargetArg,

    /// The SeaORM entity format (with `--target sea-orm`): `dense` (SeaORM 2's
    /// `#[sea_orm::model]`), or `expanded` (`Relation` enum, `Related` and `Linked` impls).
    #[arg(long, value_enum, default_value_t = SeaOrmFormat::Dense)]
    sea_orm_format: SeaOrmFormat,

    /// The SQL dialect of `--emit sql`.
    #[arg(long, value_enum, default_value_t = DialectArg::Sqlite)]
    dialect: DialectArg,

    /// Write the output to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Do not write: exit 1 with a unified diff when the file or directory at `-o` differs
    /// from what would be generated now (0 when it is up to date).
    #[arg(long, requires = "out")]
    check: bool,

    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EmitArg {
    /// Rust structs, enums and the relation registry.
    Rust,
    /// The resolved relationship graph as JSON.
    GraphJson,
    /// The `CREATE TABLE` and `CREATE INDEX` DDL, in dependency order (see `--dialect`).
    Sql,
    /// A Mermaid entity-relationship diagram (`erDiagram`) of the tables and relationships.
    Mermaid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DialectArg {
    Sqlite,
    Postgresql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TargetArg {
    /// Plain structs, enums and the relation registry; no database crate.
    Plain,
    /// `sqlx::FromRow` structs, queries and an async loader per relationship.
    Sqlx,
    /// Diesel's `table!` schema, model structs and a loader per relationship.
    Diesel,
    /// SeaORM 2 entities (dense format), a relation field per relationship.
    SeaOrm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SeaOrmFormat {
    Dense,
    Expanded,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorArg::Always => ColorChoice::Always,
        ColorArg::Never => ColorChoice::Never,
        ColorArg::Auto if std::io::stderr().is_terminal() => ColorChoice::Auto,
        ColorArg::Auto => ColorChoice::Never,
    };
    let mut stderr = StandardStream::stderr(color);

    if let Some(out) = &cli.out {
        if let Some(clash) = clobbers_input(out, &cli.paths) {
            let _ = writeln!(
                stderr,
                "error: `-o {}` would overwrite the input `{}`",
                out.display(),
                clash.display()
            );
            return ExitCode::from(2);
        }
    }
    let inputs = match sa2rs::inputs::read_paths(&cli.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            let _ = writeln!(stderr, "error: {message}");
            return ExitCode::from(2);
        }
    };
    // `-o DIR/` (or an existing directory) asks for a module tree.
    let tree_out = cli
        .out
        .as_ref()
        .filter(|p| p.is_dir() || p.as_os_str().to_string_lossy().ends_with('/'));
    let target = match cli.target {
        TargetArg::Plain => None,
        TargetArg::Sqlx => Some(sa2rs::Target::Sqlx),
        TargetArg::Diesel => Some(sa2rs::Target::Diesel),
        TargetArg::SeaOrm => Some(match cli.sea_orm_format {
            SeaOrmFormat::Dense => sa2rs::Target::SeaOrm,
            SeaOrmFormat::Expanded => sa2rs::Target::SeaOrmExpanded,
        }),
    };
    if target.is_some() && cli.emit != EmitArg::Rust {
        let _ = writeln!(stderr, "error: `--target` applies to `--emit rust` only");
        return ExitCode::from(2);
    }
    let emit = match (cli.emit, tree_out) {
        (EmitArg::Rust, None) => match target {
            Some(t) => Emit::Target(t),
            None => Emit::Rust,
        },
        (EmitArg::Rust, Some(_)) => match target {
            Some(t) => Emit::TargetTree(t),
            None => Emit::RustTree,
        },
        (EmitArg::GraphJson, None) => Emit::GraphJson,
        (EmitArg::Mermaid, None) => Emit::Mermaid,
        (EmitArg::Sql, None) => Emit::Sql(match cli.dialect {
            DialectArg::Sqlite => sa2rs::emit::sql::Dialect::Sqlite,
            DialectArg::Postgresql => sa2rs::emit::sql::Dialect::Postgresql,
        }),
        (one_file, Some(dir)) => {
            let name = one_file
                .to_possible_value()
                .map(|v| v.get_name().to_owned())
                .unwrap_or_default();
            let _ = writeln!(
                stderr,
                "error: `--emit {name}` writes one file, but `{}` is a directory",
                dir.display()
            );
            return ExitCode::from(2);
        }
    };
    let outcome = sa2rs::run(inputs, emit);
    let _ = diagnostics::render(&outcome.files, &outcome.diagnostics, &mut stderr);

    let errors = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity >= codespan_reporting::diagnostic::Severity::Error)
        .count();
    let warnings = outcome.diagnostics.len() - errors;
    if errors > 0 || (outcome.output.is_none() && outcome.tree.is_none()) {
        let _ = writeln!(
            stderr,
            "error: {} reported; no output written",
            plural(errors, "error")
        );
        return ExitCode::from(if outcome.unreadable { 2 } else { 1 });
    }
    if warnings > 0 {
        let _ = writeln!(stderr, "warning: {} reported", plural(warnings, "warning"));
    }
    if cli.check {
        let Some(out) = &cli.out else {
            return ExitCode::from(2);
        };
        let expected: Vec<(PathBuf, String)> = match (&outcome.output, &outcome.tree) {
            (_, Some(tree)) => tree
                .iter()
                .map(|f| (out.join(&f.path), f.contents.clone()))
                .collect(),
            (Some(text), None) => vec![(out.clone(), text.clone())],
            (None, None) => Vec::new(),
        };
        let stale = check(out, outcome.tree.is_some(), &expected);
        if stale.is_empty() {
            return ExitCode::SUCCESS;
        }
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(stale.as_bytes());
        let _ = writeln!(
            stderr,
            "error: `{}` is not up to date; run without `--check` to regenerate it",
            out.display()
        );
        return ExitCode::from(1);
    }
    let written = match (&cli.out, &outcome.output, &outcome.tree) {
        (Some(dir), _, Some(tree)) => write_tree_atomically(dir, tree).map_err(|e| (dir, e)),
        (Some(path), Some(text), _) => {
            write_atomically(path, text.as_bytes()).map_err(|e| (path, e))
        }
        (None, Some(text), _) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
                .is_err()
            {
                return ExitCode::from(2);
            }
            Ok(())
        }
        _ => Ok(()),
    };
    if let Err((path, e)) = written {
        let _ = writeln!(stderr, "error: cannot write `{}`: {e}", path.display());
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// The input file that `out` names, if any (compared after resolving both paths).
fn clobbers_input<'a>(out: &Path, inputs: &'a [PathBuf]) -> Option<&'a PathBuf> {
    let out = std::fs::canonicalize(out).ok()?;
    inputs
        .iter()
        .find(|p| std::fs::canonicalize(p).is_ok_and(|p| p == out))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The unified diff between what is on disk and what would be written (empty when equal). For
/// a tree, files on disk that would no longer be written count as removed.
fn check(out: &Path, is_tree: bool, expected: &[(PathBuf, String)]) -> String {
    let mut diff = String::new();
    let mut add = |path: &Path, old: &str, new: &str| {
        if old != new {
            let name = path.display().to_string();
            let text = similar::TextDiff::from_lines(old, new);
            diff.push_str(
                &text
                    .unified_diff()
                    .context_radius(3)
                    .header(&name, &name)
                    .to_string(),
            );
        }
    };
    for (path, contents) in expected {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        add(path, &current, contents);
    }
    if is_tree {
        let mut on_disk = Vec::new();
        let _ = collect_files(out, &mut on_disk);
        on_disk.sort();
        for path in on_disk {
            if !expected.iter().any(|(p, _)| *p == path) {
                let current = std::fs::read_to_string(&path).unwrap_or_default();
                add(&path, &current, "");
            }
        }
    }
    diff
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            collect_files(&entry.path(), out)?;
        } else {
            out.push(entry.path());
        }
    }
    Ok(())
}

/// Whether `dir` may be replaced: it is empty, or its `mod.rs` is sa2rs's.
fn replaceable(dir: &Path) -> std::io::Result<bool> {
    if std::fs::read_dir(dir)?.next().is_none() {
        return Ok(true);
    }
    let head = std::fs::read_to_string(dir.join("mod.rs")).unwrap_or_default();
    let first = head.lines().next().unwrap_or("");
    Ok(first.starts_with("//! Models ported from") && first.contains("by sa2rs"))
}

/// Writes a module tree into a temporary directory beside `dir`, then swaps it into place: a
/// failed run leaves the previous tree (or nothing) behind, never a mix. A directory that
/// sa2rs did not generate is never replaced.
fn write_tree_atomically(
    dir: &Path,
    files: &[sa2rs::emit::tree::GeneratedFile],
) -> std::io::Result<()> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    if dir.exists() && !replaceable(dir)? {
        return Err(std::io::Error::other(
            "the directory exists and was not generated by sa2rs; refusing to replace it",
        ));
    }
    let staging = new_output(0o777)
        .prefix(".sa2rs-new-")
        .tempdir_in(&parent)?;
    for f in files {
        let path = staging.path().join(&f.path);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, &f.contents)?;
    }
    if dir.exists() {
        let previous = tempfile::Builder::new()
            .prefix(".sa2rs-old-")
            .tempdir_in(&parent)?;
        let old = previous.path().join("tree");
        std::fs::rename(dir, &old)?;
        if let Err(e) = std::fs::rename(staging.path(), dir) {
            let _ = std::fs::rename(&old, dir);
            return Err(e);
        }
        // `previous` (with the old tree inside) is removed when dropped.
    } else {
        std::fs::rename(staging.path(), dir)?;
    }
    Ok(())
}

/// A temporary file (`mode` `0o666`) or directory (`0o777`) that becomes output: created with
/// that mode less the umask, as any new file or directory is, not with the private `0o600` /
/// `0o700` of a temporary one.
fn new_output<'a>(mode: u32) -> tempfile::Builder<'a, 'a> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder
}

/// Writes through a temporary file in the same directory, renamed into place only when
/// complete: a failed run never leaves a partial or clobbered file. (Not synced to disk, as
/// the module tree is not: the rename is what makes the file whole for readers.)
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = new_output(0o666).tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The pipeline allocates many small nodes (syntax trees, tokens); mimalloc makes that cheap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
