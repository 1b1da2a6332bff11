//! `--emit rust`: one struct per table, generated enums, and the relation registry, built with
//! `quote` and printed with `prettyplease` (formatted, deterministic, no rustfmt needed).

use proc_macro2::TokenStream;
use quote::quote;

use super::enums::{enum_item, Enums};
use super::names::{ident, Namespace};
use crate::graph::{ClassId, Column, Direction, Graph, TableId};
use crate::ir::TypeKind;
use crate::source::SourceFiles;

/// Names chosen for the generated items.
struct Plan {
    /// Struct name per table.
    structs: Vec<String>,
    /// Field names per table, per column.
    fields: Vec<Vec<String>>,
    /// Generated enums, and the columns using them.
    enums: Enums,
}

/// Generates the Rust module for the graph. `inputs` names what was read, for the header.
pub fn emit(graph: &Graph, files: &SourceFiles, inputs: &[String]) -> String {
    let plan = plan(graph, files);
    let header = header(inputs);
    let enums = plan.enums.items.iter().map(enum_item);
    let structs = (0..graph.tables.len()).map(|t| struct_item(graph, files, &plan, TableId(t)));
    let registry = registry(graph, &plan);
    let file: TokenStream = quote! {
        #(#header)*
        #(#enums)*
        #(#structs)*
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

/// One `#[doc]` attribute per line of `text`.
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

fn plan(graph: &Graph, files: &SourceFiles) -> Plan {
    let mut types = Namespace::default();
    types.reserve("relations");
    // Classes first, so a class keeps its own name and a plain table yields (`AssociationTable`).
    let mut structs = vec![String::new(); graph.tables.len()];
    for (t, table) in graph.tables.iter().enumerate() {
        if let Some(c) = table.class {
            structs[t] = types.camel(&graph.class(c).name);
        }
    }
    for (t, table) in graph.tables.iter().enumerate() {
        if table.class.is_none() {
            structs[t] = types.camel_or(&table.name, "Table");
        }
    }
    let mut fields = Vec::new();
    for table in &graph.tables {
        let mut ns = Namespace::default();
        fields.push(
            table
                .columns
                .iter()
                .map(|c| ns.snake(c.attr.as_deref().unwrap_or(&c.name)))
                .collect(),
        );
    }
    let enums = Enums::plan(graph, files, &structs, &mut types);
    Plan {
        structs,
        fields,
        enums,
    }
}

/// The Rust type of a column's values (without `Option`).
fn value_type(plan: &Plan, t: usize, c: usize, col: &Column) -> TokenStream {
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
        TypeKind::Enum { .. } => match enum_name {
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

fn column_doc(graph: &Graph, files: &SourceFiles, col: &Column, field: &str) -> String {
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
    let mut names = format!("Column `{}`", col.name);
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

fn struct_item(graph: &Graph, files: &SourceFiles, plan: &Plan, id: TableId) -> TokenStream {
    let t = id.0;
    let table = graph.table(id);
    let name = ident(&plan.structs[t]);
    let what = match table.class {
        Some(c) => {
            let class = graph.class(c);
            format!(
                "Mapped class `{}`, table `{}`.\n\nDeclared at `{}`.",
                class.name,
                table.fullname(),
                files.location(class.span)
            )
        }
        None => format!(
            "Table `{}` (a plain `Table`, mapped by no class).\n\nDeclared at `{}`.",
            table.fullname(),
            files.location(table.span)
        ),
    };
    let struct_doc = doc(&format!(
        "{what}{}",
        super::table_doc::table_args_doc(table)
    ));
    let fields = table.columns.iter().enumerate().map(|(c, col)| {
        let field = ident(&plan.fields[t][c]);
        let ty = value_type(plan, t, c, col);
        let ty = if col.nullable {
            quote!(Option<#ty>)
        } else {
            ty
        };
        let d = doc(&column_doc(graph, files, col, &plan.fields[t][c]));
        quote! { #d pub #field: #ty, }
    });
    let table_name = table.fullname();
    let table_doc = doc(match table.schema {
        Some(_) => "The table's full name, `schema.table`.",
        None => "The table's name.",
    });
    let columns = table.columns.iter().map(|c| c.name.as_str());
    quote! {
        #struct_doc
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name { #(#fields)* }

        impl #name {
            #table_doc
            pub const TABLE: &'static str = #table_name;
            /// The table's column names, in table order.
            pub const COLUMNS: &'static [&'static str] = &[#(#columns),*];
        }
    }
}

fn registry(graph: &Graph, plan: &Plan) -> TokenStream {
    let entity = |t: TableId| ident(&plan.structs[t.0]);
    let class_entity = |c: ClassId| entity(graph.class(c).table);
    let variants: Vec<_> = (0..graph.tables.len())
        .map(|t| entity(TableId(t)))
        .collect();
    let names = plan.structs.iter();
    let tables = graph.tables.iter().map(|t| t.fullname());
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

            /// The relationship `field` of `from`.
            pub fn relation(from: Entity, field: &str) -> Option<&'static Relation> {
                RELATIONS.iter().find(|r| r.from == from && r.field == field)
            }
        }
    }
}
