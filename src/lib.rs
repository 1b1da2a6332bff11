//! sa2rs: port SQLAlchemy declarative models to Rust, statically.
//!
//! The pipeline, one module per stage: [`parse`] (Python text to the [`syntax`] tree) ->
//! [`extract`] (syntax to the [`ir`], with spans) -> [`resolve`] (the [`graph`], with
//! SQLAlchemy's rules) -> [`emit`] (one module per output). [`diagnostics`] builds and renders
//! every message; [`source`] holds the files and spans.

pub mod diagnostics;
pub mod emit;
pub mod extract;
pub mod graph;
pub mod inputs;
pub mod ir;
pub mod parse;
pub mod resolve;
pub mod source;
pub mod syntax;

use diagnostics::Diagnostic;
pub use inputs::Input;

/// The insertion-ordered map used everywhere (output order follows insertion, never hashing),
/// hashed with foldhash: names are hashed on every lookup, and SipHash was a tenth of the
/// instructions of extraction.
pub type IndexMap<K, V> = indexmap::IndexMap<K, V, foldhash::fast::RandomState>;
/// The insertion-ordered set used everywhere; see [`IndexMap`].
pub type IndexSet<T> = indexmap::IndexSet<T, foldhash::fast::RandomState>;
use source::{SourceFiles, Span};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emit {
    Rust,
    /// Rust as a module tree mirroring the Python package (see [`Outcome::tree`]).
    RustTree,
    GraphJson,
    /// Rust for an ORM or query library (one file).
    Target(Target),
    /// The same as a module tree (see [`Outcome::tree`]).
    TargetTree(Target),
    /// The `CREATE TABLE` / `CREATE INDEX` DDL for a dialect.
    Sql(emit::sql::Dialect),
    /// A Mermaid entity-relationship diagram of the graph.
    Mermaid,
}

impl Emit {
    /// Every output sa2rs generates: each `--emit` (SQL in both dialects), and each `--target`
    /// as one file and as a module tree.
    pub fn all() -> Vec<Emit> {
        let mut emits = vec![
            Emit::Rust,
            Emit::RustTree,
            Emit::GraphJson,
            Emit::Sql(emit::sql::Dialect::Sqlite),
            Emit::Sql(emit::sql::Dialect::Postgresql),
            Emit::Mermaid,
        ];
        for t in Target::ALL {
            emits.extend([Emit::Target(t), Emit::TargetTree(t)]);
        }
        emits
    }
}

/// The library the generated Rust uses (`--target`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `sqlx::FromRow` structs with generated queries and relationship loaders.
    Sqlx,
    /// Diesel's `table!` schema, models and a loader per relationship.
    Diesel,
    /// SeaORM 2 entities (dense format) with a relation field per relationship.
    SeaOrm,
    /// SeaORM entities in the expanded format (`Relation` enum, `Related`, `Linked`).
    SeaOrmExpanded,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 4] = [
        Target::Sqlx,
        Target::Diesel,
        Target::SeaOrm,
        Target::SeaOrmExpanded,
    ];
}

/// The result of a run.
pub struct Outcome {
    pub files: SourceFiles,
    pub diagnostics: Vec<Diagnostic>,
    /// The generated text; `None` when an error was reported, or for a tree.
    pub output: Option<String>,
    /// The generated files of [`Emit::RustTree`] and [`Emit::TargetTree`]; `None` when an
    /// error was reported.
    pub tree: Option<Vec<emit::tree::GeneratedFile>>,
    /// Some input could not be decoded as text (an I/O-class failure).
    pub unreadable: bool,
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        diagnostics::has_errors(&self.diagnostics)
    }
}

