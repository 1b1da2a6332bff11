//! Stage 3, resolve: the declarations of every input file to the [`Graph`].
//!
//! Each SQLAlchemy rule lives in a small function here whose doc comment names the rule; the
//! reference is SQLAlchemy's `orm/relationships.py` (join conditions, direction, `uselist`,
//! reverse sides), `orm/decl_base.py` (tables and columns) and `sql/schema.py` (nullability).
//! Where SQLAlchemy would raise, an error diagnostic is reported and the construct is left out
//! of the graph, so that the rest of the graph is still right.

mod collections;
mod constraints;
mod explicit;
mod inherit;
mod join;
mod join_condition;
mod join_expr;
mod relationships;
mod tables;

use crate::IndexMap;

use crate::diagnostics::Diagnostic;
use crate::graph::{ClassId, Graph, TableId};
use crate::ir::FileDecls;
use crate::source::FileId;

/// Name look-ups built while resolving.
#[derive(Default)]
struct Names {
    /// Mapped classes by bare name (several modules may map classes of the same name).
    classes: IndexMap<String, Vec<ClassId>>,
    tables: IndexMap<String, TableId>,
    /// `(file, variable)` of plain `Table(...)` assignments.
    table_vars: IndexMap<(FileId, String), TableId>,
    /// Classes left out with a warning, by name: what refers to them is not checked.
    left_out: crate::IndexSet<String>,
}

/// A class looked up by name, as SQLAlchemy's class registry answers.
enum ClassLookup {
    Found(ClassId),
    Missing,
    /// "Multiple classes found for path": the candidates.
    Ambiguous(Vec<ClassId>),
}

impl Names {
    /// Looks up `Name` or a module-qualified `pkg.module.Name`. As in SQLAlchemy's registry
    /// (`clsregistry._add_class`), a qualifier may be any trailing part of the module path.
    fn lookup_class(&self, graph: &Graph, path: &str) -> ClassLookup {
        let (module, name) = match path.rsplit_once('.') {
            Some((m, n)) => (Some(m), n),
            None => (None, path),
        };
        let candidates: Vec<ClassId> = self
            .classes
            .get(name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&id| {
                module.is_none_or(|m| {
                    let cm = &graph.class(id).module;
                    cm == m || cm.ends_with(&format!(".{m}"))
                })
            })
            .collect();
        match candidates.as_slice() {
            [] => ClassLookup::Missing,
            [one] => ClassLookup::Found(*one),
            _ => ClassLookup::Ambiguous(candidates),
        }
    }
}

impl Names {
    /// The table a string names (`secondary="assoc"`, `"assoc.c.id"`), as SQLAlchemy's class
    /// registry finds it from a table whose metadata has the default schema `schema`: the
    /// table of that name in the default schema first.
    fn table_named(&self, graph: &Graph, key: &str, from: TableId) -> Option<TableId> {
        graph
            .table(from)
            .metadata_schema
            .as_ref()
            .filter(|_| !key.contains('.'))
            .and_then(|s| self.tables.get(&format!("{s}.{key}")))
            .or_else(|| self.tables.get(key))
            .copied()
    }

    /// Whether `path` (`Name`, `module.Name`) names a class left out with a warning.
    fn is_left_out(&self, path: &str) -> bool {
        let name = path.rsplit('.').next().unwrap_or(path);
        self.left_out.contains(name)
    }

    /// The class `path` names when it names exactly one.
    fn unique_class(&self, graph: &Graph, path: &str) -> Option<ClassId> {
        match self.lookup_class(graph, path) {
            ClassLookup::Found(id) => Some(id),
            ClassLookup::Missing | ClassLookup::Ambiguous(_) => None,
        }
    }

    /// The class a bare `name` means in `module`: the module's own class of that name, else
    /// the only class of that name.
    fn class_seen_from(&self, graph: &Graph, module: &str, name: &str) -> Option<ClassId> {
        let ids = self.classes.get(name)?;
        ids.iter()
            .copied()
            .find(|&id| graph.class(id).module == module)
            .or(match ids.as_slice() {
                [one] => Some(*one),
                _ => None,
            })
    }
}

/// Resolves every file's declarations into one graph.
pub fn resolve(files: &[FileDecls], diags: &mut Vec<Diagnostic>) -> Graph {
    let mut graph = Graph::default();
    let mut names = Names {
        left_out: files
            .iter()
            .flat_map(|f| &f.left_out)
            .map(|c| c.value.clone())
            .collect(),
        ..Names::default()
    };
    let classes = tables::build(files, &mut graph, &mut names, diags);
    for &(id, decl) in &classes {
        let class = &mut graph.classes[id.0];
        class.properties = decl.properties.clone();
        class.field_options = decl.field_options.clone();
    }
    relationships::build(&classes, &mut graph, &names, diags);
    graph
}
