//! What the ORM targets (`--target sqlx|diesel|sea-orm`) share: one entity per table, named
//! after the class that maps it, and every relationship as the tables and column pairs a query
//! joins. A relationship a query on column pairs cannot reproduce is reported, never emitted
//! as something it is not.

use crate::diagnostics::{self as diag, Diagnostic};
use crate::graph::{ColumnRef, Graph, InheritKind, Relationship, TableId};
use crate::source::SourceFiles;

use super::names::Namespace;

/// The entities and relations of a graph, as the ORM targets generate them.
pub struct OrmPlan {
    /// The names the plain output gives structs and enums (enums are shared with it).
    pub(super) base: super::rust::Plan,
    /// One entity per table, by [`TableId`].
    pub tables: Vec<TablePlan>,
    /// Every relationship a target can express, in graph order.
    pub relations: Vec<RelationPlan>,
}

/// One table's entity.
pub struct TablePlan {
    /// The struct's name (`User`, `PostTags`).
    pub name: String,
    /// The module (file) name of the entity (`user`, `post_tags`).
    pub module: String,
    /// Each column's field name, in table order.
    pub fields: Vec<String>,
}

/// A relationship as a query: from the rows of `from`, the related rows of `to`.
pub struct RelationPlan {
    /// Its index in [`Graph::relationships`].
    pub rel: usize,
    pub from: TableId,
    pub to: TableId,
    /// The method (or relation) name, from the Python attribute, unique within `from`.
    pub name: String,
    /// A collection (`uselist`), else at most one row.
    pub many: bool,
    pub join: RelationJoin,
    /// The rows of `from` it belongs to, when its class is a single-table subclass.
    pub from_rows: Option<Discriminator>,
    /// The related rows of `to` it loads, when its target is a single-table subclass.
    pub to_rows: Option<Discriminator>,
}

/// The rows of a single-table subclass (and its subclasses): those whose discriminator column
/// holds one of their polymorphic identities.
#[derive(Debug, Clone, PartialEq)]
pub struct Discriminator {
    /// The column's position in the table.
    pub column: usize,
    pub identities: Vec<crate::ir::Identity>,
}

/// How the rows are related: column positions in their tables.
pub enum RelationJoin {
    /// `to.remote = from.local` for each `(local, remote)`.
    Direct { pairs: Vec<(usize, usize)> },
    /// Through an association table: `secondary.s = from.local` for each `(local, s)` of
    /// `parent`, and `secondary.s = to.c` for each `(c, s)` of `target`.
    Through {
        secondary: TableId,
        parent: Vec<(usize, usize)>,
        target: Vec<(usize, usize)>,
    },
}

impl OrmPlan {
    /// The graph relationship a plan entry stands for.
    pub fn relationship<'g>(&self, graph: &'g Graph, r: &RelationPlan) -> &'g Relationship {
        &graph.relationships[r.rel]
    }

    /// The name of the generated enum of column `column` of table `table`, if it has one.
    pub fn enum_name(&self, table: TableId, column: usize) -> Option<&str> {
        self.base
            .enums
            .of_column(table.0, column)
            .map(|e| e.name.as_str())
    }

    /// The relations whose rows start from `table`.
    pub fn relations_from(&self, table: TableId) -> impl Iterator<Item = &RelationPlan> {
        self.relations.iter().filter(move |r| r.from == table)
    }
}

/// How a target's output is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One file.
    File,
    /// A module tree (`-o DIR/`): `mod.rs` and the files it declares.
    Tree,
}

/// The output of a target in `layout`: `main`, the items of the one file or of `mod.rs` (its
/// first item the file's doc comment), and `modules` as `(name, file text, inline text)`: in a
/// tree each is a file `name.rs`, declared in `mod.rs`; in one file, its inline module.
pub(super) fn assemble(
    layout: Layout,
    mut main: Vec<String>,
    modules: Vec<(String, String, String)>,
) -> Vec<super::tree::GeneratedFile> {
    use super::tree::GeneratedFile;
    match layout {
        Layout::File => {
            main.extend(modules.into_iter().map(|(_, _, inline)| inline));
            main.retain(|p| !p.is_empty());
            vec![GeneratedFile {
                path: std::path::PathBuf::new(),
                contents: main.join("\n"),
            }]
        }
        Layout::Tree => {
            let declared: Vec<String> = modules
                .iter()
                .map(|(m, _, _)| format!("pub mod {m};\n"))
                .collect();
            // The declarations follow the file's own doc comment (and its `use` lines).
            main.insert(1, declared.concat());
            main.retain(|p| !p.is_empty());
            let mut files = vec![GeneratedFile {
                path: "mod.rs".into(),
                contents: main.join("\n"),
            }];
            files.extend(modules.into_iter().map(|(m, text, _)| GeneratedFile {
                path: format!("{m}.rs").into(),
                contents: text,
            }));
            files
        }
    }
}

