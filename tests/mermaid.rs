//! `--emit mermaid`: every fixture's diagram renders in Mermaid's own renderer (`mmdc`, from
//! `@mermaid-js/mermaid-cli`, driving Chromium), every relationship pair is exactly one edge,
//! and the cardinalities of the seed's patterns are the mapper's.
//!
//! `mmdc` is `SA2RS_MMDC`, or `target/mermaid-cli/node_modules/.bin/mmdc` as `.ci/run`
//! installs it; Chromium is `SA2RS_CHROMIUM`, or `/usr/bin/chromium`. Without them the
//! rendering test is skipped, and fails under `CI=true`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::binary;
use sa2rs::{Emit, Input};

/// No run of the binary may take longer than this.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

fn diagram(path: &Path) -> String {
    let out = common::run_fixture(path, Emit::Mermaid);
    out.output
        .unwrap_or_else(|| panic!("{}: no diagram", path.display()))
}

fn non_error_fixtures() -> Vec<PathBuf> {
    common::fixtures()
        .into_iter()
        .filter(|p| !common::is_error_fixture(p))
        .collect()
}

/// `mmdc` and the Chromium it drives, or `None` (the test is skipped; under `CI=true` it
/// fails).
fn renderer() -> Option<(PathBuf, PathBuf)> {
    let mmdc = std::env::var_os("SA2RS_MMDC")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            common::manifest_dir().join("target/mermaid-cli/node_modules/.bin/mmdc")
        });
    let chromium = std::env::var_os("SA2RS_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if mmdc.is_file() && chromium.is_file() {
        return Some((mmdc, chromium));
    }
    let why = format!(
        "{} or {} is missing (`.ci/run` installs both)",
        mmdc.display(),
        chromium.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and Mermaid's renderer cannot run: {why}");
    }
    eprintln!("skipping the Mermaid rendering test: {why}");
    None
}

/// Renders the diagrams in one `mmdc` run (one browser for all): a Markdown file holding each
/// as a fenced block, which `mmdc` turns into `diagrams-N.svg`.
fn render(mmdc: &Path, chromium: &Path, diagrams: &[String]) -> (bool, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = serde_json::json!({
        "executablePath": chromium,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    let config_path = dir.path().join("puppeteer.json");
    std::fs::write(&config_path, config.to_string()).expect("config written");
    let markdown: String = diagrams
        .iter()
        .map(|d| format!("```mermaid\n{d}```\n\n"))
        .collect();
    let input = dir.path().join("diagrams.md");
    std::fs::write(&input, markdown).expect("markdown written");
    // `mmdc` writes into an existing directory only.
    std::fs::create_dir_all(dir.path().join("out")).expect("output directory");
    let out = Command::new(mmdc)
        .arg("-p")
        .arg(&config_path)
        .arg("-i")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("out").join("diagrams.md"))
        .current_dir(dir.path())
        .output()
        .expect("mmdc runs");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), log, dir)
}

#[test]
fn every_fixture_renders_in_mermaid() {
    let fixtures = non_error_fixtures();
    let diagrams: Vec<String> = fixtures.iter().map(|p| diagram(p)).collect();
    assert!(diagrams.len() > 50, "only {} diagrams", diagrams.len());
    let Some((mmdc, chromium)) = renderer() else {
        return;
    };
    let (ok, log, dir) = render(&mmdc, &chromium, &diagrams);
    assert!(ok, "mmdc failed:\n{log}");
    let mut failures = Vec::new();
    for (i, fixture) in fixtures.iter().enumerate() {
        let svg = dir
            .path()
            .join("out")
            .join(format!("diagrams-{}.svg", i + 1));
        match std::fs::read_to_string(&svg) {
            Ok(text) if text.contains("<svg") && !text.contains("Syntax error") => {}
            Ok(_) => failures.push(format!("{}: not a diagram", fixture.display())),
            Err(e) => failures.push(format!("{}: {}: {e}", fixture.display(), svg.display())),
        }
    }
    assert!(failures.is_empty(), "{}\n{log}", failures.join("\n"));
}

/// The renderer refuses a broken diagram: the rendering test can fail.
#[test]
fn a_broken_diagram_fails_to_render() {
    let Some((mmdc, chromium)) = renderer() else {
        return;
    };
    let broken = "erDiagram\n    a {\n        Integer id PK PK PK\n    a ||--o{ : \"\n".to_owned();
    let (ok, log, _dir) = render(&mmdc, &chromium, &[broken]);
    assert!(!ok, "mmdc accepted a broken diagram:\n{log}");
}

/// The attributes an edge line names (`Parent.children / Child.parent (via t)`), or `None`
/// for a line that is not a relationship edge (`--`).
fn edge_attributes(line: &str) -> Option<Vec<String>> {
    let (head, label) = line.split_once(" : ")?;
    if !head.contains("--") {
        return None;
    }
    let label = label.trim().trim_matches('"');
    let label = label.split(" (via ").next().unwrap_or(label);
    Some(label.split(" / ").map(str::to_owned).collect())
}

