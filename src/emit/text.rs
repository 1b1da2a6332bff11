//! The most numerous items of `--emit rust` (a struct per table, a `Relation` entry per
//! relationship) written as text directly, byte for byte as `prettyplease` prints their tokens,
//! without building a syntax tree. Only shapes whose layout cannot depend on line width are
//! written here (every line well inside prettyplease's margin, no optional parts); anything
//! else returns `None` and goes through `quote` and `prettyplease` as before. Debug builds
//! check every text written here against the printed tokens.

use std::fmt::Write;

use proc_macro2::{TokenStream, TokenTree};

use super::names::ident;
use super::rust::{struct_doc, struct_fields, EntityLists, EntityOf, Plan};
use crate::graph::{Graph, Relationship};
use crate::source::SourceFiles;

/// The longest line written here. prettyplease breaks a line when it passes its margin (89
/// columns); below this, no line is near enough to it for the layout to change.
const MAX_LINE: usize = 80;

/// A string literal as `quote` writes it (and `prettyplease` prints it back).
fn lit(s: &str) -> String {
    // Printable ASCII other than a quote or a backslash is what the literal escapes to itself;
    // names are almost always that.
    if s.bytes()
        .all(|b| matches!(b, b' '..=b'~') && b != b'"' && b != b'\\')
    {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return out;
    }
    proc_macro2::Literal::string(s).to_string()
}

/// `///` lines for a doc comment, as prettyplease prints `#[doc = " line"]` attributes made by
/// [`super::rust::doc`] (trailing spaces trimmed, `///` alone for an empty line).
fn doc_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        out.push_str(indent);
        out.push_str("///");
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
            let trimmed = out.trim_end_matches(' ').len();
            out.truncate(trimmed);
        }
        out.push('\n');
    }
}

/// A type or path made of identifiers, `::`, `<`, `>` and `,` as prettyplease prints it
/// (`Option<std::collections::BTreeMap<String, Option<String>>>`); `None` for other tokens.
fn path_text(tokens: TokenStream) -> Option<String> {
    let mut out = String::new();
    for token in tokens {
        match token {
            TokenTree::Ident(i) => write!(out, "{i}").ok()?,
            TokenTree::Punct(p) => match p.as_char() {
                ':' | '<' | '>' => out.push(p.as_char()),
                ',' => out.push_str(", "),
                _ => return None,
            },
            _ => return None,
        }
    }
    Some(out)
}

/// Whether every line of `text` other than doc comments fits well inside the margin.
fn fits(text: &str) -> bool {
    lines(text).all(|l| l.len() <= MAX_LINE || l.trim_start().starts_with("///"))
}

/// The lines of `text`, as `str::lines` gives them, found with one `memchr` scan: printed
/// code is many short lines, and `str::lines` costs more per line than the scan itself.
pub(super) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .map(Some)
        .chain(std::iter::once(None))
        .filter_map(move |end| {
            let line = match end {
                Some(end) => {
                    let line = &text[start..end];
                    start = end + 1;
                    line.strip_suffix('\r').unwrap_or(line)
                }
                None if start < text.len() => &text[start..],
                None => return None,
            };
            Some(line)
        })
}

/// The printed struct and `impl` of entity `e` (what `print(struct_item(..))` gives), when
/// its layout is fixed; `None` otherwise.
pub(super) fn struct_text(
    graph: &Graph,
    files: &SourceFiles,
    plan: &Plan,
    e: usize,
) -> Option<String> {
    let entity = &plan.entities[e];
    if entity.fields.is_empty() {
        return None;
    }
    if let EntityOf::Class(c) = entity.of {
        if !super::hierarchy::identity_const(graph, plan, c).is_empty() {
            return None;
        }
    }
    let name = ident(&entity.name).to_string();
    let (table_id, struct_doc) = struct_doc(graph, files, plan, e);
    let table = graph.table(table_id);
    let mut out = String::with_capacity(1024);
    doc_lines(&mut out, "", &struct_doc);
    out.push_str("#[derive(Debug, Clone, PartialEq)]\n");
    writeln!(out, "pub struct {name} {{").ok()?;
    for field in struct_fields(graph, files, plan, e, table_id) {
        doc_lines(&mut out, "    ", &field.doc);
        let ty = path_text(field.ty)?;
        writeln!(out, "    pub {}: {ty},", ident(field.name)).ok()?;
    }
    out.push_str("}\n");
    writeln!(out, "impl {name} {{").ok()?;
    doc_lines(
        &mut out,
        "    ",
        match table.schema {
            Some(_) => "The table's full name, `schema.table`.",
            None => "The table's name.",
        },
    );
    let table_name = lit(&table.fullname());
    writeln!(out, "    pub const TABLE: &'static str = {table_name};").ok()?;
    out.push_str("    /// The table's column names, in table order.\n");
    let columns: Vec<String> = table.columns.iter().map(|c| lit(&c.name)).collect();
    let opening = "    pub const COLUMNS: &'static [&'static str] = &[";
    let flat = opening.len() + columns.iter().map(|c| c.len() + 2).sum::<usize>();
    if flat <= MAX_LINE {
        writeln!(out, "{opening}{}];", columns.join(", ")).ok()?;
    } else if flat > 95 {
        // Too long for one line by a wide margin: one element per line.
        out.push_str(opening);
        out.push('\n');
        for c in &columns {
            writeln!(out, "        {c},").ok()?;
        }
        out.push_str("    ];\n");
    } else {
        return None;
    }
    out.push_str("}\n");
    fits(&out).then(|| super::rust::space_items(&out))
}

