//! Stage 3, resolve: the declarations of every input file to the [`Graph`].
//!
//! Each SQLAlchemy rule lives in a small function here whose doc comment names the rule; the
//! reference is SQLAlchemy's `orm/relationships.py` (join conditions, direction, `uselist`,
//! reverse sides), `orm/decl_base.py` (tables and columns) and `sql/schema.py` (nullability).
//! Where SQLAlchemy would raise, an error diagnostic is reported and the construct is left out
//! of the graph, so that the rest of the graph is still right.

mod inherit;
mod join;
mod relationships;
mod tables;

use indexmap::IndexMap;

use crate::diagnostics::Diagnostic;
use crate::graph::{ClassId, Graph, TableId};
use crate::ir::FileDecls;
use crate::source::FileId;

/// Name look-ups built while resolving.
#[derive(Default)]
struct Names {
    classes: IndexMap<String, ClassId>,
    tables: IndexMap<String, TableId>,
    /// `(file, variable)` of plain `Table(...)` assignments.
    table_vars: IndexMap<(FileId, String), TableId>,
}

/// Resolves every file's declarations into one graph.
pub fn resolve(files: &[FileDecls], diags: &mut Vec<Diagnostic>) -> Graph {
    let mut graph = Graph::default();
    let mut names = Names::default();
    let classes = tables::build(files, &mut graph, &mut names, diags);
    relationships::build(&classes, &mut graph, &names, diags);
    graph
}