#[test]
fn every_relationship_pair_is_one_edge() {
    let mut failures = Vec::new();
    for path in non_error_fixtures() {
        let fixture = common::stem(&path);
        let graph = common::run_fixture(&path, Emit::GraphJson);
        let graph: serde_json::Value =
            serde_json::from_str(&graph.output.expect("graph")).expect("JSON");
        let relationships = graph["relationships"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let name = |r: &serde_json::Value| {
            format!(
                "{}.{}",
                r["class"].as_str().unwrap_or(""),
                r["key"].as_str().unwrap_or("")
            )
        };
        let edges: Vec<Vec<String>> = diagram(&path).lines().filter_map(edge_attributes).collect();
        for r in &relationships {
            let me = name(r);
            let holding: Vec<&Vec<String>> = edges.iter().filter(|e| e.contains(&me)).collect();
            if holding.len() != 1 {
                failures.push(format!("{fixture}: {me} is on {} edges", holding.len()));
                continue;
            }
            // An edge of two is a relationship and its reverse.
            if let [a, b] = holding[0].as_slice() {
                let other = if *a == me { b } else { a };
                let reverse = r["back_populates"]
                    .as_str()
                    .map(|key| format!("{}.{key}", r["target"].as_str().unwrap_or("")));
                if reverse.as_deref() != Some(other.as_str()) {
                    failures.push(format!(
                        "{fixture}: {me} is paired with {other}, its reverse is {reverse:?}"
                    ));
                }
            }
        }
        let named: usize = edges.iter().map(Vec::len).sum();
        if named != relationships.len() {
            failures.push(format!(
                "{fixture}: {named} attributes on edges, {} relationships",
                relationships.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed's patterns in both styles, joined inheritance, and the DDL fixture (foreign keys
/// without relationships, a table in a schema, a reserved word), pinned for review.
#[test]
fn diagrams_are_pinned() {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        for style in ["classic", "mapped"] {
            for pattern in ["one_to_many", "one_to_one", "many_to_many", "association_object"] {
                let fixture = format!("{style}_{pattern}.py");
                let path = common::manifest_dir().join("fixtures").join(&fixture);
                insta::assert_snapshot!(format!("mermaid@{fixture}"), diagram(&path));
            }
        }
        for fixture in ["inheritance_joined.py", "ddl_features.py"] {
            let path = common::manifest_dir().join("fixtures").join(fixture);
            insta::assert_snapshot!(format!("mermaid@{fixture}"), diagram(&path));
        }
    });
}

/// Names Mermaid cannot take as they are become identifiers, with the name kept as the
/// entity's alias or the attribute's comment.
#[test]
fn names_are_made_mermaid_words() {
    let source = "from sqlalchemy import Column, Integer, ForeignKey\nfrom sqlalchemy.orm import declarative_base, relationship\nBase = declarative_base()\nclass A(Base):\n    __tablename__ = 'my table'\n    id = Column('the id', Integer, primary_key=True)\nclass B(Base):\n    __tablename__ = 'my-table'\n    __table_args__ = {'schema': 'other'}\n    id = Column(Integer, primary_key=True)\n    a_id = Column(Integer, ForeignKey('my table.the id'), nullable=False)\n    a = relationship(A, backref='bs')\n";
    let out = sa2rs::run(
        vec![Input::standalone("models.py", source.as_bytes().to_vec())],
        Emit::Mermaid,
    );
    let text = out.output.expect("diagram");
    assert!(text.contains("    my_table[\"my table\"] {\n"), "{text}");
    assert!(
        text.contains("    other_my_table[\"other.my-table\"] {\n"),
        "{text}"
    );
    assert!(
        text.contains("        Integer the_id PK \"column the id\"\n"),
        "{text}"
    );
    assert!(
        text.contains("        Integer a_id FK \"not null\"\n"),
        "{text}"
    );
    assert!(
        text.contains("    my_table ||--o{ other_my_table : \"A.bs / B.a\"\n"),
        "{text}"
    );
}

/// The command line: `--emit mermaid` prints the diagram, and refuses a directory for `-o`.
#[test]
fn the_command_line_prints_the_diagram() {
    let fixture = common::manifest_dir().join("fixtures/classic_one_to_one.py");
    let mut cmd = binary::command();
    cmd.args(["--emit", "mermaid"]).arg(&fixture);
    let out = binary::run(cmd, TIMEOUT);
    assert_eq!(out.code, Some(0));
    let text = &out.stdout;
    assert!(text.starts_with("erDiagram\n"), "{text}");
    assert!(
        text.contains("parent |o--o| child : \"Parent.child / Child.parent\""),
        "{text}"
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut cmd = binary::command();
    cmd.args(["--emit", "mermaid", "-o"])
        .arg(format!("{}/", dir.path().display()))
        .arg(&fixture);
    let out = binary::run(cmd, TIMEOUT);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("`--emit mermaid` writes one file"));
}
