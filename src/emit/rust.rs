//! `--emit rust`: one struct per table, generated enums, and the relation registry, built with
//! `quote` and printed with `prettyplease` (formatted, deterministic, no rustfmt needed).

use indexmap::IndexMap;
use proc_macro2::TokenStream;
use quote::quote;

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
    /// Generated enums, keyed by `(table, column)`.
    enums: IndexMap<(usize, usize), EnumPlan>,
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

struct EnumPlan {
    name: String,
    /// `(variant, database value)`.
    variants: Vec<(String, String)>,
}

/// Generates the Rust module for the graph. `inputs` names what was read, for the header.
pub fn emit(graph: &Graph, files: &SourceFiles, inputs: &[String]) -> String {
    let plan = plan(graph);
    let header = header(inputs);
    let enums = plan
        .enums
        .iter()
        .map(|(&(t, c), e)| enum_item(graph, files, t, c, e));
    let structs = (0..plan.entities.len()).map(|e| struct_item(graph, files, &plan, e));
    let hierarchies = plan
        .hierarchies
        .iter()
        .map(|h| super::hierarchy::any_enum(graph, &plan, h));
    let registry = registry(graph, &plan);
    let file: TokenStream = quote! {
        #(#header)*
        #(#enums)*
        #(#structs)*
        #(#hierarchies)*
        #registry
    };
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
fn space_items(code: &str) -> String {
    const STARTS: &[&str] = &[
        "///", "#[", "pub ", "impl ", "fn ", "const ", "static ", "enum ", "struct ", "mod ",
        "use ",
    ];
    let lines: Vec<&str> = code.lines().collect();
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
        if ends_item && indent(line) == indent(next) && STARTS.iter().any(|s| nxt.starts_with(s)) {
            out.push('\n');
        }
    }
    out
}

fn doc(text: &str) -> TokenStream {
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

fn header(inputs: &[String]) -> Vec<TokenStream> {
    let from = inputs
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        "Models ported from {from} by sa2rs.\n\nOne struct per table, the enums their columns use, and [`relations`], a typed\nregistry of every relationship. Generated: regenerate rather than edit."
    );
    text.lines()
        .map(|l| {
            let l = if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            };
            quote! { #![doc = #l] }
        })
        .collect()
}

fn plan(graph: &Graph) -> Plan {
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
    for (e, (_, of)) in order.iter().enumerate() {
        if let EntityOf::Class(c) = of {
            names[e] = types.camel(&graph.class(*c).name);
        }
    }
    for (e, (_, of)) in order.iter().enumerate() {
        if let EntityOf::Table(t) = of {
            names[e] = types.camel_or(&graph.table(*t).name, "Table");
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
    let mut enums = IndexMap::new();
    for (t, table) in graph.tables.iter().enumerate() {
        let owner = &entities[table_entity[t]].name;
        for (i, col) in table.columns.iter().enumerate() {
            if let TypeKind::Enum { values, name } = &col.ty.kind {
                if values.is_empty() {
                    continue;
                }
                let base = name
                    .clone()
                    .unwrap_or_else(|| format!("{}_{}", owner, col.name));
                let enum_name = types.camel_or(&base, "Enum");
                let mut vs = Namespace::default();
                let variants = values.iter().map(|v| (vs.camel(v), v.clone())).collect();
                enums.insert(
                    (t, i),
                    EnumPlan {
                        name: enum_name,
                        variants,
                    },
                );
            }
        }
    }
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
fn value_type(plan: &Plan, t: usize, c: usize, col: &Column) -> TokenStream {
    match &col.ty.kind {
        TypeKind::Int16 => quote!(i16),
        TypeKind::Int32 => quote!(i32),
        TypeKind::Int64 => quote!(i64),
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
        TypeKind::Enum { .. } => match plan.enums.get(&(t, c)) {
            Some(e) => {
                let name = ident(&e.name);
                quote!(#name)
            }
            None => quote!(String),
        },
    }
}

fn column_doc(
    graph: &Graph,
    files: &SourceFiles,
    col: &Column,
    field: &str,
    table: Option<&str>,
) -> String {
    let mut facts = vec![format!("`{}`", col.ty.class)];
    if col.primary_key {
        facts.push("primary key".into());
    }
    if col.nullable {
        facts.push("nullable".into());
    }
    if col.unique {
        facts.push("unique".into());
    }
    if col.index {
        facts.push("indexed".into());
    }
    for fk in &col.foreign_keys {
        let target = fk
            .column
            .map_or_else(|| fk.target.clone(), |c| graph.qualified(c));
        facts.push(format!("foreign key to `{target}`"));
    }
    if let Some(d) = &col.default {
        facts.push(format!("default `{}`", one_line(d)));
    }
    if let Some(d) = &col.server_default {
        facts.push(format!("server default `{}`", one_line(d)));
    }
    let python = col.attr.as_deref().unwrap_or(&col.name);
    let mut names = match table {
        Some(t) => format!("Column `{t}.{}`", col.name),
        None => format!("Column `{}`", col.name),
    };
    if python != col.name {
        names.push_str(&format!(" (Python attribute `{python}`)"));
    } else if python != field {
        names.push_str(&format!(" (renamed from Python attribute `{python}`)"));
    }
    format!(
        "{names}: {} (`{}`).",
        facts.join(", "),
        files.location(col.span)
    )
}

fn one_line(s: &str) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.replace('`', "'")
}

fn struct_item(graph: &Graph, files: &SourceFiles, plan: &Plan, e: usize) -> TokenStream {
    let entity = &plan.entities[e];
    let name = ident(&entity.name);
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
                    table.name,
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
                    table.name,
                    files.location(table.span)
                ),
            )
        }
    };
    let table = graph.table(table_id);
    let struct_doc = doc(&what);
    // Fields from several tables (joined-table inheritance) name their table.
    let several = entity.fields.iter().any(|(r, _)| r.table != table_id);
    let fields = entity.fields.iter().map(|&(r, ref field_name)| {
        let col = graph.column(r);
        let field = ident(field_name);
        let ty = value_type(plan, r.table.0, r.index, col);
        let ty = if col.nullable {
            quote!(Option<#ty>)
        } else {
            ty
        };
        let qualifier = several.then(|| graph.table(r.table).name.as_str());
        let d = doc(&column_doc(graph, files, col, field_name, qualifier));
        quote! { #d pub #field: #ty, }
    });
    let table_name = &table.name;
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
            /// The table's name.
            pub const TABLE: &'static str = #table_name;
            /// The table's column names, in table order.
            pub const COLUMNS: &'static [&'static str] = &[#(#columns),*];
            #identity
        }
    }
}

