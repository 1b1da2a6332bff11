//! The Rust enums generated for `Enum` columns: one per distinct enum (a Python `enum.Enum`
//! class, or a list of values under a SQL name), shared by every column that uses it.

use crate::{IndexMap, IndexSet};
use proc_macro2::TokenStream;
use quote::quote;

use super::names::{ident, Namespace};
use super::rust::doc;
use crate::graph::Graph;
use crate::ir::{PyEnum, TypeKind};
use crate::source::SourceFiles;

/// One generated enum.
pub(super) struct EnumPlan {
    pub name: String,
    /// `(variant, database value)`.
    pub variants: Vec<(String, String)>,
    /// The enum's doc comment: the Python class (if any), and what follows the columns using it.
    doc: (Option<String>, String),
}

/// Every generated enum, and which columns use which.
#[derive(Default)]
pub(super) struct Enums {
    pub items: Vec<EnumPlan>,
    by_column: IndexMap<(usize, usize), usize>,
}

/// The `Enum` type of a column, or of the items of an `ARRAY` column.
fn enum_of(kind: &TypeKind) -> Option<(&[String], Option<&str>, Option<&PyEnum>)> {
    match kind {
        TypeKind::Enum(e) => Some((&e.values, e.name.as_deref(), e.python.as_ref())),
        TypeKind::Array { item, .. } => enum_of(item),
        _ => None,
    }
}

impl Enums {
    /// Plans the enums of every column, naming them in `types` (after the structs).
    pub fn plan(
        graph: &Graph,
        files: &SourceFiles,
        structs: &[String],
        types: &mut Namespace,
    ) -> Enums {
        let mut enums = Enums::default();
        // Columns sharing the Python class (or SQL name) and the stored values share an enum.
        let mut seen: IndexMap<(String, Vec<String>), usize> = IndexMap::default();
        // Per enum: the columns using it, and the SQL name each gives it.
        let mut columns: Vec<Vec<(String, Option<String>)>> = Vec::new();
        for (t, table) in graph.tables.iter().enumerate() {
            for (c, col) in table.columns.iter().enumerate() {
                let Some((values, sql_name, python)) = enum_of(&col.ty.kind) else {
                    continue;
                };
                if values.is_empty() {
                    continue;
                }
                let base = match (python, sql_name) {
                    (Some(p), _) => p.class.clone(),
                    (None, Some(n)) => n.to_owned(),
                    (None, None) => format!("{}_{}", structs[t], col.name),
                };
                let key = (base.clone(), values.to_vec());
                let qualified = (
                    format!("{}.{}", table.fullname(), col.name),
                    sql_name.map(str::to_owned),
                );
                if let Some(&i) = seen.get(&key) {
                    enums.by_column.insert((t, c), i);
                    columns[i].push(qualified);
                    continue;
                }
                let name = types.camel_or(&base, &[format!("{base}_enum")]);
                let mut vs = Namespace::default();
                // A Python enum's variants are its members; others are named after the values.
                let variants = match python {
                    Some(p) => p
                        .members
                        .iter()
                        .zip(values)
                        .map(|(m, v)| (vs.camel(m), v.clone()))
                        .collect(),
                    None => values.iter().map(|v| (vs.camel(v), v.clone())).collect(),
                };
                let doc = match python {
                    Some(p) => {
                        let stored = if p.stores_values {
                            "the member values (`values_callable`)"
                        } else {
                            "the member names (SQLAlchemy's default)"
                        };
                        (
                            Some(p.class.clone()),
                            format!(
                                " The database stores {stored}.\n\nDeclared at `{}`.",
                                files.location(p.span)
                            ),
                        )
                    }
                    None => (
                        None,
                        format!("\n\nDeclared at `{}`.", files.location(col.ty.span)),
                    ),
                };
                seen.insert(key, enums.items.len());
                enums.by_column.insert((t, c), enums.items.len());
                columns.push(vec![qualified]);
                enums.items.push(EnumPlan {
                    name,
                    variants,
                    doc,
                });
            }
        }
        for (e, cols) in enums.items.iter_mut().zip(columns) {
            let list: Vec<String> = cols.iter().map(|(c, _)| format!("`{c}`")).collect();
            let what = if list.len() == 1 { "column" } else { "columns" };
            let sql: IndexSet<String> = cols
                .iter()
                .filter_map(|(_, n)| n.as_ref().map(|n| format!("`{n}`")))
                .collect();
            let sql = match sql.len() {
                0 => "SQL enum".to_owned(),
                1 => format!(
                    "SQL enum {}",
                    sql.iter().map(String::as_str).collect::<String>()
                ),
                _ => format!("SQL enums {}", Vec::from_iter(sql).join(", ")),
            };
            let head = match &e.doc.0 {
                Some(class) if sql == "SQL enum" => format!("Python enum `{class}`"),
                Some(class) => format!("Python enum `{class}` ({sql})"),
                None => sql,
            };
            e.doc.1 = format!(
                "{head}, the values of {what} {}.{}",
                list.join(", "),
                e.doc.1
            );
        }
        enums
    }

    /// The table of the first column using enum `i`: where a module tree puts the enum.
    pub fn home_table(&self, i: usize) -> Option<usize> {
        self.by_column
            .iter()
            .find(|(_, &e)| e == i)
            .map(|(&(t, _), _)| t)
    }

    /// The enum a column's values (or array items) take.
    pub fn of_column(&self, t: usize, c: usize) -> Option<&EnumPlan> {
        self.by_column.get(&(t, c)).map(|&i| &self.items[i])
    }
}

/// The enum, its `ALL` members, `as_str()` (the stored value) and `FromStr`.
pub(super) fn enum_item(e: &EnumPlan) -> TokenStream {
    enum_item_with(e, &TokenStream::new(), &TokenStream::new(), |_| {
        TokenStream::new()
    })
}

/// [`enum_item`] with more derives (`, sqlx::Type`), attributes for the enum, and attributes
/// for each variant, given the stored value.
pub(super) fn enum_item_with(
    e: &EnumPlan,
    derives: &TokenStream,
    attrs: &TokenStream,
    variant_attr: impl Fn(&str) -> TokenStream,
) -> TokenStream {
    let d = doc(&e.doc.1);
    let name = ident(&e.name);
    let variants: Vec<_> = e.variants.iter().map(|(v, _)| ident(v)).collect();
    let docs = e.variants.iter().map(|(_, value)| {
        let d = doc(&format!("Stored as `{value:?}`."));
        let attr = variant_attr(value);
        quote! { #d #attr }
    });
    let values = e.variants.iter().map(|(_, value)| value.as_str());
    let err = format!("unknown `{}` value: ", e.name);
    quote! {
        #d
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash #derives)]
        #attrs
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