/// Runs `f` and, when the environment variable `SA2RS_TIMINGS` is set, reports on standard
/// error how long it took: wall time, and the CPU time of the whole process (all threads; on
/// Linux), for profiling the stages of the pipeline.
pub fn timed<T>(stage: &str, f: impl FnOnce() -> T) -> T {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*ON.get_or_init(|| std::env::var_os("SA2RS_TIMINGS").is_some()) {
        return f();
    }
    let (wall, cpu) = (std::time::Instant::now(), cpu_seconds());
    let out = f();
    let cpu = match (cpu, cpu_seconds()) {
        (Some(before), Some(after)) => format!(", {:.2}s CPU", after - before),
        _ => String::new(),
    };
    let memory = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let kib = |key: &str| -> Option<u64> {
                let line = status.lines().find(|l| l.starts_with(key))?;
                line[key.len()..]
                    .trim()
                    .trim_end_matches(" kB")
                    .parse()
                    .ok()
            };
            Some(format!(
                ", {} MiB resident ({} MiB peak)",
                kib("VmRSS:")? / 1024,
                kib("VmHWM:")? / 1024
            ))
        })
        .unwrap_or_default();
    eprintln!(
        "sa2rs: {stage}: {:.3}s wall{cpu}{memory}",
        wall.elapsed().as_secs_f64()
    );
    out
}

/// The user and system CPU time of this process so far, from `/proc/self/stat` (clock ticks,
/// taken as the usual 100 a second).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which ends with the last `)`): utime and stime are the
    // 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The stack the pipeline runs on. The parser's tree of a pathologically nested file is
/// recursive to build and to drop, so the pipeline gets a stack sized for it.
pub(crate) const STACK_SIZE: usize = 1 << 30;

/// The pool every parallel stage of the pipeline runs on: threads with the pipeline's stack
/// (rayon's global pool has the default 2 MB), built once for the process and shared by every
/// run, so a run starts no thread of its own. `None` when no thread could be started: the
/// stages then work alone.
pub(crate) fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("sa2rs-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `f` on a thread of the pipeline's [`pool`] (at once when the caller is one); `None`
/// when there is no pool.
fn on_pool<T: Send>(f: impl FnOnce() -> T + Send) -> Option<T> {
    pool().map(|pool| pool.install(f))
}

/// Runs the whole pipeline over `inputs` (in the order given) on a thread with a large stack.
pub fn run(inputs: Vec<Input>, emit: Emit) -> Outcome {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        on_pool(|| run_here(&inputs, emit))
    }));
    match outcome {
        Ok(Some(outcome)) => outcome,
        _ => {
            let mut files = SourceFiles::new();
            let file = files.add("<sa2rs>", "");
            Outcome {
                files,
                diagnostics: vec![diagnostics::internal_error(Span::new(file, 0, 0))],
                output: None,
                tree: None,
                unreadable: false,
            }
        }
    }
}

/// The resolved models of a run, before any output is generated.
pub struct Analysis {
    pub files: SourceFiles,
    pub diagnostics: Vec<Diagnostic>,
    pub graph: graph::Graph,
    /// Some input could not be decoded as text.
    pub unreadable: bool,
}