/// The doc comment of a table's entity: what maps it, where it is declared, its arguments.
pub(super) fn entity_doc(graph: &Graph, files: &SourceFiles, t: TableId) -> String {
    let table = graph.table(t);
    let what = match table.class {
        Some(c) => format!(
            "Table `{}`, mapped by class `{}`.\n\nDeclared at `{}`.",
            table.fullname(),
            graph.class(c).name,
            files.location(graph.class(c).span)
        ),
        None => format!(
            "Table `{}` (a plain `Table`, mapped by no class).\n\nDeclared at `{}`.",
            table.fullname(),
            files.location(table.span)
        ),
    };
    format!("{what}{}", super::table_doc::table_args_doc(table))
}

/// The doc comment of a relationship's loader.
pub(super) fn loader_doc(
    graph: &Graph,
    files: &SourceFiles,
    plan: &OrmPlan,
    r: &RelationPlan,
) -> String {
    let rel = plan.relationship(graph, r);
    let kind = match rel.direction {
        _ if graph.is_one_to_one(rel) => "one-to-one",
        crate::graph::Direction::OneToMany => "one-to-many",
        crate::graph::Direction::ManyToOne => "many-to-one",
        crate::graph::Direction::ManyToMany => "many-to-many",
    };
    format!(
        "`{}.{}`: the related `{}` {} ({kind}; `{}`).",
        graph.class(rel.class).name,
        rel.key,
        graph.class(rel.target).name,
        if r.many { "rows" } else { "row" },
        files.location(rel.span)
    )
}

/// `W0701` for column `c` of table `t`, which `target` reads and writes as `how`.
pub(super) fn unmapped_type(
    graph: &Graph,
    t: TableId,
    c: usize,
    target: &str,
    how: &str,
) -> Diagnostic {
    let col = &graph.table(t).columns[c];
    diag::column_type_not_expressible(
        col.span,
        &format!("{}.{}", graph.table(t).fullname(), col.name),
        &col.ty.class,
        target,
        how,
    )
}

/// Types sqlx's SQLite driver (which SeaORM uses too) has no Rust type for: read as text.
pub(super) fn no_sqlite_type(kind: &crate::ir::TypeKind) -> bool {
    use crate::ir::TypeKind;
    matches!(
        kind,
        TypeKind::Interval | TypeKind::StringMap | TypeKind::Array { .. } | TypeKind::UInt64
    )
}