/// The printed `Relation { .. },` entry of `RELATIONS` for `r` at `indent` (as the lines
/// between the array's brackets), when its layout is fixed; `None` otherwise.
pub(super) fn relation_text(
    graph: &Graph,
    plan: &Plan,
    r: &Relationship,
    indent: &str,
) -> Option<String> {
    if !r.options.is_empty() {
        return None;
    }
    let entity = |e: usize| ident(&plan.entities[e].name);
    let (collection, lazy) = super::loading::values(&r.loading);
    let collection = path_text(collection)?;
    if collection.contains('<') {
        return None;
    }
    let mut out = String::with_capacity(512);
    let i = indent;
    writeln!(out, "{i}Relation {{").ok()?;
    let from = entity(plan.class_entity[r.class.0]);
    writeln!(out, "{i}    from: Entity::{from},").ok()?;
    writeln!(out, "{i}    field: {},", lit(&r.key)).ok()?;
    let to = entity(plan.class_entity[r.target.0]);
    writeln!(out, "{i}    to: Entity::{to},").ok()?;
    let kind = super::rust::relation_kind(graph, r);
    writeln!(out, "{i}    kind: RelationKind::{kind},").ok()?;
    writeln!(out, "{i}    uselist: {},", r.uselist).ok()?;
    match r.secondary {
        Some(s) => writeln!(
            out,
            "{i}    via: Some(Entity::{}),",
            entity(plan.table_entity[s.0])
        ),
        None => writeln!(out, "{i}    via: None,"),
    }
    .ok()?;
    match &r.back_populates {
        Some(b) => writeln!(out, "{i}    reverse: Some({}),", lit(b)),
        None => writeln!(out, "{i}    reverse: None,"),
    }
    .ok()?;
    let pairs: Vec<(String, String)> = r
        .local_remote_pairs()
        .map(|&(l, rm)| (lit(&graph.qualified(l)), lit(&graph.qualified(rm))))
        .collect();
    if pairs.is_empty() {
        writeln!(out, "{i}    pairs: &[],").ok()?;
    } else {
        writeln!(out, "{i}    pairs: &[").ok()?;
        for (local, remote) in &pairs {
            // prettyplease breaks a struct literal wider than 34 columns over lines.
            if "ColumnPair { local: , remote:  }".len() + local.len() + remote.len() <= 40 {
                return None;
            }
            writeln!(out, "{i}        ColumnPair {{").ok()?;
            writeln!(out, "{i}            local: {local},").ok()?;
            writeln!(out, "{i}            remote: {remote},").ok()?;
            writeln!(out, "{i}        }},").ok()?;
        }
        writeln!(out, "{i}    ],").ok()?;
    }
    writeln!(out, "{i}    collection: {collection},").ok()?;
    writeln!(out, "{i}    lazy: Lazy::{lazy},").ok()?;
    writeln!(out, "{i}    options: &[],").ok()?;
    writeln!(out, "{i}}},").ok()?;
    fits(&out).then_some(out)
}

