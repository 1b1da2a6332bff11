//! `--emit rust`: one struct per mapped class and per plain table, generated enums, and the
//! relation registry, built with `quote` and printed with `prettyplease` (formatted,
//! deterministic, no rustfmt needed).

use crate::IndexMap;
use proc_macro2::TokenStream;
use quote::quote;

use super::enums::{enum_item, Enums};
use super::names::{ident, Namespace};
use crate::graph::{ClassId, Column, ColumnRef, Direction, Graph, TableId};
use crate::ir::TypeKind;
use crate::source::SourceFiles;

/// Names chosen for the generated items.
pub(super) struct Plan {
    /// The generated structs, in declaration order: one per mapped class, one per plain table.
    pub entities: Vec<EntityPlan>,
    /// The entity of each class.
    pub class_entity: Vec<usize>,
    /// The entity standing for each table: its plain table's, or its base-most class's.
    pub table_entity: Vec<usize>,
    /// Generated enums, and the columns using them.
    pub enums: Enums,
    /// The `Any...` enum of each class hierarchy (root and members).
    pub hierarchies: Vec<super::hierarchy::Hierarchy>,
}

/// One generated struct.
pub(super) struct EntityPlan {
    pub name: String,
    pub of: EntityOf,
    /// Its columns (a class's mapped columns, or a plain table's) with their field names.
    pub fields: Vec<(ColumnRef, String)>,
}

/// What a struct maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EntityOf {
    Class(ClassId),
    Table(TableId),
}

