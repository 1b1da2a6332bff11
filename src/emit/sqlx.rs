//! `--target sqlx`: one `sqlx::FromRow` struct per table, with `all`, `insert` and, for every
//! relationship, an async loader whose SQL comes from the graph's column pairs
//! (`parent.load_children(&pool)`), so relationships are usable without writing SQL.
//!
//! Queries use `$N` placeholders, which SQLite and PostgreSQL both accept; the database is the
//! module's `Db` alias (SQLite unless edited).

use proc_macro2::TokenStream;
use quote::quote;

use super::enums::enum_item_with;
use super::names::ident;
use super::orm::{Layout, OrmPlan, RelationJoin, RelationPlan};
use super::rust::{column_doc, doc, print, print_registry, value_type};
use super::tree::GeneratedFile;
use crate::diagnostics::Diagnostic;
use crate::graph::{Graph, TableId};
use crate::ir::TypeKind;
use crate::source::SourceFiles;

/// Generates the sqlx module for the graph in `layout`; what it cannot express is reported in
/// `diags`.
pub fn emit(
    graph: &Graph,
    files: &SourceFiles,
    inputs: &[String],
    layout: Layout,
    diags: &mut Vec<Diagnostic>,
) -> Vec<GeneratedFile> {
    let plan = super::orm::plan(graph, files, "sqlx", diags);
    let mut pieces = vec![print(header(inputs))];
    pieces.extend(plan.base.enums.items.iter().map(|e| {
        print(enum_item_with(
            e,
            &quote!(, sqlx::Type),
            &TokenStream::new(),
            |value| quote!(#[sqlx(rename = #value)]),
        ))
    }));
    for t in 0..graph.tables.len() {
        pieces.push(print(entity(graph, files, &plan, TableId(t), diags)));
    }
    let registry = (
        "relations".to_owned(),
        print_registry(graph, &plan.base, false),
        print_registry(graph, &plan.base, true),
    );
    super::orm::assemble(layout, pieces, vec![registry])
}

fn header(inputs: &[String]) -> TokenStream {
    let mut items = super::rust::header(inputs);
    items.push(quote! {
        /// The database the queries run on. The SQL uses `$N` placeholders, which SQLite and
        /// PostgreSQL accept.
        pub type Db = sqlx::Sqlite;
    });
    quote! { #(#items)* }
}

/// A raw string literal (`r#"..."#`) for SQL, which is full of double quotes.
fn raw(sql: &str) -> proc_macro2::Literal {
    let mut hashes = String::from("#");
    while sql.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{sql}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| proc_macro2::Literal::string(sql))
}

/// A double-quoted SQL identifier (`"schema"."table"`).
fn quoted(name: &str) -> String {
    name.split('.')
        .map(|part| format!("\"{}\"", part.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(".")
}

/// The full name of a table as SQL.
fn table_sql(graph: &Graph, t: TableId) -> String {
    let table = graph.table(t);
    match &table.schema {
        Some(s) => format!("{}.{}", quoted(s), quoted(&table.name)),
        None => quoted(&table.name),
    }
}

/// `alias."a", alias."b"`: every column of a table.
fn select_list(graph: &Graph, t: TableId, alias: &str) -> String {
    graph
        .table(t)
        .columns
        .iter()
        .map(|c| format!("{alias}.{}", quoted(&c.name)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A column's Rust type for sqlx on SQLite, which stores a `Uuid` as SQLAlchemy does (32 hex
/// digits: `uuid::fmt::Simple`) and JSON through `sqlx::types::Json`; what it cannot decode
/// is reported and read as SQLite holds it.
fn column_type(
    graph: &Graph,
    plan: &OrmPlan,
    t: TableId,
    c: usize,
    diags: &mut Vec<Diagnostic>,
) -> TokenStream {
    let col = &graph.table(t).columns[c];
    let (ty, how) = match &col.ty.kind {
        TypeKind::Uuid => (quote!(uuid::fmt::Simple), None),
        TypeKind::Json => (quote!(sqlx::types::Json<serde_json::Value>), None),
        TypeKind::Decimal { .. } => (quote!(f64), Some("`f64` (SQLite stores it as REAL)")),
        kind if super::orm::no_sqlite_type(kind) => (quote!(String), Some("text")),
        _ => (value_type(&plan.base, t.0, c, col), None),
    };
    if let Some(how) = how {
        diags.push(super::orm::unmapped_type(
            graph,
            t,
            c,
            "sqlx on SQLite",
            how,
        ));
    }
    ty
}

fn entity(
    graph: &Graph,
    files: &SourceFiles,
    plan: &OrmPlan,
    t: TableId,
    diags: &mut Vec<Diagnostic>,
) -> TokenStream {
    let table = graph.table(t);
    let tp = &plan.tables[t.0];
    let name = ident(&tp.name);
    let struct_doc = doc(&super::orm::entity_doc(graph, files, t));
    let fields = table.columns.iter().enumerate().map(|(c, col)| {
        let field_name = &tp.fields[c];
        let field = ident(field_name);
        let ty = column_type(graph, plan, t, c, diags);
        let ty = super::orm::optional(ty, col.nullable);
        let d = doc(&column_doc(graph, files, col, field_name, None, &[]));
        let rename = (*field_name != col.name).then(|| {
            let column = &col.name;
            quote!(#[sqlx(rename = #column)])
        });
        quote! { #d #rename pub #field: #ty, }
    });
    let table_name = table.fullname();
    let columns = table.columns.iter().map(|c| c.name.as_str());
    let select_all = format!(
        "SELECT {} FROM {} AS t",
        select_list(graph, t, "t"),
        table_sql(graph, t)
    );
    let insert = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table_sql(graph, t),
        table
            .columns
            .iter()
            .map(|c| quoted(&c.name))
            .collect::<Vec<_>>()
            .join(", "),
        (1..=table.columns.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let (select_all, insert) = (raw(&select_all), raw(&insert));
    let binds = tp.fields.iter().map(|f| {
        let f = ident(f);
        quote!(.bind(&self.#f))
    });
    let loaders = plan
        .relations_from(t)
        .map(|r| loader(graph, files, plan, r));
    quote! {
        #struct_doc
        #[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
        pub struct #name { #(#fields)* }

        impl #name {
            /// The table's full name.
            pub const TABLE: &'static str = #table_name;
            /// The table's column names, in table order.
            pub const COLUMNS: &'static [&'static str] = &[#(#columns),*];

            /// Every row of the table.
            pub async fn all<'e, E>(executor: E) -> Result<Vec<Self>, sqlx::Error>
            where
                E: sqlx::Executor<'e, Database = Db>,
            {
                const SQL: &str = #select_all;
                sqlx::query_as::<_, Self>(SQL).fetch_all(executor).await
            }

            /// Inserts this row, every column as it is.
            pub async fn insert<'e, E>(&self, executor: E) -> Result<(), sqlx::Error>
            where
                E: sqlx::Executor<'e, Database = Db>,
            {
                const SQL: &str = #insert;
                sqlx::query(SQL) #(#binds)* .execute(executor).await.map(|_| ())
            }

            #(#loaders)*
        }
    }
}

/// `load_<key>`: the related rows of one row, as SQLAlchemy's lazy loader selects them.
fn loader(graph: &Graph, files: &SourceFiles, plan: &OrmPlan, r: &RelationPlan) -> TokenStream {
    let to = ident(&plan.tables[r.to.0].name);
    let method = ident(&format!("load_{}", r.name));
    let from_fields = &plan.tables[r.from.0].fields;
    let to_table = graph.table(r.to);
    let (sql, locals): (String, Vec<usize>) = match &r.join {
        RelationJoin::Direct { pairs } => {
            let conditions: Vec<String> = pairs
                .iter()
                .enumerate()
                .map(|(i, &(_, remote))| {
                    format!("t.{} = ${}", quoted(&to_table.columns[remote].name), i + 1)
                })
                .collect();
            (
                format!(
                    "SELECT {} FROM {} AS t WHERE {}",
                    select_list(graph, r.to, "t"),
                    table_sql(graph, r.to),
                    conditions.join(" AND ")
                ),
                pairs.iter().map(|&(local, _)| local).collect(),
            )
        }
        RelationJoin::Through {
            secondary,
            parent,
            target,
        } => {
            let sec = graph.table(*secondary);
            let on: Vec<String> = target
                .iter()
                .map(|&(c, s)| {
                    format!(
                        "s.{} = t.{}",
                        quoted(&sec.columns[s].name),
                        quoted(&to_table.columns[c].name)
                    )
                })
                .collect();
            let conditions: Vec<String> = parent
                .iter()
                .enumerate()
                .map(|(i, &(_, s))| format!("s.{} = ${}", quoted(&sec.columns[s].name), i + 1))
                .collect();
            (
                format!(
                    "SELECT {} FROM {} AS t JOIN {} AS s ON {} WHERE {}",
                    select_list(graph, r.to, "t"),
                    table_sql(graph, r.to),
                    table_sql(graph, *secondary),
                    on.join(" AND "),
                    conditions.join(" AND ")
                ),
                parent.iter().map(|&(local, _)| local).collect(),
            )
        }
    };
    // Only the target subclass's rows, on a table it shares.
    let sql = match &r.to_rows {
        Some(d) => {
            let values: Vec<String> = d
                .identities
                .iter()
                .map(|i| match i {
                    crate::ir::Identity::Str(s) => format!("'{}'", s.replace('\'', "''")),
                    crate::ir::Identity::Int(n) => n.to_string(),
                })
                .collect();
            format!(
                "{sql} AND t.{} IN ({})",
                quoted(&to_table.columns[d.column].name),
                values.join(", ")
            )
        }
        None => sql,
    };
    let sql = raw(&sql);
    let binds = locals.iter().map(|&l| {
        let f = ident(&from_fields[l]);
        quote!(.bind(&self.#f))
    });
    let d = doc(&super::orm::loader_doc(graph, files, plan, r));
    let (ret, fetch) = if r.many {
        (quote!(Vec<#to>), quote!(fetch_all))
    } else {
        (quote!(Option<#to>), quote!(fetch_optional))
    };
    quote! {
        #d
        pub async fn #method<'e, E>(&self, executor: E) -> Result<#ret, sqlx::Error>
        where
            E: sqlx::Executor<'e, Database = Db>,
        {
            const SQL: &str = #sql;
            sqlx::query_as::<_, #to>(SQL) #(#binds)* .#fetch(executor).await
        }
    }
}
