//! The whole pipeline on arbitrary bytes: parse, extract, resolve, an emitter, and the
//! rendering of every diagnostic. Any panic, stack overflow or hang is a bug.
//!
//! Each input runs one emitter of the fourteen (`--emit rust` and its tree, graph JSON, SQL for
//! both dialects, Mermaid, each ORM target as a file and as a tree), chosen by a hash of its bytes: all
//! fourteen on every input would be fourteen times slower, and the mutations spread the inputs
//! over every emitter.
//!
//! The bytes are read twice:
//! - as one file, `models.py`;
//! - when they hold a NUL byte, as a package: the bytes split at each NUL (at most eight
//!   parts), each part a module whose first line is its path (`shop/__init__.py`,
//!   `shop/models/post.py`; a part whose first line is not such a path is `pkg/m<i>.py`,
//!   with the whole part as its source). `seed.sh` writes the package fixtures this way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sa2rs::{Emit, Input};

/// Analyses `inputs`, then runs `emits` on the result and renders the diagnostics, as
/// `sa2rs::run` does for one emitter.
fn pipeline(inputs: &[Input], emits: &[Emit]) {
    let analysis = sa2rs::analyse(inputs);
    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    for &emit in emits {
        let mut diags = analysis.diagnostics.clone();
        let (output, tree) = sa2rs::generate(&analysis, &names, emit, &mut diags);
        let errors = sa2rs::diagnostics::has_errors(&diags);
        if !errors && matches!(emit, Emit::RustTree | Emit::TargetTree(_)) {
            assert!(tree.is_some(), "{emit:?} generated no tree");
        }
        if !errors
            && matches!(
                emit,
                Emit::Rust | Emit::GraphJson | Emit::Target(_) | Emit::Mermaid
            )
        {
            assert!(output.is_some(), "{emit:?} generated no text");
        }
        if emit == Emit::GraphJson {
            if let Some(json) = output {
                assert_one_object(&json);
            }
        }
        let extra = &diags[analysis.diagnostics.len()..];
        let _ = sa2rs::diagnostics::render_plain(&analysis.files, extra);
    }
    let _ = sa2rs::diagnostics::render_plain(&analysis.files, &analysis.diagnostics);
}

/// The graph is one JSON document.
fn assert_one_object(json: &str) {
    assert!(json.starts_with('{') && json.trim_end().ends_with('}'));
}

/// A module path as a package fixture has it: `a/b/c.py`, identifiers only.
fn module_path(line: &[u8]) -> Option<(String, String, bool)> {
    let path = std::str::from_utf8(line).ok()?;
    let stem = path.strip_suffix(".py")?;
    let parts: Vec<&str> = stem.split('/').collect();
    let ident = |p: &&str| {
        !p.is_empty()
            && p.len() <= 32
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !p.as_bytes()[0].is_ascii_digit()
    };
    if parts.len() > 4 || !parts.iter().all(ident) {
        return None;
    }
    let is_package = parts.last() == Some(&"__init__");
    let module = if is_package {
        &parts[..parts.len() - 1]
    } else {
        &parts[..]
    };
    if module.is_empty() {
        return None;
    }
    Some((path.to_string(), module.join("."), is_package))
}

/// The modules of the package the bytes describe (see the top of this file).
fn package(data: &[u8]) -> Vec<Input> {
    data.split(|b| *b == 0)
        .take(8)
        .enumerate()
        .map(|(i, part)| {
            let end = part.iter().position(|b| *b == b'\n').unwrap_or(part.len());
            match module_path(&part[..end]) {
                Some((name, module, is_package)) => Input {
                    name,
                    module,
                    is_package,
                    bytes: part[(end + 1).min(part.len())..].to_vec(),
                },
                None => Input {
                    name: format!("pkg/m{i}.py"),
                    module: format!("pkg.m{i}"),
                    is_package: false,
                    bytes: part.to_vec(),
                },
            }
        })
        .collect()
}

/// FNV-1a: the same input always runs the same emitter.
fn hash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fuzz_target!(|data: &[u8]| {
    let emits = Emit::all();
    let emit = emits[(hash(data) % emits.len() as u64) as usize];
    // `analyse` and `generate` run on sa2rs's own pool of threads with a large stack, made once
    // for the process: an input starts no thread.
    pipeline(&[Input::standalone("models.py", data.to_vec())], &[emit]);
    if data.contains(&0) {
        pipeline(&package(data), &[emit]);
    }
});
