//! The compile test: the Rust emitted for every fixture is compiled with `cargo check` in a
//! crate of its own (under `target/generated-check`, reused between runs) that depends on the
//! crates generated code uses, with `#![deny(warnings)]`.

mod common;

use std::fmt::Write as _;
use std::process::Command;

use sa2rs::Emit;

/// The crates generated code refers to, as a user's `Cargo.toml` would list them.
const DEPENDENCIES: &str = r#"
chrono = { version = "0.4.35", default-features = false }
rust_decimal = { version = "1", default-features = false }
serde_json = "1"
uuid = { version = "1", default-features = false }
"#;

#[test]
fn generated_rust_compiles() {
    let dir = common::manifest_dir()
        .join("target")
        .join("generated-check");
    let src = dir.join("src");
    // Start from an empty src/ so that removed fixtures do not linger.
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).expect("create the check crate");
    let manifest = format!(
        "[package]\nname = \"generated-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]{DEPENDENCIES}\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write Cargo.toml");

    let mut lib = String::from(
        "#![deny(warnings)]\n//! Every fixture's generated Rust, one module each.\n\n",
    );
    let mut modules = 0;
    for path in common::fixtures() {
        let outcome = common::run_fixture(&path, Emit::Rust);
        let Some(rust) = outcome.output else {
            assert!(
                common::is_error_fixture(&path),
                "{} produced no Rust",
                path.display()
            );
            continue;
        };
        let module = format!("fixture_{}", common::stem(&path));
        std::fs::write(src.join(format!("{module}.rs")), rust).expect("write module");
        // Use the registry, so that its API is checked too, not just declared.
        writeln!(
            lib,
            "pub mod {module};\n\n#[allow(dead_code)]\nfn use_{module}() -> usize {{\n    use {module}::relations::*;\n    Entity::ALL.iter().map(|e| e.relations().count() + e.name().len() + e.table().len()).sum::<usize>()\n        + RELATIONS.iter().filter(|r| relation(r.from, r.field).is_some()).count()\n}}\n"
        )
        .expect("write to string");
        modules += 1;
    }
    // Package fixtures also as the `-o DIR` module tree.
    for path in common::package_fixtures() {
        let Some(tree) = common::run_fixture(&path, Emit::RustTree).tree else {
            continue;
        };
        let module = format!("tree_{}", common::stem(&path));
        for file in tree {
            let target = src.join(&module).join(&file.path);
            std::fs::create_dir_all(target.parent().expect("a file has a parent"))
                .expect("create module dir");
            std::fs::write(target, file.contents).expect("write tree file");
        }
        writeln!(lib, "pub mod {module};\n").expect("write to string");
        modules += 1;
    }
    assert!(
        modules >= 8,
        "expected the seed fixtures to generate Rust, got {modules} modules"
    );
    std::fs::write(src.join("lib.rs"), lib).expect("write lib.rs");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["check", "--quiet", "--lib"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "generated Rust does not compile (crate at {}):\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
