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

    /// Write the output to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EmitArg {
    /// Rust structs, enums and the relation registry.
    Rust,
    /// The resolved relationship graph as JSON.
    GraphJson,
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
    let emit = match cli.emit {
        EmitArg::Rust => Emit::Rust,
        EmitArg::GraphJson => Emit::GraphJson,
    };
    let outcome = sa2rs::run(inputs, emit);
    let _ = diagnostics::render(&outcome.files, &outcome.diagnostics, &mut stderr);

    let errors = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity >= codespan_reporting::diagnostic::Severity::Error)
        .count();
    let warnings = outcome.diagnostics.len() - errors;
    let Some(output) = outcome.output.as_deref().filter(|_| errors == 0) else {
        let _ = writeln!(
            stderr,
            "error: {} reported; no output written",
            plural(errors, "error")
        );
        return ExitCode::from(if outcome.unreadable { 2 } else { 1 });
    };
    if warnings > 0 {
        let _ = writeln!(stderr, "warning: {} reported", plural(warnings, "warning"));
    }
    match &cli.out {
        Some(path) => {
            if let Err(e) = write_atomically(path, output.as_bytes()) {
                let _ = writeln!(stderr, "error: cannot write `{}`: {e}", path.display());
                return ExitCode::from(2);
            }
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(output.as_bytes())
                .and_then(|_| stdout.flush())
                .is_err()
            {
                return ExitCode::from(2);
            }
        }
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

/// Writes through a temporary file in the same directory, renamed into place only when
/// complete: a failed run never leaves a partial or clobbered file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
