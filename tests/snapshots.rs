//! Pins, for every fixture, the rendered diagnostics, the Rust output and the graph JSON.

mod common;

use sa2rs::Emit;

#[test]
fn every_fixture_is_pinned() {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::glob!("../fixtures", "*.py", |path| {
            let rust = common::run_fixture(path, Emit::Rust);
            let json = common::run_fixture(path, Emit::GraphJson);
            let diagnostics = sa2rs::diagnostics::render_plain(&rust.files, &rust.diagnostics);
            assert_eq!(
                rust.has_errors(),
                common::is_error_fixture(path),
                "error_ fixtures, and only they, must report errors:\n{diagnostics}"
            );
            insta::assert_snapshot!("diagnostics", diagnostics);
            if let Some(out) = rust.output {
                insta::assert_snapshot!("rust", out);
            }
            if let Some(out) = json.output {
                insta::assert_snapshot!("graph", out);
            }
        });
    });
}