/// The registry's items without relation entries (what printing
/// `registry_items(lists, vec![])` gives, `print` here), when its lists are long enough for
/// prettyplease to put each entry on a line of its own. The items are printed for two
/// placeholder entities, whose lines are then replaced by the real entities' lines. `None`
/// when the entities would fit on one line, a line would come near the margin, or the
/// placeholders are not printed as expected.
pub(super) fn registry_skeleton(
    lists: &EntityLists,
    print: impl Fn(&EntityLists) -> String,
) -> Option<String> {
    const A: &str = "Sa2rsPlaceholderEntityA";
    const B: &str = "Sa2rsPlaceholderEntityB";
    const TABLE_A: &str = "sa2rs_placeholder_table_a";
    const TABLE_B: &str = "sa2rs_placeholder_table_b";
    let variants: Vec<String> = lists
        .entities
        .iter()
        .map(|(e, _)| ident(e).to_string())
        .collect();
    // `Entity::ALL` on one line, inside `mod relations` and `impl Entity`.
    let one_line = "        pub const ALL: &'static [Entity] = &[];".len()
        + variants.iter().map(|v| v.len() + 10).sum::<usize>();
    if one_line <= MAX_LINE + 40 {
        return None;
    }
    let placeholders = EntityLists {
        entities: vec![(A.into(), TABLE_A.into()), (B.into(), TABLE_B.into())],
        parents: match lists.parents.is_empty() {
            true => Vec::new(),
            false => vec![(A.into(), B.into()), (B.into(), A.into())],
        },
    };
    let printed = print(&placeholders);
    // A `match self` of `Entity::name()` or `Entity::table()`: `value` of each entity.
    let arms = |a: &str, b: &str, value: fn(&(String, String)) -> &str| {
        (
            format!("Entity::{A} => {},", lit(a)),
            format!("Entity::{B} => {},", lit(b)),
            variants
                .iter()
                .zip(&lists.entities)
                .map(|(v, e)| format!("Entity::{v} => {},", lit(value(e))))
                .collect::<Vec<_>>(),
        )
    };
    // Each list: the placeholder lines it is printed as, and the real lines after an indent.
    let lists_lines: [(String, String, Vec<String>); 5] = [
        (
            format!("{A},"),
            format!("{B},"),
            variants.iter().map(|v| format!("{v},")).collect(),
        ),
        (
            format!("Entity::{A},"),
            format!("Entity::{B},"),
            variants.iter().map(|v| format!("Entity::{v},")).collect(),
        ),
        arms(A, B, |(name, _)| name),
        arms(TABLE_A, TABLE_B, |(_, table)| table),
        (
            format!("Entity::{A} => Some(Entity::{B}),"),
            format!("Entity::{B} => Some(Entity::{A}),"),
            lists
                .parents
                .iter()
                .map(|(c, p)| format!("Entity::{} => Some(Entity::{}),", ident(c), ident(p)))
                .collect(),
        ),
    ];
    let mut seen = [false; 5];
    let mut out = String::with_capacity(printed.len() + 64 * lists.entities.len() * 4);
    for line in printed.lines() {
        let text = line.trim_start();
        let indent = &line[..line.len() - text.len()];
        match lists_lines
            .iter()
            .position(|(a, b, _)| text == a || text == b)
        {
            Some(i) if text == lists_lines[i].0 && !seen[i] => {
                seen[i] = true;
                for real in &lists_lines[i].2 {
                    if indent.len() + real.len() > MAX_LINE {
                        return None;
                    }
                    out.push_str(indent);
                    out.push_str(real);
                    out.push('\n');
                }
            }
            Some(i) if text == lists_lines[i].1 && seen[i] => {}
            Some(_) => return None,
            None if text.contains("Sa2rsPlaceholder") || text.contains("sa2rs_placeholder") => {
                return None
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    let expected = [true, true, true, true, !lists.parents.is_empty()];
    (seen == expected && printed.ends_with('\n')).then_some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn literals_are_written_as_proc_macro2_writes_them() {
        let cases = [
            "users",
            "schema.table",
            "",
            "a b ~ { }",
            "quote\"d",
            "back\\slash",
            "tab\there",
            "new\nline",
            "nul\0",
            "it's",
            "café",
            "\u{7f}",
            "\u{200b}",
        ];
        for s in cases {
            assert_eq!(
                super::lit(s),
                proc_macro2::Literal::string(s).to_string(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn lines_are_those_of_str_lines() {
        let cases = [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "a\rb",
            "a\r",
            "a\r\n\r\n",
            "\r\n",
            " x \n\n  y",
        ];
        for s in cases {
            assert_eq!(
                super::lines(s).collect::<Vec<_>>(),
                s.lines().collect::<Vec<_>>(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn fits_ignores_long_doc_lines_only() {
        let long = "x".repeat(super::MAX_LINE + 1);
        assert!(super::fits("struct A;\n    /// short\n"));
        assert!(super::fits(&format!("a\n    /// {long}\n")));
        assert!(!super::fits(&format!("a\n    {long}\n")));
        assert!(!super::fits(&format!("a\n{long}")));
        assert!(super::fits(&"x".repeat(super::MAX_LINE)));
    }
}
