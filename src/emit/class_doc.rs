//! The parts of a class's docs that are not columns of its table: `column_property(expr)`,
//! `association_proxy(...)` and `synonym(...)` attributes, and the dataclass settings of its
//! fields.

use crate::graph::{ClassId, Column, Graph};
use crate::ir::PropertyKind;
use crate::source::SourceFiles;

/// `""`, or a paragraph listing the class's column properties and association proxies (starting
/// with a blank line, to follow the struct's doc).
pub(super) fn properties_doc(graph: &Graph, files: &SourceFiles, class: ClassId) -> String {
    let properties = &graph.class(class).properties;
    if properties.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n\nOther mapped attributes (not columns of the table):");
    for p in properties {
        let what = match &p.kind {
            PropertyKind::ColumnProperty { expr } => format!(
                "a SQL expression loaded with the row (`column_property`): `{}`",
                one_line(expr)
            ),
            PropertyKind::AssociationProxy { collection, attr } => {
                format!("`{attr}` of each row of `{collection}` (`association_proxy`)")
            }
            PropertyKind::Synonym { name } => format!("another name for `{name}` (`synonym`)"),
        };
        out.push_str(&format!(
            "\n- `{}`: {what} (`{}`).",
            p.attr.value,
            files.location(p.span)
        ));
    }
    out
}

/// The dataclass settings of the field mapping `col` in `class` (declared on it or on an
/// ancestor).
pub(super) fn field_options<'g>(
    graph: &'g Graph,
    class: ClassId,
    col: &Column,
) -> &'g [(String, String)] {
    let Some(attr) = col.attr.as_deref() else {
        return &[];
    };
    graph
        .lineage(class)
        .into_iter()
        .find_map(|c| graph.class(c).field_options.iter().find(|f| f.attr == attr))
        .map_or(&[], |f| &f.options)
}

fn one_line(s: &str) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.replace('`', "'")
}
