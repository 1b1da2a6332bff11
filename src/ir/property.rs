//! Mapped attributes that are neither table columns nor relationships of the graph
//! (`column_property(expr)`, `association_proxy(...)`), and the dataclass settings of mapped
//! attributes: recorded for the generated documentation.

use super::Spanned;
use crate::source::Span;

/// A class attribute recorded for the documentation.
#[derive(Debug, Clone)]
pub struct PropertyDecl {
    pub attr: Spanned<String>,
    pub kind: PropertyKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyKind {
    /// `column_property(expr)`: a read-only SQL expression loaded with the row, as written.
    ColumnProperty { expr: String },
    /// `association_proxy("collection", "attr")`: the `attr` of each row of the relationship
    /// `collection`.
    AssociationProxy { collection: String, attr: String },
    /// `synonym("name")`: another name for the mapped attribute `name`.
    Synonym { name: String },
}

/// The dataclass settings of a mapped attribute (`MappedAsDataclass`): `init=False`,
/// `default_factory=list`, ..., as `(name, source text)`.
#[derive(Debug, Clone, Default)]
pub struct FieldOptions {
    pub attr: String,
    pub options: Vec<(String, String)>,
}
