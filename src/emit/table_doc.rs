//! The part of a struct's doc comment that describes its table's arguments: constraints,
//! indexes and options, as declared.

use crate::graph::Table;
use crate::ir::ConstraintKind;

/// `""`, or paragraphs listing the table's constraints and options (each starting with a blank
/// line, to follow the struct's doc).
pub(super) fn table_args_doc(table: &Table) -> String {
    let mut out = String::new();
    if !table.constraints.is_empty() {
        out.push_str("\n\nConstraints and indexes:");
        for c in &table.constraints {
            let cols: Vec<String> = c
                .columns
                .iter()
                .filter_map(|&i| table.columns.get(i))
                .enumerate()
                .map(
                    |(at, col)| match c.ddl.orders.iter().find(|(i, _)| *i == at) {
                        Some((_, order)) => format!("`{}` {order}", col.name),
                        None => format!("`{}`", col.name),
                    },
                )
                .chain(c.expressions.iter().map(|e| format!("`{}`", one_line(e))))
                .collect();
            let cols = cols.join(", ");
            let name = c.name.as_ref().map_or(String::new(), |n| format!(" `{n}`"));
            let line = match &c.kind {
                ConstraintKind::PrimaryKey => format!("primary key{name} ({cols})"),
                ConstraintKind::Unique => format!("unique{name} ({cols})"),
                ConstraintKind::Index { unique: true } => format!("unique index{name} ({cols})"),
                ConstraintKind::Index { unique: false } => format!("index{name} ({cols})"),
                ConstraintKind::Check { sql, .. } => format!("check{name}: `{}`", one_line(sql)),
                ConstraintKind::ForeignKey { targets, .. } => {
                    let targets: Vec<String> =
                        targets.iter().map(|t| format!("`{}`", t.value)).collect();
                    format!("foreign key{name} ({cols}) to ({})", targets.join(", "))
                }
            };
            out.push_str("\n- ");
            out.push_str(&line);
            let options: Vec<String> = c
                .ddl
                .options
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("`{k}={}`", one_line(v)),
                    None => format!("`{k}`"),
                })
                .collect();
            if !options.is_empty() {
                out.push_str(&format!(", {}", options.join(", ")));
            }
            if !c.ddl.dialects.is_empty() {
                out.push_str(&format!(
                    ", created for {} only",
                    c.ddl.dialects.join(" and ")
                ));
            }
        }
    }
    if !table.options.is_empty() {
        let opts: Vec<String> = table
            .options
            .iter()
            .map(|(k, v)| format!("`{k}={}`", one_line(v)))
            .collect();
        out.push_str(&format!("\n\nTable options: {}.", opts.join(", ")));
    }
    out
}

fn one_line(s: &str) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.replace('`', "'")
}
