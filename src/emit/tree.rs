//! `--emit rust -o DIR`: the Rust output as a module tree mirroring the Python package.
//!
//! Each Python module that declares tables becomes a Rust module (`models/post.py` ->
//! `models/post.rs`; a package's own tables go into its `mod.rs`), the relation registry
//! becomes `relations.rs`, and the root `mod.rs` re-exports every struct and enum, whose names
//! are unique across the whole tree.

use std::path::PathBuf;

use crate::IndexMap;
use proc_macro2::TokenStream;
use quote::quote;

use super::enums::enum_item;
use super::names::{ident, Namespace};
use super::rust::{header, inner_doc, plan, print, print_registry, struct_item, EntityOf};
use crate::graph::Graph;
use crate::source::SourceFiles;

/// One file of the tree: its path relative to the output directory, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: PathBuf,
    pub contents: String,
}

/// A Rust module of the tree.
#[derive(Default)]
struct Node {
    /// The Python module it ports, with its file, if it holds items.
    python: Option<(String, String)>,
    items: Vec<TokenStream>,
    /// Names of the items, for the root's re-exports.
    exported: Vec<String>,
    /// Its items name what the root declares (`relations::Entity`, structs of other modules):
    /// the file imports the root's names.
    uses_root: bool,
    children: IndexMap<String, Node>,
}

/// Generates the module tree for the graph.
pub fn emit_tree(graph: &Graph, files: &SourceFiles, inputs: &[String]) -> Vec<GeneratedFile> {
    let plan = plan(graph, files);
    // Each struct goes to the module of what it maps: its class's, or its plain table's.
    let home = |e: usize| -> (&str, crate::source::Span) {
        match plan.entities[e].of {
            EntityOf::Class(c) => (graph.class(c).module.as_str(), graph.class(c).span),
            EntityOf::Table(t) => (graph.table(t).module.as_str(), graph.table(t).span),
        }
    };
    let modules: Vec<Vec<&str>> = (0..plan.entities.len())
        .map(|e| home(e).0.split('.').collect())
        .collect();
    let skip = common_prefix(&modules);

    let mut root = Node::default();
    let mut place = |e: usize, item: TokenStream, name: String, uses_root: bool| {
        let mut node = &mut root;
        for part in &modules[e][skip..] {
            node = node.children.entry((*part).to_owned()).or_default();
        }
        let (module, span) = home(e);
        node.python
            .get_or_insert_with(|| (module.to_owned(), files.name(span.file).to_owned()));
        node.items.push(item);
        node.exported.push(name);
        node.uses_root |= uses_root;
    };
    for (e, entity) in plan.entities.iter().enumerate() {
        // An enum lives beside the first struct using it; a hierarchy's enum beside its root.
        for (i, en) in plan.enums.items.iter().enumerate() {
            if plan.enums.home_table(i).map(|t| plan.table_entity[t]) == Some(e) {
                place(e, enum_item(en), en.name.clone(), false);
            }
        }
        place(
            e,
            struct_item(graph, files, &plan, e),
            entity.name.clone(),
            false,
        );
        for h in plan
            .hierarchies
            .iter()
            .filter(|h| plan.class_entity[h.root.0] == e)
        {
            place(
                e,
                super::hierarchy::any_enum(graph, &plan, h),
                h.name.clone(),
                true,
            );
        }
    }

    let mut out = Vec::new();
    let mut reexports = Vec::new();
    let children = write_children(
        &mut root,
        PathBuf::new(),
        &mut Vec::new(),
        &mut reexports,
        &mut out,
    );
    let header = header(inputs);
    let items = &root.items;
    out.push(GeneratedFile {
        path: PathBuf::from("mod.rs"),
        contents: print(quote! {
            #(#header)*
            #(#children)*
            pub mod relations;
            #(#reexports)*
            #(#items)*
        }),
    });
    let registry_doc = print(inner_doc(
        "Every relationship of the models, as SQLAlchemy configures it.",
    ));
    let contents = format!("{registry_doc}\n{}", print_registry(graph, &plan, false));
    out.push(GeneratedFile {
        path: PathBuf::from("relations.rs"),
        contents,
    });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Writes the children of `node` (at `dir`) as files; returns the `pub mod` declarations for
/// them and collects re-exports (`pub use self::a::b::Name;`) for the root.
fn write_children(
    node: &mut Node,
    dir: PathBuf,
    path: &mut Vec<proc_macro2::Ident>,
    reexports: &mut Vec<TokenStream>,
    out: &mut Vec<GeneratedFile>,
) -> Vec<TokenStream> {
    let mut names = Namespace::default();
    names.reserve("relations");
    let mut decls = Vec::new();
    let mut children: Vec<(String, Node)> =
        std::mem::take(&mut node.children).into_iter().collect();
    children.sort_by(|a, b| a.0.cmp(&b.0));
    for (python_name, mut child) in children {
        let text = names.snake(&python_name);
        let file_stem = text.clone();
        let id = ident(&text);
        decls.push(quote! { pub mod #id; });
        path.push(id);
        for name in &child.exported {
            let name = ident(name);
            reexports.push(quote! { pub use self::#(#path)::*::#name; });
        }
        let grandchildren = write_children(&mut child, dir.join(&file_stem), path, reexports, out);
        path.pop();
        let file_doc = match &child.python {
            Some((module, file)) => format!("Models of the Python module `{module}` (`{file}`)."),
            None => format!("The Python package `{python_name}`."),
        };
        let file_doc = inner_doc(&file_doc);
        let items = &child.items;
        // `super::` up to the root, which declares `relations` and re-exports every struct.
        let up = std::iter::repeat_n(quote!(super::), path.len() + 1);
        let root_names = child.uses_root.then(|| {
            quote! {
                #[allow(unused_imports)]
                use #(#up)* *;
            }
        });
        let contents = print(quote! { #file_doc #root_names #(#grandchildren)* #(#items)* });
        let file = if grandchildren.is_empty() {
            dir.join(format!("{file_stem}.rs"))
        } else {
            dir.join(&file_stem).join("mod.rs")
        };
        out.push(GeneratedFile {
            path: file,
            contents,
        });
    }
    decls
}

/// How many leading module components all tables share, leaving at least one of each: these
/// name the package the output directory stands for.
fn common_prefix(modules: &[Vec<&str>]) -> usize {
    let Some(first) = modules.first() else {
        return 0;
    };
    let shortest = modules.iter().map(Vec::len).min().unwrap_or(0);
    let mut n = 0;
    while n + 1 < shortest && modules.iter().all(|m| m[n] == first[n]) {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::common_prefix;

    #[test]
    fn the_shared_package_is_the_root() {
        let m = |s: &'static str| s.split('.').collect::<Vec<_>>();
        assert_eq!(
            common_prefix(&[m("app.models.user"), m("app.models.post")]),
            2
        );
        assert_eq!(common_prefix(&[m("models")]), 0);
        assert_eq!(common_prefix(&[m("app.models"), m("app.models.user")]), 1);
    }
}