/// `Option<ty>` for a nullable column.
pub(super) fn optional(ty: proc_macro2::TokenStream, nullable: bool) -> proc_macro2::TokenStream {
    if nullable {
        quote::quote!(Option<#ty>)
    } else {
        ty
    }
}

/// Plans the entities and relations; what a query on column pairs cannot express is reported
/// in `diags` (`target` names the target in the message).
pub fn plan(
    graph: &Graph,
    files: &SourceFiles,
    target: &str,
    diags: &mut Vec<Diagnostic>,
) -> OrmPlan {
    let base = super::rust::plan(graph, files);
    let mut modules = Namespace::default();
    for reserved in ["mod", "prelude", "schema", "relations"] {
        modules.reserve(reserved);
    }
    let tables: Vec<TablePlan> = graph
        .tables
        .iter()
        .enumerate()
        .map(|(t, table)| {
            let name = base.entities[base.table_entity[t]].name.clone();
            // Not a raw identifier: SeaORM's macros build paths from module names.
            let snake = heck::ToSnakeCase::to_snake_case(name.as_str());
            let module = if super::names::is_keyword(&snake) {
                modules.snake(&format!("{snake}_table"))
            } else {
                modules.snake(&name)
            };
            let mut ns = Namespace::default();
            let fields = table
                .columns
                .iter()
                .map(|col| ns.snake(col.attr.as_deref().unwrap_or(&col.name)))
                .collect();
            TablePlan {
                name,
                module,
                fields,
            }
        })
        .collect();
    let mut names: Vec<Namespace> = tables
        .iter()
        .map(|t| {
            let mut ns = Namespace::default();
            for f in &t.fields {
                ns.reserve(f);
            }
            ns
        })
        .collect();
    let mut relations = Vec::new();
    for (i, rel) in graph.relationships.iter().enumerate() {
        match relation(graph, rel) {
            Ok(p) => relations.push(RelationPlan {
                rel: i,
                from: p.from,
                to: p.to,
                name: names[p.from.0].snake(&rel.key),
                many: rel.uselist,
                join: p.join,
                from_rows: p.from_rows,
                to_rows: p.to_rows,
            }),
            Err(why) => {
                let class = &graph.class(rel.class).name;
                diags.push(diag::relation_not_expressible(
                    rel.span, class, &rel.key, target, &why,
                ));
            }
        }
    }
    OrmPlan {
        base,
        tables,
        relations,
    }
}

/// The tables and column pairs of a relationship, or why a query on them would not load what
/// SQLAlchemy loads.
fn relation(graph: &Graph, rel: &Relationship) -> Result<Planned, String> {
    if let Some((option, _)) = rel
        .options
        .iter()
        .find(|(k, _)| k == "primaryjoin" || k == "secondaryjoin")
    {
        return Err(format!(
            "its `{option}` may hold conditions other than column pairs"
        ));
    }
    let mut rows = Vec::new();
    for (c, role) in [(rel.class, "class"), (rel.target, "target")] {
        let class = graph.class(c);
        let single = class
            .inherits
            .is_some_and(|i| i.kind == InheritKind::Single);
        rows.push(if single {
            Some(discriminator(graph, c).ok_or_else(|| {
                format!(
                    "its {role} `{}` is a single-table subclass whose discriminator or identities are not known",
                    class.name
                )
            })?)
        } else {
            None
        });
    }
    let from = graph.class(rel.class).table;
    let to = graph.class(rel.target).table;
    let local = |r: ColumnRef| column_in(graph, from, r).ok_or_else(|| outside(graph, r));
    let remote = |r: ColumnRef| column_in(graph, to, r).ok_or_else(|| outside(graph, r));
    let join = match rel.secondary {
        None => RelationJoin::Direct {
            pairs: rel
                .pairs
                .iter()
                .map(|&(l, r)| Ok((local(l)?, remote(r)?)))
                .collect::<Result<_, String>>()?,
        },
        Some(secondary) => {
            let sec = |r: ColumnRef| {
                (r.table == secondary)
                    .then_some(r.index)
                    .ok_or_else(|| outside(graph, r))
            };
            RelationJoin::Through {
                secondary,
                parent: rel
                    .pairs
                    .iter()
                    .map(|&(l, s)| Ok((local(l)?, sec(s)?)))
                    .collect::<Result<_, String>>()?,
                target: rel
                    .secondary_pairs
                    .iter()
                    .map(|&(t, s)| Ok((remote(t)?, sec(s)?)))
                    .collect::<Result<_, String>>()?,
            }
        }
    };
    let empty = match &join {
        RelationJoin::Direct { pairs } => pairs.is_empty(),
        RelationJoin::Through { parent, target, .. } => parent.is_empty() || target.is_empty(),
    };
    if empty {
        return Err("it joins on no column pairs".into());
    }
    let to_rows = rows.pop().flatten();
    let from_rows = rows.pop().flatten();
    Ok(Planned {
        from,
        to,
        join,
        from_rows,
        to_rows,
    })
}

/// What [`relation`] plans.
struct Planned {
    from: TableId,
    to: TableId,
    join: RelationJoin,
    from_rows: Option<Discriminator>,
    to_rows: Option<Discriminator>,
}

/// The rows of single-table class `class`: its discriminator (`polymorphic_on`, declared up its
/// lineage) and the identities of the class and its subclasses on the same table.
fn discriminator(graph: &Graph, class: crate::graph::ClassId) -> Option<Discriminator> {
    let table = graph.class(class).table;
    let on = graph
        .lineage(class)
        .into_iter()
        .find_map(|c| graph.class(c).polymorphic_on)?;
    if on.table != table {
        return None;
    }
    let mut identities = Vec::new();
    for (i, c) in graph.classes.iter().enumerate() {
        let id = crate::graph::ClassId(i);
        if c.table == table && graph.lineage(id).contains(&class) {
            identities.push(c.polymorphic_identity.clone()?);
        }
    }
    Some(Discriminator {
        column: on.index,
        identities,
    })
}

/// The position in `table` of column `r`, or of the column of `table` that stands for it under
/// joined-table inheritance (a primary key column with a foreign key to it).
fn column_in(graph: &Graph, table: TableId, r: ColumnRef) -> Option<usize> {
    if r.table == table {
        return Some(r.index);
    }
    graph.tables[table.0]
        .columns
        .iter()
        .position(|c| c.primary_key && c.foreign_keys.iter().any(|fk| fk.column == Some(r)))
}

fn outside(graph: &Graph, r: ColumnRef) -> String {
    format!(
        "it joins on `{}`, a column of neither table",
        graph.qualified(r)
    )
}
