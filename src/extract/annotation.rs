//! `Mapped[...]` annotations: the Python type of a column, or the target and collection of a
//! relationship.

use super::{Extractor, Resolved};
use crate::ir::{AnnotationType, Collection, RelAnnotation, Spanned};
use crate::syntax::{BinOp, Expr, ExprKind};

impl Extractor<'_> {
    /// The type inside `Mapped[...]` (also `WriteOnlyMapped`, `DynamicMapped`), or `None` when
    /// the annotation is not one of those.
    pub(super) fn mapped_inner<'e>(&mut self, ann: &'e Expr) -> Option<&'e Expr> {
        let ExprKind::Subscript { value, slice } = &ann.kind else {
            return None;
        };
        match self.scope.resolve_sqla(value)? {
            Resolved::Sqla(n)
                if matches!(n.as_str(), "Mapped" | "WriteOnlyMapped" | "DynamicMapped") =>
            {
                Some(slice)
            }
            _ => None,
        }
    }

    /// Splits `Optional[X]`, `Union[X, None]`, `X | None` into `(X, true)`.
    pub(super) fn strip_optional<'e>(&mut self, e: &'e Expr) -> (&'e Expr, bool) {
        match &e.kind {
            ExprKind::Subscript { value, slice } => {
                let name = self.python_name(value);
                match name.as_deref() {
                    Some("typing.Optional") => return (slice, true),
                    Some("typing.Union") => {
                        if let ExprKind::Tuple(items) = &slice.kind {
                            let rest: Vec<&Expr> = items
                                .iter()
                                .filter(|i| !matches!(i.kind, ExprKind::NoneLit))
                                .collect();
                            if rest.len() == 1 && items.len() == 2 {
                                return (rest[0], true);
                            }
                        }
                    }
                    _ => {}
                }
                (e, false)
            }
            ExprKind::BinOp {
                left,
                op: BinOp::BitOr,
                right,
            } => match (&left.kind, &right.kind) {
                (_, ExprKind::NoneLit) => (left, true),
                (ExprKind::NoneLit, _) => (right, true),
                _ => (e, false),
            },
            _ => (e, false),
        }
    }

    /// The dotted Python name of a type expression (`int`, `datetime.datetime`,
    /// `typing.Optional`), following imports.
    pub(super) fn python_name(&mut self, e: &Expr) -> Option<String> {
        match self.scope.resolve(e)? {
            Resolved::Python(p) => Some(
                p.strip_prefix("typing_extensions.")
                    .map_or(p.clone(), |s| format!("typing.{s}")),
            ),
            Resolved::Unbound(p) => Some(p),
            Resolved::Local(p) | Resolved::Imported(p) | Resolved::Sqla(p) => Some(p),
        }
    }

    /// Reads the Python type of a `Mapped[...]` column.
    pub(super) fn column_annotation(&mut self, inner: &Expr) -> AnnotationType {
        if let Some((alias, optional)) = self.alias_of(inner) {
            return AnnotationType {
                optional: optional || alias.ty.optional,
                span: inner.span,
                ..alias.ty
            };
        }
        let (ty, optional) = self.strip_optional(inner);
        let python = self
            .python_name(ty)
            .unwrap_or_else(|| self.files.slice(ty.span).to_owned());
        let sql_type = self.annotation_sql_type(ty, &python);
        AnnotationType {
            sql_type,
            python,
            optional,
            span: ty.span,
        }
    }

    /// Reads the target and collection of a `Mapped[...]` relationship.
    pub(super) fn relationship_annotation(&mut self, inner: &Expr) -> RelAnnotation {
        let (ty, _) = self.strip_optional(inner);
        if let ExprKind::Subscript { value, slice } = &ty.kind {
            let collection = match self.python_name(value).as_deref() {
                Some("typing.List" | "list" | "typing.Sequence" | "typing.MutableSequence") => {
                    Some(Collection::List)
                }
                Some("typing.Set" | "set" | "typing.MutableSet" | "typing.AbstractSet") => {
                    Some(Collection::Set)
                }
                _ => None,
            };
            if collection.is_some() {
                return RelAnnotation {
                    target: class_name(slice),
                    collection,
                };
            }
        }
        RelAnnotation {
            target: class_name(ty),
            collection: None,
        }
    }
}

/// A class named by a string, a name, a dotted name or a lambda returning one.
pub(super) fn class_name(e: &Expr) -> Option<Spanned<String>> {
    match &e.kind {
        ExprKind::Str(s) => Some(Spanned::new(s.clone(), e.span)),
        ExprKind::Name(n) => Some(Spanned::new(n.clone(), e.span)),
        ExprKind::Attribute { attr, .. } => Some(Spanned::new(attr.clone(), e.span)),
        ExprKind::Lambda { body, .. } => class_name(body),
        _ => None,
    }
}
