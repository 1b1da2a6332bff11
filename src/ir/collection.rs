//! How a relationship loads and holds its rows, as written: `lazy=`, `collection_class=` and the
//! `WriteOnlyMapped` / `DynamicMapped` annotations.

use super::Spanned;

/// A loader strategy (`relationship(lazy=...)`), SQLAlchemy's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lazy {
    /// `"select"` (the default), `True`.
    Select,
    /// `"joined"`, `False`.
    Joined,
    Selectin,
    Subquery,
    Immediate,
    Raise,
    RaiseOnSql,
    /// `"noload"`, `None`.
    NoLoad,
    /// `"write_only"`, or a `WriteOnlyMapped[...]` annotation: never loaded, only appended to.
    WriteOnly,
    /// `"dynamic"`, or a `DynamicMapped[...]` annotation: a query per access.
    Dynamic,
}

impl Lazy {
    /// The strategy a `lazy=` literal names (`"selectin"`, `True`, `None`, ...).
    pub fn from_literal(text: &str) -> Option<Lazy> {
        Some(match text {
            // `baked_select` is the legacy name of the same strategy.
            "select" | "True" | "baked_select" => Lazy::Select,
            "joined" | "False" => Lazy::Joined,
            "selectin" => Lazy::Selectin,
            "subquery" => Lazy::Subquery,
            "immediate" => Lazy::Immediate,
            "raise" => Lazy::Raise,
            "raise_on_sql" => Lazy::RaiseOnSql,
            "noload" | "None" => Lazy::NoLoad,
            "write_only" => Lazy::WriteOnly,
            "dynamic" => Lazy::Dynamic,
            _ => return None,
        })
    }

    /// SQLAlchemy's name of the strategy.
    pub fn sqla_name(self) -> &'static str {
        match self {
            Lazy::Select => "select",
            Lazy::Joined => "joined",
            Lazy::Selectin => "selectin",
            Lazy::Subquery => "subquery",
            Lazy::Immediate => "immediate",
            Lazy::Raise => "raise",
            Lazy::RaiseOnSql => "raise_on_sql",
            Lazy::NoLoad => "noload",
            Lazy::WriteOnly => "write_only",
            Lazy::Dynamic => "dynamic",
        }
    }

    /// `dynamic` and `write_only` hold no loaded collection: they need one-to-many or
    /// many-to-many collections (`_WriteOnlyLoader.init_class_attribute`).
    pub fn is_query_only(self) -> bool {
        matches!(self, Lazy::WriteOnly | Lazy::Dynamic)
    }
}

/// `collection_class=` of a relationship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectionClass {
    /// `list`.
    List,
    /// `set`.
    Set,
    /// A dict keyed by an attribute, a column or a function of the target:
    /// `attribute_keyed_dict("name")` (`attribute_mapped_collection`), `column_keyed_dict(col)`
    /// (`column_mapped_collection`), `keyfunc_mapping(fn)` (`mapped_collection`). `key` is the
    /// attribute or column name, else the key argument as written.
    KeyedDict { key: String },
    /// `dict` itself: SQLAlchemy refuses it (it has no appender method).
    PlainDict,
    /// Another class or factory (`ordering_list("position")`), as written.
    Other(String),
}

/// How a relationship's `Mapped[...]` annotation holds its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collection {
    /// `List[X]`, `list[X]`.
    List,
    /// `Set[X]`, `set[X]`.
    Set,
    /// `Dict[K, X]`, `dict[K, X]`: a dict collection, which needs a keyed `collection_class`.
    Dict,
    /// An abstract collection type (`Sequence[X]`, `Mapping[K, X]`, ...), named as written:
    /// SQLAlchemy cannot instantiate it without an explicit `collection_class`.
    Abstract(String),
}

/// What the relationship's `lazy=` and `collection_class=` arguments say.
#[derive(Debug, Clone, Default)]
pub struct LoadingDecl {
    pub lazy: Option<Spanned<Lazy>>,
    pub collection_class: Option<Spanned<CollectionClass>>,
}