/// Generates the Rust module for the graph. `inputs` names what was read, for the header.
pub fn emit(graph: &Graph, files: &SourceFiles, inputs: &[String]) -> String {
    use rayon::prelude::*;
    let plan = plan(graph, files);
    // Items are built and printed one by one, in parallel: tokens and syntax trees of the
    // whole file never exist at once, and the output is the same as printing it whole.
    let (enums, entities, hierarchies) = (
        plan.enums.items.len(),
        plan.entities.len(),
        plan.hierarchies.len(),
    );
    // The registry, the largest item and partly serial, is started first, beside the others.
    let items = || -> Vec<String> {
        (0..1 + enums + entities + hierarchies)
            .into_par_iter()
            .map(|i| match i {
                0 => {
                    let header = header(inputs);
                    print(quote! { #(#header)* })
                }
                i if i <= enums => print(enum_item(&plan.enums.items[i - 1])),
                i if i <= enums + entities => {
                    let e = i - 1 - enums;
                    match super::text::struct_text(graph, files, &plan, e) {
                        Some(text) => {
                            debug_assert_eq!(text, print(struct_item(graph, files, &plan, e)));
                            text
                        }
                        None => print(struct_item(graph, files, &plan, e)),
                    }
                }
                i => {
                    let h = &plan.hierarchies[i - 1 - enums - entities];
                    print(super::hierarchy::any_enum(graph, &plan, h))
                }
            })
            .collect()
    };
    let (registry, mut pieces) = rayon::join(|| print_registry(graph, &plan, true), items);
    pieces.push(registry);
    pieces.retain(|p| !p.is_empty());
    pieces.join("\n")
}

/// Formats a file's tokens.
pub(super) fn print(file: TokenStream) -> String {
    match syn::parse2::<syn::File>(file) {
        Ok(f) => space_items(&prettyplease::unparse(&f)),
        // The tokens come from this module alone; failing to parse them is a bug, reported as
        // such rather than as bad output.
        Err(e) => format!("compile_error!(\"sa2rs generated invalid Rust: {e}\");\n"),
    }
}

/// Puts a blank line between consecutive items, as rustfmt-formatted code has them
/// (prettyplease leaves none): after an item's closing `}` or `;`, or after the module's inner
/// doc, before the next item at the same indentation.
pub(super) fn space_items(code: &str) -> String {
    const STARTS: &[&str] = &[
        "///", "#[", "pub ", "impl ", "fn ", "const ", "static ", "enum ", "struct ", "mod ",
        "use ",
    ];
    let lines: Vec<&str> = super::text::lines(code).collect();
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.get(i + 1) else {
            continue;
        };
        let indent = |l: &str| l.len() - l.trim_start().len();
        let (cur, nxt) = (line.trim(), next.trim_start());
        let ends_item =
            cur == "}" || cur.ends_with(';') || (cur.starts_with("//!") && !nxt.starts_with("//!"));
        // Consecutive one-line `mod`/`use` declarations stay together, as rustfmt keeps them.
        let same_group = ["pub mod ", "pub use ", "mod ", "use "]
            .iter()
            .any(|p| cur.starts_with(p) && nxt.starts_with(p) && cur.ends_with(';'));
        if ends_item
            && !same_group
            && indent(line) == indent(next)
            && STARTS.iter().any(|s| nxt.starts_with(s))
        {
            out.push('\n');
        }
    }
    out
}

pub(super) fn doc(text: &str) -> TokenStream {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect();
    quote! { #(#[doc = #lines])* }
}

pub(super) fn header(inputs: &[String]) -> Vec<TokenStream> {
    let from = super::inputs_summary(inputs);
    let text = format!(
        "Models ported from {from} by sa2rs.\n\nOne struct per table, the enums their columns use, and [`relations`], a typed\nregistry of every relationship. Generated: regenerate rather than edit."
    );
    vec![inner_doc(&text)]
}

/// A file's own doc comment (`//!` lines).
pub(super) fn inner_doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #(#![doc = #lines])* }
}

pub(super) fn plan(graph: &Graph, files: &SourceFiles) -> Plan {
    let mut types = Namespace::default();
    types.reserve("relations");
    // Classes first, so a class keeps its own name and a plain table yields (`AssociationTable`).
    let mut order: Vec<(crate::source::Span, EntityOf)> = graph
        .classes
        .iter()
        .enumerate()
        .map(|(c, class)| (class.span, EntityOf::Class(ClassId(c))))
        .collect();
    order.extend(
        graph
            .tables
            .iter()
            .enumerate()
            .filter(|(_, t)| t.class.is_none())
            .map(|(t, table)| (table.span, EntityOf::Table(TableId(t)))),
    );
    order.sort_by_key(|(span, _)| (span.file, span.start));
    let mut names: Vec<String> = vec![String::new(); order.len()];
    // A class name mapped in several modules is qualified by its module everywhere, so that
    // neither reads as the "real" one.
    let mut seen: IndexMap<&str, usize> = IndexMap::default();
    for class in &graph.classes {
        *seen.entry(class.name.as_str()).or_default() += 1;
    }
    for (e, (_, of)) in order.iter().enumerate() {
        if let EntityOf::Class(c) = of {
            let class = graph.class(*c);
            let module = class.module.rsplit('.').next().unwrap_or(&class.module);
            let qualified = format!("{module}_{}", class.name);
            names[e] = if seen.get(class.name.as_str()).is_some_and(|&n| n > 1) {
                types.camel_or(&qualified, &[])
            } else {
                types.camel_or(&class.name, &[qualified])
            };
        }
    }
    for (e, (_, of)) in order.iter().enumerate() {
        if let EntityOf::Table(t) = of {
            let name = &graph.table(*t).name;
            names[e] = types.camel_or(name, &[format!("{name}_table")]);
        }
    }
    let mut class_entity = vec![0; graph.classes.len()];
    let mut table_entity = vec![0; graph.tables.len()];
    let mut entities = Vec::new();
    for (e, ((_, of), name)) in order.into_iter().zip(names).enumerate() {
        let columns: Vec<ColumnRef> = match of {
            EntityOf::Class(c) => {
                class_entity[c.0] = e;
                graph.class(c).columns.clone()
            }
            EntityOf::Table(t) => {
                table_entity[t.0] = e;
                (0..graph.table(t).columns.len())
                    .map(|index| ColumnRef { table: t, index })
                    .collect()
            }
        };
        let mut ns = Namespace::default();
        let fields = columns
            .into_iter()
            .map(|r| {
                let col = graph.column(r);
                (r, ns.snake(col.attr.as_deref().unwrap_or(&col.name)))
            })
            .collect();
        entities.push(EntityPlan { name, of, fields });
    }
    for (t, table) in graph.tables.iter().enumerate() {
        if let Some(c) = table.class {
            table_entity[t] = class_entity[c.0];
        }
    }
    let table_names: Vec<String> = table_entity
        .iter()
        .map(|&e| entities[e].name.clone())
        .collect();
    let enums = Enums::plan(graph, files, &table_names, &mut types);
    let hierarchies = super::hierarchy::plan(graph, &mut types);
    Plan {
        entities,
        class_entity,
        table_entity,
        enums,
        hierarchies,
    }
}

/// The Rust type of a column's values (without `Option`).
pub(super) fn value_type(plan: &Plan, t: usize, c: usize, col: &Column) -> TokenStream {
    let enum_name = plan.enums.of_column(t, c).map(|e| ident(&e.name));
    kind_type(&col.ty.kind, enum_name.as_ref())
}

/// The Rust type of a type kind; `enum_name` is the generated enum of an `Enum` (or of an
/// `ARRAY`'s `Enum` items), if there is one.
fn kind_type(kind: &TypeKind, enum_name: Option<&proc_macro2::Ident>) -> TokenStream {
    match kind {
        TypeKind::Int8 => quote!(i8),
        TypeKind::Int16 => quote!(i16),
        TypeKind::Int32 => quote!(i32),
        TypeKind::Int64 => quote!(i64),
        TypeKind::UInt8 => quote!(u8),
        TypeKind::UInt16 => quote!(u16),
        TypeKind::UInt32 => quote!(u32),
        TypeKind::UInt64 => quote!(u64),
        TypeKind::Text { .. } | TypeKind::Unknown => quote!(String),
        TypeKind::Bool => quote!(bool),
        TypeKind::Float => quote!(f64),
        TypeKind::Decimal { .. } => quote!(rust_decimal::Decimal),
        TypeKind::Date => quote!(chrono::NaiveDate),
        TypeKind::DateTime { timezone: false } => quote!(chrono::NaiveDateTime),
        TypeKind::DateTime { timezone: true } => quote!(chrono::DateTime<chrono::Utc>),
        TypeKind::Time => quote!(chrono::NaiveTime),
        TypeKind::Interval => quote!(chrono::TimeDelta),
        TypeKind::Binary => quote!(Vec<u8>),
        TypeKind::Json => quote!(serde_json::Value),
        TypeKind::Uuid => quote!(uuid::Uuid),
        TypeKind::StringMap => quote!(std::collections::BTreeMap<String, Option<String>>),
        TypeKind::Enum(_) => match enum_name {
            Some(name) => quote!(#name),
            None => quote!(String),
        },
        TypeKind::Array { item, dimensions } => {
            let mut ty = kind_type(item, enum_name);
            for _ in 0..*dimensions {
                ty = quote!(Vec<#ty>);
            }
            ty
        }
    }
}

pub(super) fn column_doc(
    graph: &Graph,
    files: &SourceFiles,
    col: &Column,
    field: &str,
    table: Option<&str>,
    dataclass: &[(String, String)],
) -> String {
    use std::fmt::Write as _;
    // One string, written in place: this runs for every column of the output.
    let mut out = String::with_capacity(128);
    let python = col.attr.as_deref().unwrap_or(&col.name);
    // (Writing to a `String` cannot fail.)
    let _ = match table {
        Some(t) => write!(out, "Column `{t}.{}`", col.name),
        None => write!(out, "Column `{}`", col.name),
    };
    if python != col.name {
        let _ = write!(out, " (Python attribute `{python}`)");
    } else if python != field {
        let _ = write!(out, " (renamed from Python attribute `{python}`)");
    }
    let _ = write!(out, ": `{}`", col.ty.class);
    let flags = [
        (col.primary_key, "primary key"),
        (col.nullable, "nullable"),
        (col.unique, "unique"),
        (col.index, "indexed"),
    ];
    for (_, fact) in flags.iter().filter(|(on, _)| *on) {
        let _ = write!(out, ", {fact}");
    }
    for fk in &col.foreign_keys {
        let _ = match fk.column {
            Some(c) => write!(out, ", foreign key to `{}`", graph.qualified(c)),
            None => write!(out, ", foreign key to `{}`", fk.target),
        };
    }
    if let Some(d) = &col.default {
        let _ = write!(out, ", default `{}`", one_line(d));
    }
    if let Some(d) = &col.server_default {
        let _ = write!(out, ", server default `{}`", one_line(&d.source));
    }
    if let Some(ddl) = &col.ddl {
        // What the database generates: `Sequence(...)`, `Identity(...)`, `Computed(...)`.
        let generated = [
            ddl.sequence.as_ref().map(|s| s.span),
            ddl.identity.as_ref().map(|i| i.span),
            ddl.computed.as_ref().map(|c| c.span),
        ];
        for span in generated.into_iter().flatten() {
            let _ = write!(out, ", `{}`", one_line(files.slice(span)));
        }
        let _ = match ddl.autoincrement {
            crate::ir::Autoincrement::Auto => Ok(()),
            crate::ir::Autoincrement::Yes => write!(out, ", `autoincrement=True`"),
            crate::ir::Autoincrement::No => write!(out, ", `autoincrement=False`"),
            crate::ir::Autoincrement::IgnoreFk => write!(out, ", `autoincrement=\"ignore_fk\"`"),
        };
    }
    for (i, (k, v)) in dataclass.iter().enumerate() {
        let lead = if i == 0 { ", dataclass " } else { ", " };
        let _ = write!(out, "{lead}`{k}={}`", one_line(v));
    }
    let _ = write!(
        out,
        " (`{}:{}`).",
        files.name(col.span.file),
        files.line(col.span)
    );
    out
}

pub(super) fn one_line(s: &str) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.replace('`', "'")
}

/// The table of entity `e`'s struct and the text of the struct's doc comment.
pub(super) fn struct_doc(
    graph: &Graph,
    files: &SourceFiles,
    plan: &Plan,
    e: usize,
) -> (TableId, String) {
    let entity = &plan.entities[e];
    let (table_id, what) = match entity.of {
        EntityOf::Class(c) => {
            let class = graph.class(c);
            let table = graph.table(class.table);
            let how = super::hierarchy::class_doc(graph, c);
            (
                class.table,
                format!(
                    "Mapped class `{}`, table `{}`.{how}\n\nDeclared at `{}`.",
                    class.name,
                    table.fullname(),
                    files.location(class.span)
                ),
            )
        }
        EntityOf::Table(t) => {
            let table = graph.table(t);
            (
                t,
                format!(
                    "Table `{}` (a plain `Table`, mapped by no class).\n\nDeclared at `{}`.",
                    table.fullname(),
                    files.location(table.span)
                ),
            )
        }
    };
    let table = graph.table(table_id);
    let properties = match entity.of {
        EntityOf::Class(c) => super::class_doc::properties_doc(graph, files, c),
        EntityOf::Table(_) => String::new(),
    };
    let text = format!(
        "{what}{}{properties}",
        super::table_doc::table_args_doc(table)
    );
    (table_id, text)
}

/// One field of a generated struct.
pub(super) struct Field<'p> {
    pub name: &'p str,
    /// The Rust type (in an `Option` when nullable).
    pub ty: TokenStream,
    /// The text of its doc comment.
    pub doc: String,
}

/// The fields of entity `e`'s struct, whose table is `table_id`.
pub(super) fn struct_fields<'p>(
    graph: &Graph,
    files: &SourceFiles,
    plan: &'p Plan,
    e: usize,
    table_id: TableId,
) -> Vec<Field<'p>> {
    let entity = &plan.entities[e];
    // Fields from several tables (joined-table inheritance) name their table.
    let several = entity.fields.iter().any(|(r, _)| r.table != table_id);
    entity
        .fields
        .iter()
        .map(|&(r, ref field_name)| {
            let col = graph.column(r);
            let ty = value_type(plan, r.table.0, r.index, col);
            let ty = if col.nullable {
                quote!(Option<#ty>)
            } else {
                ty
            };
            let qualifier = several.then(|| graph.table(r.table).name.as_str());
            let dataclass = match entity.of {
                EntityOf::Class(c) => super::class_doc::field_options(graph, c, col),
                EntityOf::Table(_) => &[],
            };
            Field {
                name: field_name,
                ty,
                doc: column_doc(graph, files, col, field_name, qualifier, dataclass),
            }
        })
        .collect()
}

