//! `Mapped[...]` annotations: the Python type of a column, or the target and collection of a
//! relationship.

use super::{Extractor, Resolved};
use crate::ir::{AnnotationType, Collection, Lazy, RelAnnotation, Spanned};
use crate::syntax::{BinOp, Expr, ExprKind};

impl Extractor<'_> {
    /// The type inside `Mapped[...]` (also `WriteOnlyMapped`, `DynamicMapped`, which set the
    /// relationship's loader), or `None` when the annotation is not one of those.
    pub(super) fn mapped_inner<'e>(&mut self, ann: &'e Expr) -> Option<Annotated<'e>> {
        let ExprKind::Subscript { value, slice } = &ann.kind else {
            return None;
        };
        let lazy = match self.scope.resolve_sqla(value)? {
            Resolved::Sqla(n) => match n.as_str() {
                "Mapped" => None,
                "WriteOnlyMapped" => Some(Spanned::new(Lazy::WriteOnly, value.span)),
                "DynamicMapped" => Some(Spanned::new(Lazy::Dynamic, value.span)),
                _ => return None,
            },
            _ => return None,
        };
        Some(Annotated { inner: slice, lazy })
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
            Resolved::Python(p) => Some(typing_name(p)),
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

    /// Reads the target and collection of a `Mapped[...]` relationship, as `declarative_scan`
    /// does: a collection type gives the collection (a mapping's target is its last argument),
    /// another generic (`Iterable[X]`) is a scalar of its first argument.
    pub(super) fn relationship_annotation(&mut self, ann: Annotated) -> RelAnnotation {
        let (ty, _) = self.strip_optional(ann.inner);
        let mut out = RelAnnotation {
            target: class_name(ty),
            collection: None,
            lazy: ann.lazy,
        };
        let ExprKind::Subscript { value, slice } = &ty.kind else {
            return out;
        };
        let Some(origin) = self.python_name(value) else {
            return out;
        };
        let args: Vec<&Expr> = match &slice.kind {
            ExprKind::Tuple(items) => items.iter().collect(),
            _ => vec![slice.as_ref()],
        };
        let abc = origin
            .strip_prefix("typing.")
            .or_else(|| origin.strip_prefix("collections.abc."))
            .unwrap_or("");
        let (collection, mapping) = match (origin.as_str(), abc) {
            ("list" | "typing.List", _) => (Some(Collection::List), false),
            ("set" | "typing.Set", _) => (Some(Collection::Set), false),
            ("dict" | "typing.Dict", _) => (Some(Collection::Dict), true),
            (_, "Sequence" | "MutableSequence" | "AbstractSet" | "Set" | "MutableSet")
            | (_, "Collection") => (Some(Collection::Abstract(abc.to_owned())), false),
            (_, "Mapping" | "MutableMapping") => (Some(Collection::Abstract(abc.to_owned())), true),
            (_, "Iterable" | "Iterator") => (None, false),
            _ => return out,
        };
        let arg = if mapping { args.last() } else { args.first() };
        out.target = arg.and_then(|a| class_name(a));
        out.collection = collection.map(|c| Spanned::new(c, value.span));
        out
    }
}

/// A standard-library dotted name, with `typing_extensions.X` read as `typing.X`.
pub(super) fn typing_name(python: String) -> String {
    match python.strip_prefix("typing_extensions.") {
        Some(s) => format!("typing.{s}"),
        None => python,
    }
}

/// A `Mapped[...]`-style annotation: the type inside, and the loader its container sets.
#[derive(Clone)]
pub(super) struct Annotated<'e> {
    pub inner: &'e Expr,
    pub lazy: Option<Spanned<Lazy>>,
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