/// Whether one of the dotted import `paths` is `module` or something inside it.
fn names_module(paths: &[String], module: &str) -> bool {
    paths.iter().any(|p| {
        p.strip_prefix(module)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// Leaves out Alembic migration scripts (modules importing `alembic` that no other input
/// imports): Alembic runs them, the application never imports them, and the classes and tables
/// they declare belong to metadata of their own, not to the application's mapping. Said once,
/// with how many, at the first.
fn leave_out_migrations(
    parsed: &mut Vec<(source::FileId, &Input, syntax::Module)>,
    imports: &[Vec<String>],
    imported: &[String],
    diags: &mut Vec<Diagnostic>,
) {
    if parsed.len() < 2 {
        return;
    }
    let is_migration: Vec<bool> = parsed
        .iter()
        .zip(imports)
        .map(|((_, input, _), paths)| {
            names_module(paths, "alembic") && !names_module(imported, &input.module)
        })
        .collect();
    let count = is_migration.iter().filter(|m| **m).count();
    if let Some(first) = is_migration.iter().position(|m| *m) {
        let (file, input, _) = &parsed[first];
        diags.push(diagnostics::migrations_left_out(
            Span::new(*file, 0, 0),
            &input.name,
            count,
        ));
    }
    let mut keep = is_migration.iter().map(|m| !m);
    parsed.retain(|_| keep.next().unwrap_or(true));
}

/// Reads, parses, extracts and resolves `inputs`, on the pipeline's pool of threads with a
/// large stack.
pub fn analyse(inputs: &[Input]) -> Analysis {
    on_pool(|| analyse_here(inputs)).unwrap_or_else(|| analyse_here(inputs))
}

/// [`analyse`] on the current thread.
fn analyse_here(inputs: &[Input]) -> Analysis {
    let mut files = SourceFiles::new();
    let mut diags = Vec::new();
    let mut parsed = Vec::new();
    let mut failed = Vec::new();
    let mut unreadable = false;
    timed("parse", || {
        // Files are decoded and added in input order, parsed in parallel, and their results
        // taken in input order again.
        let decoded: Vec<Option<source::FileId>> = inputs
            .iter()
            .map(|input| match source::decode(&input.bytes) {
                Ok(text) => Some(files.add(input.name.clone(), text)),
                Err(e) => {
                    let file = files.add(input.name.clone(), e.lossy.clone());
                    let at = (e.offset as u32).min(e.lossy.len() as u32);
                    let end = (at + 1).min(e.lossy.len() as u32);
                    diags.push(diagnostics::not_utf8(Span::new(file, at, end), &e.message));
                    unreadable = true;
                    None
                }
            })
            .collect();
        let results = parse_all(&files, inputs, &decoded);
        for ((input, file), result) in inputs.iter().zip(decoded).zip(results) {
            let (Some(file), Some(result)) = (file, result) else {
                continue;
            };
            match result {
                Ok(p) => {
                    if let Some(span) = p.truncated_at {
                        diags.push(diagnostics::truncated(&files, span, parse::MAX_DEPTH));
                    }
                    parsed.push((file, input, p.module));
                }
                Err(e) => failed.push((input, e)),
            }
        }
    });
    // A module that does not parse fails the run when it is the only input or another input
    // imports it; otherwise it is unrelated to the models (a script, a migration) and is skipped.
    let imports: Vec<Vec<String>> = parsed
        .iter()
        .map(|(_, input, module)| {
            extract::imported_paths(&module.body, &input.module, input.is_package)
        })
        .collect();
    let imported: Vec<String> = imports.iter().flatten().cloned().collect();
    leave_out_migrations(&mut parsed, &imports, &imported, &mut diags);
    for (input, e) in failed {
        let needed = inputs.len() == 1 || names_module(&imported, &input.module);
        diags.push(if needed {
            diagnostics::syntax_error(e.span, &e.message)
        } else {
            diagnostics::module_skipped(e.span, &e.message, &input.module)
        });
    }
    let mut sources: Vec<extract::ModuleSource> = parsed
        .iter_mut()
        .map(|(file, input, module)| extract::ModuleSource {
            file: *file,
            syntax: module,
            name: &input.module,
            is_package: input.is_package,
        })
        .collect();
    let before = diags.len();
    let decls = timed("extract", || {
        extract::extract_all(&mut sources, &files, &mut diags)
    });
    drop(sources);
    let nothing = decls
        .iter()
        .all(|d| d.classes.is_empty() && d.tables.is_empty());
    if nothing && diags.len() == before {
        if let Some((file, input, _)) = parsed.first() {
            diags.push(diagnostics::no_models(Span::new(*file, 0, 0), &input.name));
        }
    }
    // The syntax trees are freed on another core while the graph is resolved.
    let syntax: Vec<syntax::Module> = parsed.into_iter().map(|(_, _, module)| module).collect();
    let free = || timed("free the syntax trees", || drop(syntax));
    let mut resolve = || timed("resolve", || resolve::resolve(&decls, &mut diags));
    let graph = match pool() {
        Some(pool) => pool.join(resolve, free).0,
        None => {
            free();
            resolve()
        }
    };
    timed("drop declarations", || drop(decls));
    Analysis {
        files,
        diagnostics: diags,
        graph,
        unreadable,
    }
}

/// Parses the decoded inputs (`None`: not decoded, skipped), in parallel across cores when
/// there are several, on threads with the pipeline's stack; the results are in input order.
fn parse_all(
    files: &SourceFiles,
    inputs: &[Input],
    decoded: &[Option<source::FileId>],
) -> Vec<Option<Result<parse::Parsed, parse::SyntaxError>>> {
    use rayon::prelude::*;
    let one = |(input, file): (&Input, &Option<source::FileId>)| {
        file.map(|file| parse::parse(file, files.text(file), &input.name))
    };
    let todo = decoded.iter().filter(|f| f.is_some()).count();
    match pool().filter(|_| todo > 1) {
        Some(pool) => pool.install(|| inputs.par_iter().zip(decoded).map(one).collect()),
        None => inputs.iter().zip(decoded).map(one).collect(),
    }
}

/// Runs the pipeline on the current thread.
fn run_here(inputs: &[Input], emit: Emit) -> Outcome {
    let mut analysis = timed("analyse", || analyse(inputs));
    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let mut diags = std::mem::take(&mut analysis.diagnostics);
    let (output, tree) = timed("emit", || generate(&analysis, &names, emit, &mut diags));
    let Analysis {
        files, unreadable, ..
    } = analysis;
    Outcome {
        files,
        diagnostics: diags,
        output,
        tree,
        unreadable,
    }
}

/// Generates `emit` from the graph of `analysis` (of the inputs named `names`), adding the
/// emitter's own diagnostics to `diags`, which holds the analysis's. Nothing is generated when
/// `diags` has errors; then, or for a tree, the text is `None`; the tree is `None` unless
/// `emit` asks for one.
pub fn generate(
    analysis: &Analysis,
    names: &[String],
    emit: Emit,
    diags: &mut Vec<Diagnostic>,
) -> (Option<String>, Option<Vec<emit::tree::GeneratedFile>>) {
    // Emitters print items in parallel: on threads with the pipeline's stack.
    on_pool(|| generate_here(analysis, names, emit, diags))
        .unwrap_or_else(|| generate_here(analysis, names, emit, diags))
}

fn generate_here(
    analysis: &Analysis,
    names: &[String],
    emit: Emit,
    diags: &mut Vec<Diagnostic>,
) -> (Option<String>, Option<Vec<emit::tree::GeneratedFile>>) {
    let (graph, files) = (&analysis.graph, &analysis.files);
    if diagnostics::has_errors(diags) {
        return (None, None);
    }
    let mut target = |t: Target, layout: emit::orm::Layout| {
        let emitter = match t {
            Target::Sqlx => emit::sqlx::emit,
            Target::Diesel => emit::diesel::emit,
            Target::SeaOrm => emit::sea_orm::emit,
            Target::SeaOrmExpanded => emit::sea_orm::emit_expanded,
        };
        emitter(graph, files, names, layout, diags)
    };
    match emit {
        Emit::Rust => (Some(emit::rust::emit(graph, files, names)), None),
        Emit::GraphJson => (Some(emit::graph_json::emit(graph)), None),
        Emit::RustTree => (None, Some(emit::tree::emit_tree(graph, files, names))),
        Emit::Target(t) => (
            target(t, emit::orm::Layout::File)
                .into_iter()
                .next()
                .map(|f| f.contents),
            None,
        ),
        Emit::TargetTree(t) => (None, Some(target(t, emit::orm::Layout::Tree))),
        Emit::Sql(dialect) => (emit::sql::emit(graph, names, dialect, diags), None),
        Emit::Mermaid => (Some(emit::mermaid::emit(graph, names)), None),
    }
}