fn enum_item(graph: &Graph, files: &SourceFiles, t: usize, c: usize, e: &EnumPlan) -> TokenStream {
    let table = &graph.tables[t];
    let col = &table.columns[c];
    let sql_name = match &col.ty.kind {
        TypeKind::Enum { name: Some(n), .. } => format!("SQL enum `{n}`"),
        _ => "SQL enum".to_owned(),
    };
    let d = doc(&format!(
        "{sql_name}, the values of column `{}.{}`.\n\nDeclared at `{}`.",
        table.name,
        col.name,
        files.location(col.ty.span)
    ));
    let name = ident(&e.name);
    let variants: Vec<_> = e.variants.iter().map(|(v, _)| ident(v)).collect();
    let docs = e
        .variants
        .iter()
        .map(|(_, value)| doc(&format!("Stored as `{value:?}`.")));
    let values = e.variants.iter().map(|(_, value)| value.as_str());
    let err = format!("unknown `{}` value: ", e.name);
    quote! {
        #d
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum #name { #(#docs #variants,)* }

        impl #name {
            /// Every member, in declaration order.
            pub const ALL: &'static [Self] = &[#(Self::#variants),*];

            /// The value stored in the database.
            pub const fn as_str(self) -> &'static str {
                match self { #(Self::#variants => #values,)* }
            }
        }

        impl std::str::FromStr for #name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| format!("{}{}", #err, s))
            }
        }
    }
}

fn registry(graph: &Graph, plan: &Plan) -> TokenStream {
    let entity = |t: TableId| ident(&plan.entities[plan.table_entity[t.0]].name);
    let class_entity = |c: ClassId| ident(&plan.entities[plan.class_entity[c.0]].name);
    let variants: Vec<_> = plan.entities.iter().map(|e| ident(&e.name)).collect();
    let names = plan.entities.iter().map(|e| e.name.as_str());
    let tables = plan.entities.iter().map(|e| match e.of {
        EntityOf::Class(c) => graph.table(graph.class(c).table).name.as_str(),
        EntityOf::Table(t) => graph.table(t).name.as_str(),
    });
    let relations = graph.relationships.iter().map(|r| {
        let from = class_entity(r.class);
        let to = class_entity(r.target);
        let field = &r.key;
        let kind = match r.direction {
            _ if graph.is_one_to_one(r) => quote!(OneToOne),
            Direction::OneToMany => quote!(OneToMany),
            Direction::ManyToOne => quote!(ManyToOne),
            Direction::ManyToMany => quote!(ManyToMany),
        };
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
                options: &[#(#options),*],
            },
        }
    });
    let (parent_fn, relation_fn) = super::hierarchy::registry_lookup(graph, plan);
    quote! {
        /// Every relationship of the models, as SQLAlchemy configures it.
        pub mod relations {
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
                /// Other `relationship()` arguments, as written (`lazy`, `cascade`, ...).
                pub options: &'static [(&'static str, &'static str)],
            }

            /// Every relationship, in declaration order.
            pub static RELATIONS: &[Relation] = &[#(#relations)*];

            #relation_fn
        }
    }
}
