//! Pins, for every fixture, the rendered diagnostics, the Rust output and the graph JSON.

mod common;

use sa2rs::Emit;

/// Checks and snapshots one fixture's outcome; `name` suffixes the snapshot names.
fn pin(path: &std::path::Path, name: Option<&str>) {
    let rust = common::run_fixture(path, Emit::Rust);
    let json = common::run_fixture(path, Emit::GraphJson);
    let diagnostics = sa2rs::diagnostics::render_plain(&rust.files, &rust.diagnostics);
    assert_eq!(
        rust.has_errors(),
        common::is_error_fixture(path),
        "error_ fixtures, and only they, must report errors:\n{diagnostics}"
    );
    let named = |kind: &str| name.map_or_else(|| kind.to_owned(), |n| format!("{kind}@{n}"));
    insta::assert_snapshot!(named("diagnostics"), diagnostics);
    if let Some(out) = rust.output {
        insta::assert_snapshot!(named("rust"), out);
    }
    if let Some(out) = json.output {
        insta::assert_snapshot!(named("graph"), out);
    }
}

#[test]
fn every_package_fixture_is_pinned() {
    let packages = common::package_fixtures();
    assert!(
        !packages.is_empty(),
        "expected package fixtures under fixtures/"
    );
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        for path in packages {
            let name = common::stem(&path);
            pin(&path, Some(&name));
            // The `-o DIR` module tree, file by file.
            if let Some(tree) = common::run_fixture(&path, Emit::RustTree).tree {
                let listing: String = tree
                    .iter()
                    .map(|f| format!("=== {} ===\n{}\n", f.path.display(), f.contents))
                    .collect();
                insta::assert_snapshot!(format!("tree@{name}"), listing);
            }
        }
    });
}

#[test]
fn every_fixture_is_pinned() {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::glob!("../fixtures", "*.py", |path| pin(path, None));
    });
}