pub(super) fn struct_item(
    graph: &Graph,
    files: &SourceFiles,
    plan: &Plan,
    e: usize,
) -> TokenStream {
    let entity = &plan.entities[e];
    let name = ident(&entity.name);
    let (table_id, struct_doc) = struct_doc(graph, files, plan, e);
    let table = graph.table(table_id);
    let struct_doc = doc(&struct_doc);
    let fields = struct_fields(graph, files, plan, e, table_id)
        .into_iter()
        .map(|f| {
            let (d, field, ty) = (doc(&f.doc), ident(f.name), f.ty);
            quote! { #d pub #field: #ty, }
        });
    let table_name = table.fullname();
    let table_doc = doc(match table.schema {
        Some(_) => "The table's full name, `schema.table`.",
        None => "The table's name.",
    });
    let columns = table.columns.iter().map(|c| c.name.as_str());
    let identity = match entity.of {
        EntityOf::Class(c) => super::hierarchy::identity_const(graph, plan, c),
        EntityOf::Table(_) => TokenStream::new(),
    };
    quote! {
        #struct_doc
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name { #(#fields)* }

        impl #name {
            #table_doc
            pub const TABLE: &'static str = #table_name;
            /// The table's column names, in table order.
            pub const COLUMNS: &'static [&'static str] = &[#(#columns),*];
            #identity
        }
    }
}

/// The registry's items (the inside of `mod relations`), with the entries of `RELATIONS` for
/// the relationships in `entries`.
#[cfg(test)]
pub(super) fn registry_with(
    graph: &Graph,
    plan: &Plan,
    entries: std::ops::Range<usize>,
) -> TokenStream {
    registry_items(
        &EntityLists::of(graph, plan),
        relation_entries(graph, plan, entries),
    )
}

/// What the registry lists for each entity: its name, its table's, and its parent's.
pub(super) struct EntityLists {
    /// `(struct name, table name)` of each entity, in declaration order.
    pub entities: Vec<(String, String)>,
    /// `(child, parent)` of each entity with a mapped parent.
    pub parents: Vec<(String, String)>,
}

impl EntityLists {
    fn of(graph: &Graph, plan: &Plan) -> Self {
        let entities = plan
            .entities
            .iter()
            .map(|e| {
                let table = match e.of {
                    EntityOf::Class(c) => graph.table(graph.class(c).table).fullname(),
                    EntityOf::Table(t) => graph.table(t).fullname(),
                };
                (e.name.clone(), table)
            })
            .collect();
        let parents = super::hierarchy::entity_parents(graph, plan);
        EntityLists { entities, parents }
    }
}

/// The registry's items for `lists`, with `relations` as the entries of `RELATIONS`.
fn registry_items(lists: &EntityLists, relations: Vec<TokenStream>) -> TokenStream {
    let variants: Vec<_> = lists.entities.iter().map(|(e, _)| ident(e)).collect();
    let names = lists.entities.iter().map(|(e, _)| e.as_str());
    let tables = lists.entities.iter().map(|(_, t)| t.as_str());
    let loading_items = super::loading::items();
    let (parent_fn, relation_fn) = super::hierarchy::registry_lookup(&lists.parents);
    quote! {
            /// A generated struct: a mapped class or a plain table.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum Entity { #(#variants,)* }

            impl Entity {
                /// Every entity, in declaration order.
                pub const ALL: &'static [Entity] = &[#(Entity::#variants),*];

                /// The struct's name.
                pub const fn name(self) -> &'static str {
                    match self { #(Entity::#variants => #names,)* }
                }

                /// The table's name.
                pub const fn table(self) -> &'static str {
                    match self { #(Entity::#variants => #tables,)* }
                }

                /// The relationships declared on this entity, in declaration order.
                pub fn relations(self) -> impl Iterator<Item = &'static Relation> {
                    RELATIONS.iter().filter(move |r| r.from == self)
                }
                #parent_fn
            }

            /// What a relationship holds, seen from its own side.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum RelationKind {
                /// A collection of rows of the target whose foreign key points here.
                OneToMany,
                /// One row of the target, which this row's foreign key points to.
                ManyToOne,
                /// One end of a one-to-one (a scalar one-to-many, or its many-to-one reverse).
                OneToOne,
                /// A collection of rows of the target, linked through an association table.
                ManyToMany,
            }

            /// Two columns a relationship joins on, as `table.column`.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub struct ColumnPair {
                /// The column on this side (or, for many-to-many, on the entity side).
                pub local: &'static str,
                /// The column on the other side (for many-to-many, in the association table).
                pub remote: &'static str,
            }

            /// One relationship: `from.field` points to `to`.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct Relation {
                /// The entity that declares the relationship.
                pub from: Entity,
                /// The Python attribute name of the relationship.
                pub field: &'static str,
                /// The entity it points to.
                pub to: Entity,
                pub kind: RelationKind,
                /// Whether the relationship holds a collection.
                pub uselist: bool,
                /// The association table of a many-to-many.
                pub via: Option<Entity>,
                /// The field of the reverse relationship on `to`.
                pub reverse: Option<&'static str>,
                /// The join's column pairs, in SQLAlchemy's order.
                pub pairs: &'static [ColumnPair],
                /// What the Python attribute holds.
                pub collection: Collection,
                /// How SQLAlchemy loads it (`lazy=`; `Select` when `lazy=` is not a literal, which
                /// is then among the `options`).
                pub lazy: Lazy,
                /// Other `relationship()` arguments, as written (`cascade`, ...).
                pub options: &'static [(&'static str, &'static str)],
            }

            #loading_items

            /// Every relationship, in declaration order.
            pub static RELATIONS: &[Relation] = &[#(#relations)*];

            #relation_fn
    }
}

