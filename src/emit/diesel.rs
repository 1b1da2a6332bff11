//! `--target diesel`: Diesel 2.x. A `schema` module (`table!` with Diesel SQL types and
//! nullability, `joinable!` wherever Diesel allows one, `allow_tables_to_appear_in_same_query!`),
//! one model struct per table (`Queryable`, `Selectable`, `Identifiable`, `Associations`,
//! `Insertable`), and for every relationship a typed loader (`parent.load_children(conn)`):
//! a filter on the foreign key, or a join with an explicit `.on(...)` through an association
//! table, so that several foreign keys to one table and self-reference work as well.

use crate::{IndexMap, IndexSet};
use proc_macro2::TokenStream;
use quote::quote;

use super::names::{self, ident, Namespace};
use super::orm::{Layout, OrmPlan, RelationJoin, RelationPlan};
use super::rust::{column_doc, doc, print, print_registry};
use super::tree::GeneratedFile;
use crate::diagnostics::{self as diag, Diagnostic};
use crate::graph::{Graph, TableId};
use crate::ir::TypeKind;
use crate::source::SourceFiles;

/// Generates the Diesel module for the graph in `layout`; what it cannot express is reported
/// in `diags`.
pub fn emit(
    graph: &Graph,
    files: &SourceFiles,
    inputs: &[String],
    layout: Layout,
    diags: &mut Vec<Diagnostic>,
) -> Vec<GeneratedFile> {
    let plan = super::orm::plan(graph, files, "Diesel", diags);
    let schema = Schema::plan(graph, &plan, diags);
    let mut pieces = vec![print(header(inputs))];
    pieces.extend(
        (0..graph.tables.len()).map(|t| print(model(graph, files, &plan, &schema, TableId(t)))),
    );
    let mut modules = vec![(
        "relations".to_owned(),
        print_registry(graph, &plan.base, false),
        print_registry(graph, &plan.base, true),
    )];
    // The schema first: the models name its tables.
    match layout {
        Layout::File => pieces.insert(1, schema.module(graph)),
        Layout::Tree => modules.insert(
            0,
            (
                "schema".to_owned(),
                format!(
                    "//! The tables, as Diesel's `table!` declares them.\n\n{}",
                    schema.tables_text(graph, "")
                ),
                String::new(),
            ),
        ),
    }
    super::orm::assemble(layout, pieces, modules)
}

