//! The registry's `Collection` and `Lazy` types: what a relationship attribute holds and how
//! SQLAlchemy loads it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::graph::{Holds, Loading};
use crate::ir::Lazy;

/// The `Collection` and `Lazy` items of the registry.
pub(super) fn items() -> TokenStream {
    quote! {
        /// What a relationship's Python attribute holds.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Collection {
            /// One row of the target, or none (`uselist=False`).
            Scalar,
            /// A list of rows (the default collection).
            List,
            /// A set of rows (`Mapped[Set[...]]`, `collection_class=set`).
            Set,
            /// A dict of rows keyed by an attribute or column of the target (`attribute_keyed_dict`,
            /// `column_keyed_dict`), or by a key function, as written.
            Dict {
                /// The key attribute or column, or the key function as written.
                key: &'static str,
            },
            /// A write-only collection (`WriteOnlyMapped`, `lazy="write_only"`): appended to and
            /// queried, never loaded.
            WriteOnly,
            /// A query per access (`DynamicMapped`, `lazy="dynamic"`).
            Dynamic,
            /// A custom `collection_class`, as written.
            Other(&'static str),
        }

        /// SQLAlchemy's loader strategy (`relationship(lazy=...)`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Lazy {
            /// `"select"`: loaded on first access (the default).
            Select,
            /// `"joined"`: loaded with its parent, by a join.
            Joined,
            /// `"selectin"`: loaded with its parent, by a second `IN` query.
            Selectin,
            /// `"subquery"`.
            Subquery,
            /// `"immediate"`.
            Immediate,
            /// `"raise"`: loading it raises.
            Raise,
            /// `"raise_on_sql"`.
            RaiseOnSql,
            /// `"noload"`: never loaded.
            NoLoad,
            /// `"write_only"`.
            WriteOnly,
            /// `"dynamic"`.
            Dynamic,
        }
    }
}

/// The `collection` and `lazy` values of one `Relation`.
pub(super) fn values(loading: &Loading) -> (TokenStream, proc_macro2::Ident) {
    let collection = match &loading.holds {
        Holds::Scalar => quote!(Collection::Scalar),
        Holds::List => quote!(Collection::List),
        Holds::Set => quote!(Collection::Set),
        Holds::KeyedDict { key } => quote!(Collection::Dict { key: #key }),
        Holds::WriteOnly => quote!(Collection::WriteOnly),
        Holds::Dynamic => quote!(Collection::Dynamic),
        Holds::Other(text) => {
            let text = super::rust::one_line(text);
            quote!(Collection::Other(#text))
        }
    };
    let lazy = match loading.lazy {
        Lazy::Select => "Select",
        Lazy::Joined => "Joined",
        Lazy::Selectin => "Selectin",
        Lazy::Subquery => "Subquery",
        Lazy::Immediate => "Immediate",
        Lazy::Raise => "Raise",
        Lazy::RaiseOnSql => "RaiseOnSql",
        Lazy::NoLoad => "NoLoad",
        Lazy::WriteOnly => "WriteOnly",
        Lazy::Dynamic => "Dynamic",
    };
    let lazy = format_ident!("{lazy}");
    (collection, lazy)
}