/// The `Relation { .. }` literals of the relationships in `range`.
fn relation_entries(graph: &Graph, plan: &Plan, range: std::ops::Range<usize>) -> Vec<TokenStream> {
    let entity = |t: TableId| ident(&plan.entities[plan.table_entity[t.0]].name);
    let class_entity = |c: ClassId| ident(&plan.entities[plan.class_entity[c.0]].name);
    graph.relationships[range]
        .iter()
        .map(|r| {
            let from = class_entity(r.class);
            let to = class_entity(r.target);
            let field = &r.key;
            let kind = quote::format_ident!("{}", relation_kind(graph, r));
            let uselist = r.uselist;
            let via = match r.secondary {
                Some(s) => {
                    let e = entity(s);
                    quote!(Some(Entity::#e))
                }
                None => quote!(None),
            };
            let reverse = match &r.back_populates {
                Some(b) => quote!(Some(#b)),
                None => quote!(None),
            };
            let pairs = r.local_remote_pairs().map(|&(l, rm)| {
                let (l, rm) = (graph.qualified(l), graph.qualified(rm));
                quote!(ColumnPair { local: #l, remote: #rm })
            });
            let (collection, lazy) = super::loading::values(&r.loading);
            let options = r.options.iter().map(|(k, v)| {
                let v = one_line(v);
                quote!((#k, #v))
            });
            quote! {
                Relation {
                    from: Entity::#from,
                    field: #field,
                    to: Entity::#to,
                    kind: RelationKind::#kind,
                    uselist: #uselist,
                    via: #via,
                    reverse: #reverse,
                    pairs: &[#(#pairs),*],
                    collection: #collection,
                    lazy: Lazy::#lazy,
                    options: &[#(#options),*],
                },
            }
        })
        .collect()
}

/// The `RelationKind` variant of a relationship.
pub(super) fn relation_kind(graph: &Graph, r: &crate::graph::Relationship) -> &'static str {
    match r.direction {
        _ if graph.is_one_to_one(r) => "OneToOne",
        Direction::OneToMany => "OneToMany",
        Direction::ManyToOne => "ManyToOne",
        Direction::ManyToMany => "ManyToMany",
    }
}

/// Relationships per chunk when the registry is printed in parallel.
const REGISTRY_CHUNK: usize = 512;

/// Prints the registry, as a `pub mod relations { .. }` item (`wrapped`) or as the items of a
/// `relations.rs` file. Large registries print their entries in parallel chunks, each in the
/// same context as the whole, so the text is the same as printing it at once.
pub(super) fn print_registry(graph: &Graph, plan: &Plan, wrapped: bool) -> String {
    use rayon::prelude::*;
    let wrap = |items: TokenStream| {
        if wrapped {
            quote! {
                /// Every relationship of the models, as SQLAlchemy configures it.
                pub mod relations { #items }
            }
        } else {
            items
        }
    };
    let n = graph.relationships.len();
    let lists = EntityLists::of(graph, plan);
    let skeleton_of = |l: &EntityLists| print(wrap(registry_items(l, Vec::new())));
    let skeleton = match super::text::registry_skeleton(&lists, skeleton_of) {
        Some(text) => {
            debug_assert_eq!(text, skeleton_of(&lists));
            text
        }
        None => skeleton_of(&lists),
    };
    if n == 0 {
        return skeleton;
    }
    let opening = "pub static RELATIONS: &[Relation] = &[";
    let entry_indent = skeleton
        .lines()
        .find(|l| l.trim_start().starts_with(opening))
        .map(|l| format!("{}    ", &l[..l.len() - l.trim_start().len()]))
        .unwrap_or_default();
    // The entries printed through `prettyplease`, in the context of the whole registry.
    let printed = |range: std::ops::Range<usize>| {
        let entries = relation_entries(graph, plan, range);
        let text = print(wrap(
            quote! { pub static RELATIONS: &[Relation] = &[#(#entries)*]; },
        ));
        let mut lines = text
            .lines()
            .skip_while(|l| !l.trim_start().starts_with(opening))
            .skip(1)
            .collect::<Vec<_>>();
        // Drop the closing `];` (and, wrapped, the module's `}`).
        while lines.last().is_some_and(|l| l.trim() != "];") {
            lines.pop();
        }
        lines.pop();
        let mut out = lines.join("\n");
        out.push('\n');
        out
    };
    let chunks: Vec<String> = (0..n)
        .step_by(REGISTRY_CHUNK)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|start| {
            let range = start..(start + REGISTRY_CHUNK).min(n);
            let direct: Option<String> = graph.relationships[range.clone()]
                .iter()
                .map(|r| super::text::relation_text(graph, plan, r, &entry_indent))
                .collect();
            match direct {
                Some(text) => {
                    debug_assert_eq!(text, printed(range));
                    text
                }
                None => printed(range),
            }
        })
        .collect();
    let mut out =
        String::with_capacity(skeleton.len() + chunks.iter().map(String::len).sum::<usize>());
    for line in skeleton.lines() {
        match line.trim_start().strip_prefix(opening) {
            Some("];") => {
                let indent = &line[..line.len() - line.trim_start().len()];
                out.push_str(indent);
                out.push_str(opening);
                out.push('\n');
                for c in &chunks {
                    out.push_str(c);
                }
                out.push_str(indent);
                out.push_str("];\n");
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A graph of `n` classes chained by one-to-many relationships (2 per link).
    fn chain(n: usize) -> (Graph, SourceFiles) {
        let mut src = String::from("from sqlalchemy import Column, ForeignKey, Integer\nfrom sqlalchemy.orm import declarative_base, relationship\nBase = declarative_base()\n");
        for i in 0..n {
            src.push_str(&format!("class C{i}(Base):\n    __tablename__ = 't{i}'\n    id = Column(Integer, primary_key=True)\n"));
            if i > 0 {
                src.push_str(&format!("    prev_id = Column(ForeignKey('t{}.id'))\n    prev = relationship('C{}', backref='next')\n", i - 1, i - 1));
            }
        }
        let analysis = crate::analyse(&[crate::Input::standalone("chain.py", src.into_bytes())]);
        assert!(
            analysis.diagnostics.is_empty(),
            "{:?}",
            analysis.diagnostics
        );
        (analysis.graph, analysis.files)
    }

    #[test]
    fn structs_written_directly_print_like_prettyplease() {
        let (graph, files) = chain(4);
        let plan = plan(&graph, &files);
        for e in 0..plan.entities.len() {
            let text = super::super::text::struct_text(&graph, &files, &plan, e);
            assert_eq!(
                text.as_deref(),
                Some(print(struct_item(&graph, &files, &plan, e)).as_str())
            );
        }
    }

    /// The registry's items without entries, written as text or printed.
    fn skeletons(source: &str) -> (Option<String>, String) {
        let input = crate::Input::standalone("m.py", source.as_bytes().to_vec());
        let analysis = crate::analyse(&[input]);
        assert!(
            analysis.diagnostics.is_empty(),
            "{:?}",
            analysis.diagnostics
        );
        let plan = plan(&analysis.graph, &analysis.files);
        let lists = EntityLists::of(&analysis.graph, &plan);
        let print_with = |l: &EntityLists| print(registry_items(l, Vec::new()));
        (
            super::super::text::registry_skeleton(&lists, print_with),
            print_with(&lists),
        )
    }

    #[test]
    fn registry_skeleton_written_directly_prints_like_prettyplease() {
        let head = "from sqlalchemy import Column, ForeignKey, Integer, String\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base()\n";
        let class = |name: &str, table: &str, parent: Option<&str>| {
            match parent {
            None => format!("class {name}(Base):\n    __tablename__ = '{table}'\n    id = Column(Integer, primary_key=True)\n"),
            Some(p) => format!("class {name}({p}):\n    __tablename__ = '{table}'\n    id = Column(ForeignKey('{}.id'), primary_key=True)\n", p.to_lowercase()),
        }
        };
        // Entities with and without mapped parents, and a name that needs escaping.
        let mut src = head.to_owned();
        for i in 0..6 {
            src.push_str(&class(&format!("Parent{i}"), &format!("parent{i}"), None));
            src.push_str(&class(
                &format!("Child{i}"),
                &format!("child{i}\"x"),
                Some(&format!("Parent{i}")),
            ));
        }
        let (text, printed) = skeletons(&src);
        assert_eq!(text.as_deref(), Some(printed.as_str()));
        assert!(printed.contains("Entity::Child5 => Some(Entity::Parent5),"));
        // No parents.
        let src: String = std::iter::once(head.to_owned())
            .chain((0..6).map(|i| class(&format!("Model{i}"), &format!("m{i}"), None)))
            .collect();
        let (text, printed) = skeletons(&src);
        assert_eq!(text.as_deref(), Some(printed.as_str()));
        assert!(!printed.contains("fn parent"));
        // Two entities fit on one line; a long table name comes near the margin: printed.
        let src = format!("{head}{}{}", class("A", "a", None), class("B", "b", None));
        assert_eq!(skeletons(&src).0, None);
        let long = "t".repeat(60);
        let src: String = std::iter::once(head.to_owned())
            .chain((0..6).map(|i| class(&format!("Model{i}"), &format!("{long}{i}"), None)))
            .collect();
        assert_eq!(skeletons(&src).0, None);
    }

    #[test]
    fn chunked_registry_prints_like_the_whole() {
        let (graph, files) = chain(REGISTRY_CHUNK / 2 + 3);
        assert!(graph.relationships.len() > REGISTRY_CHUNK);
        let (graph, files) = (graph, files);
        let plan = plan(&graph, &files);
        for wrapped in [true, false] {
            let whole = registry_with(&graph, &plan, 0..graph.relationships.len());
            let whole = if wrapped {
                print(quote! {
                    /// Every relationship of the models, as SQLAlchemy configures it.
                    pub mod relations { #whole }
                })
            } else {
                print(whole)
            };
            assert_eq!(print_registry(&graph, &plan, wrapped), whole);
        }
    }
}