fn header(inputs: &[String]) -> TokenStream {
    let mut items = super::rust::header(inputs);
    items.push(quote! {
        use diesel::prelude::*;

        /// The backend the models are checked for.
        pub type Db = diesel::sqlite::Sqlite;
        /// The connection the loaders take.
        pub type DbConnection = diesel::sqlite::SqliteConnection;
    });
    quote! { #(#items)* }
}

/// The names and types of the `schema` module.
struct Schema {
    /// Each table's module name in `schema`, by [`TableId`].
    tables: Vec<String>,
    /// Each column's name in its `table!`, by table.
    columns: Vec<Vec<String>>,
    /// Each table's schema as `table!` names it (an identifier), by table.
    schemas: Vec<Option<String>>,
    /// Each column's Diesel SQL type (without `Nullable`, as `table!` names it) and Rust type,
    /// by table.
    types: Vec<Vec<(&'static str, TokenStream)>>,
    /// `joinable!(child -> parent (fk))`: child table, parent table, column of the child.
    joinables: Vec<(TableId, TableId, usize)>,
    /// `belongs_to(Parent, foreign_key = fk)` per child table: parent table, column.
    belongs_to: Vec<Vec<(TableId, usize)>>,
}

impl Schema {
    fn plan(graph: &Graph, plan: &OrmPlan, diags: &mut Vec<Diagnostic>) -> Schema {
        let mut modules = Namespace::default();
        for reserved in ["schema", "prelude", "diesel"] {
            modules.reserve(reserved);
        }
        let tables: Vec<String> = graph
            .tables
            .iter()
            .map(|t| modules.snake(&t.name))
            .collect();
        // `table!` takes the schema as an identifier, with no `sql_name`.
        let schemas = graph
            .tables
            .iter()
            .map(|table| {
                let schema = table.schema.as_ref()?;
                let mut written = names::sanitize(schema, "schema");
                if names::is_keyword(&written) {
                    written.push('_');
                }
                if written != *schema {
                    diags.push(diag::schema_not_expressible(
                        table.span,
                        schema,
                        &table.name,
                        "Diesel",
                        &written,
                    ));
                }
                Some(written)
            })
            .collect();
        let columns = graph
            .tables
            .iter()
            .enumerate()
            .map(|(t, table)| {
                let mut ns = Namespace::default();
                // A column named like its table would shadow it inside `table!`.
                ns.reserve(&tables[t]);
                table.columns.iter().map(|c| ns.snake(&c.name)).collect()
            })
            .collect();
        let types = graph
            .tables
            .iter()
            .enumerate()
            .map(|(t, table)| {
                (0..table.columns.len())
                    .map(|c| column_type(graph, TableId(t), c, diags))
                    .collect()
            })
            .collect();
        // One `joinable!` per pair of tables (it joins both ways), none to the table itself,
        // and only over a single-column key to the parent's single-column primary key.
        let mut joinables = Vec::new();
        let mut belongs_to = vec![Vec::new(); graph.tables.len()];
        let mut pairs: IndexMap<(usize, usize), usize> = IndexMap::default();
        let mut candidates = Vec::new();
        for (t, table) in graph.tables.iter().enumerate() {
            for (c, col) in table.columns.iter().enumerate() {
                for fk in &col.foreign_keys {
                    let Some(target) = fk.column else { continue };
                    let parent = graph.table(target.table);
                    let single_pk = parent.columns.iter().filter(|c| c.primary_key).count() == 1;
                    if fk.constraint.is_some() || !single_pk || !graph.column(target).primary_key {
                        continue;
                    }
                    candidates.push((TableId(t), target.table, c));
                    let key = (t.min(target.table.0), t.max(target.table.0));
                    *pairs.entry(key).or_default() += 1;
                }
            }
        }
        let mut parents_seen: Vec<IndexSet<usize>> = vec![IndexSet::default(); graph.tables.len()];
        let mut parents_count: Vec<IndexMap<usize, usize>> =
            vec![IndexMap::default(); graph.tables.len()];
        for &(child, parent, _) in &candidates {
            *parents_count[child.0].entry(parent.0).or_default() += 1;
        }
        for (child, parent, c) in candidates {
            let key = (child.0.min(parent.0), child.0.max(parent.0));
            if child != parent && pairs[&key] == 1 {
                joinables.push((child, parent, c));
            }
            // `belongs_to` implements `BelongsTo<Parent>` once per parent type.
            if parents_count[child.0][&parent.0] == 1
                && parents_seen[child.0].insert(parent.0)
                && plan.tables[parent.0].name != plan.tables[child.0].name
            {
                belongs_to[child.0].push((parent, c));
            }
        }
        Schema {
            tables,
            columns,
            schemas,
            types,
            joinables,
            belongs_to,
        }
    }

    fn table_path(&self, t: TableId) -> TokenStream {
        let m = ident(&self.tables[t.0]);
        quote!(schema::#m)
    }

    fn column_path(&self, t: TableId, c: usize) -> TokenStream {
        let m = ident(&self.tables[t.0]);
        let col = ident(&self.columns[t.0][c]);
        quote!(schema::#m::#col)
    }

    /// The `schema` module inline.
    fn module(&self, graph: &Graph) -> String {
        format!(
            "/// The tables, as Diesel's `table!` declares them.\npub mod schema {{\n{}}}\n",
            self.tables_text(graph, "    ")
        )
    }

    /// The items of the `schema` module, written out (`table!` bodies are macro input, which a
    /// pretty-printer leaves on one line), each line after `indent`.
    fn tables_text(&self, graph: &Graph, indent: &str) -> String {
        let mut out = String::new();
        for (t, table) in graph.tables.iter().enumerate() {
            let name = ident(&self.tables[t]).to_string();
            let mut pk: Vec<usize> = (0..table.columns.len())
                .filter(|&c| table.columns[c].primary_key)
                .collect();
            out.push_str("    diesel::table! {\n");
            out.push_str(&format!("        /// Table `{}`.\n", table.fullname()));
            if pk.is_empty() {
                out.push_str(
                    "        ///\n        /// No primary key: Diesel's key is every column.\n",
                );
                pk = (0..table.columns.len()).collect();
            }
            if self.tables[t] != table.name {
                out.push_str(&format!("        #[sql_name = {:?}]\n", table.name));
            }
            let schema = self.schemas[t]
                .as_ref()
                .map(|s| format!("{}.", ident(s)))
                .unwrap_or_default();
            let keys: Vec<String> = pk
                .iter()
                .map(|&c| ident(&self.columns[t][c]).to_string())
                .collect();
            out.push_str(&format!(
                "        {schema}{name} ({}) {{\n",
                keys.join(", ")
            ));
            for (c, col) in table.columns.iter().enumerate() {
                if self.columns[t][c] != col.name {
                    out.push_str(&format!("            #[sql_name = {:?}]\n", col.name));
                }
                let ty = &self.types[t][c].0;
                let ty = if col.nullable {
                    format!("Nullable<{ty}>")
                } else {
                    ty.to_string()
                };
                out.push_str(&format!(
                    "            {} -> {ty},\n",
                    ident(&self.columns[t][c])
                ));
            }
            out.push_str("        }\n    }\n\n");
        }
        for &(child, parent, c) in &self.joinables {
            out.push_str(&format!(
                "    diesel::joinable!({} -> {} ({}));\n",
                ident(&self.tables[child.0]),
                ident(&self.tables[parent.0]),
                ident(&self.columns[child.0][c])
            ));
        }
        if self.tables.len() > 1 {
            let all: Vec<String> = self.tables.iter().map(|t| ident(t).to_string()).collect();
            out.push_str(&format!(
                "    diesel::allow_tables_to_appear_in_same_query!({});\n",
                all.join(", ")
            ));
        }
        // Written for the inline module; re-indented for `indent`.
        out.trim_end()
            .lines()
            .map(|l| match l.strip_prefix("    ") {
                Some(rest) => format!("{indent}{rest}\n"),
                None => format!("{l}\n"),
            })
            .collect()
    }
}

/// A column's Diesel SQL type and Rust type. Types Diesel has no SQLite mapping for are read as
/// text, with a warning.
fn column_type(
    graph: &Graph,
    t: TableId,
    c: usize,
    diags: &mut Vec<Diagnostic>,
) -> (&'static str, TokenStream) {
    let mapped = match &graph.table(t).columns[c].ty.kind {
        TypeKind::Int8 | TypeKind::Int16 | TypeKind::UInt8 => Some(("SmallInt", quote!(i16))),
        TypeKind::Int32 | TypeKind::UInt16 => Some(("Integer", quote!(i32))),
        TypeKind::Int64 | TypeKind::UInt32 => Some(("BigInt", quote!(i64))),
        TypeKind::Text { .. } | TypeKind::Unknown => Some(("Text", quote!(String))),
        TypeKind::Bool => Some(("Bool", quote!(bool))),
        TypeKind::Float => Some(("Double", quote!(f64))),
        TypeKind::Date => Some(("Date", quote!(chrono::NaiveDate))),
        TypeKind::DateTime { timezone: false } => {
            Some(("Timestamp", quote!(chrono::NaiveDateTime)))
        }
        TypeKind::Time => Some(("Time", quote!(chrono::NaiveTime))),
        TypeKind::Binary => Some(("Binary", quote!(Vec<u8>))),
        TypeKind::Enum(_) => Some(("Text", quote!(String))),
        _ => None,
    };
    mapped.unwrap_or_else(|| {
        diags.push(super::orm::unmapped_type(
            graph,
            t,
            c,
            "Diesel on SQLite",
            "text",
        ));
        ("Text", quote!(String))
    })
}

fn model(
    graph: &Graph,
    files: &SourceFiles,
    plan: &OrmPlan,
    schema: &Schema,
    t: TableId,
) -> TokenStream {
    let table = graph.table(t);
    let tp = &plan.tables[t.0];
    let name = ident(&tp.name);
    let struct_doc = doc(&super::orm::entity_doc(graph, files, t));
    let fields = table.columns.iter().enumerate().map(|(c, col)| {
        let field_name = &tp.fields[c];
        let field = ident(field_name);
        let (_, ty) = &schema.types[t.0][c];
        let ty = super::orm::optional(ty.clone(), col.nullable);
        let d = doc(&column_doc(graph, files, col, field_name, None, &[]));
        let rename = (*field_name != schema.columns[t.0][c]).then(|| {
            let column = ident(&schema.columns[t.0][c]);
            quote!(#[diesel(column_name = #column)])
        });
        quote! { #d #rename pub #field: #ty, }
    });
    let table_path = schema.table_path(t);
    let pk: Vec<_> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.primary_key)
        .map(|(c, _)| ident(&tp.fields[c]))
        .collect();
    let (identifiable, primary_key) = if pk.is_empty() {
        (TokenStream::new(), TokenStream::new())
    } else {
        (quote!(Identifiable,), quote!(primary_key(#(#pk),*),))
    };
    let belongs: Vec<TokenStream> = schema.belongs_to[t.0]
        .iter()
        .map(|&(parent, c)| {
            let p = ident(&plan.tables[parent.0].name);
            let fk = ident(&tp.fields[c]);
            quote!(belongs_to(#p, foreign_key = #fk),)
        })
        .collect();
    let associations = (!belongs.is_empty()).then(|| quote!(Associations,));
    let loaders = plan
        .relations_from(t)
        .map(|r| loader(graph, files, plan, schema, r));
    quote! {
        #struct_doc
        #[derive(Debug, Clone, PartialEq, Queryable, Selectable, #identifiable #associations Insertable)]
        #[diesel(table_name = #table_path, #primary_key #(#belongs)* check_for_backend(Db))]
        pub struct #name { #(#fields)* }

        impl #name {
            /// Every row of the table.
            pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
                #table_path::table.select(Self::as_select()).load(conn)
            }

            /// Inserts this row, every column as it is.
            pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<usize> {
                diesel::insert_into(#table_path::table).values(self).execute(conn)
            }

            #(#loaders)*
        }
    }
}

/// `load_<key>`: the related rows of one row, as SQLAlchemy's lazy loader selects them.
fn loader(
    graph: &Graph,
    files: &SourceFiles,
    plan: &OrmPlan,
    schema: &Schema,
    r: &RelationPlan,
) -> TokenStream {
    let to = ident(&plan.tables[r.to.0].name);
    let method = ident(&format!("load_{}", r.name));
    let from_table = graph.table(r.from);
    let to_path = schema.table_path(r.to);
    let empty = if r.many {
        quote!(Vec::new())
    } else {
        quote!(None)
    };
    // Each local value bound once: a NULL one means no related rows, as in SQLAlchemy.
    let mut lets = Vec::new();
    let mut value = |local: usize, i: usize| {
        let field = ident(&plan.tables[r.from.0].fields[local]);
        let v = ident(&format!("v{i}"));
        if from_table.columns[local].nullable {
            lets.push(quote!(let Some(#v) = &self.#field else { return Ok(#empty); };));
        } else {
            lets.push(quote!(let #v = &self.#field;));
        }
        v
    };
    // `a.eq(b)` between two columns, one made nullable when only the other is.
    let same = |a: (TableId, usize), b: (TableId, usize)| {
        let (pa, pb) = (schema.column_path(a.0, a.1), schema.column_path(b.0, b.1));
        let (na, nb) = (
            graph.table(a.0).columns[a.1].nullable,
            graph.table(b.0).columns[b.1].nullable,
        );
        match (na, nb) {
            (false, true) => quote!(#pa.nullable().eq(#pb)),
            (true, false) => quote!(#pa.eq(#pb.nullable())),
            _ => quote!(#pa.eq(#pb)),
        }
    };
    // Only the target subclass's rows, on a table it shares.
    let rows = r.to_rows.as_ref().map(|d| {
        let col = schema.column_path(r.to, d.column);
        let values = d.identities.iter().map(|i| match i {
            crate::ir::Identity::Str(s) => quote!(#s),
            crate::ir::Identity::Int(n) => {
                let n = proc_macro2::Literal::i64_unsuffixed(*n);
                quote!(#n)
            }
        });
        quote!(.filter(#col.eq_any([#(#values),*])))
    });
    let query = match &r.join {
        RelationJoin::Direct { pairs } => {
            let filters: Vec<TokenStream> = pairs
                .iter()
                .enumerate()
                .map(|(i, &(local, remote))| {
                    let v = value(local, i);
                    let col = schema.column_path(r.to, remote);
                    quote!(.filter(#col.eq(#v)))
                })
                .collect();
            quote!(#to_path::table #(#filters)* #rows)
        }
        RelationJoin::Through {
            secondary,
            parent,
            target,
        } => {
            let sec_path = schema.table_path(*secondary);
            let on: Vec<TokenStream> = target
                .iter()
                .map(|&(c, s)| same((*secondary, s), (r.to, c)))
                .collect();
            let on = on
                .into_iter()
                .reduce(|a, b| quote!(#a.and(#b)))
                .unwrap_or_default();
            let filters: Vec<TokenStream> = parent
                .iter()
                .enumerate()
                .map(|(i, &(local, s))| {
                    let v = value(local, i);
                    let col = schema.column_path(*secondary, s);
                    quote!(.filter(#col.eq(#v)))
                })
                .collect();
            quote!(#to_path::table.inner_join(#sec_path::table.on(#on)) #(#filters)* #rows)
        }
    };
    let d = doc(&super::orm::loader_doc(graph, files, plan, r));
    let (ret, load) = if r.many {
        (quote!(Vec<#to>), quote!(.load(conn)))
    } else {
        (quote!(Option<#to>), quote!(.first(conn).optional()))
    };
    quote! {
        #d
        pub fn #method(&self, conn: &mut DbConnection) -> QueryResult<#ret> {
            #(#lets)*
            #query.select(#to::as_select()) #load
        }
    }
}
