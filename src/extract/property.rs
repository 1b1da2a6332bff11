//! Mapped attributes beside columns and relationships: `column_property(...)`,
//! `deferred(...)`, `association_proxy(...)`, and the dataclass settings of columns.

use super::declarative::BodyDecl;
use super::{Extractor, Resolved};
use crate::ir::{ColumnDecl, ColumnStyle, FieldOptions, PropertyDecl, PropertyKind, Spanned};
use crate::source::Span;
use crate::syntax::{keyword, Expr, ExprKind, Keyword};

/// `mapped_column()` / `relationship()` arguments that only configure the dataclass
/// (`MappedAsDataclass`).
const DATACLASS_OPTIONS: &[&str] = &[
    "init",
    "repr",
    "default_factory",
    "compare",
    "kw_only",
    "hash",
    "dataclass_metadata",
];

impl Extractor<'_> {
    /// Whether `e` is an `association_proxy(...)` call.
    pub(super) fn is_proxy(&mut self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Call { func, .. }
            if matches!(self.scope.resolve_sqla(func), Some(Resolved::Sqla(n)) if n == "association_proxy"))
    }

    /// Records a column's dataclass settings, and drops a `default=None`, which gives the
    /// column no default (SQLAlchemy's `Column(default=None)`).
    pub(super) fn column_extras(
        &self,
        decl: &mut BodyDecl,
        col: &mut ColumnDecl,
        keywords: &[Keyword],
    ) {
        let defaults: Vec<&Keyword> = ["default", "insert_default"]
            .iter()
            .filter_map(|k| keyword(keywords, k))
            .collect();
        if !defaults.is_empty()
            && defaults
                .iter()
                .all(|kw| matches!(kw.value.kind, ExprKind::NoneLit))
        {
            col.default = None;
        }
        let options: Vec<(String, String)> = keywords
            .iter()
            .filter_map(|kw| {
                let k = kw.name.as_deref()?;
                DATACLASS_OPTIONS
                    .contains(&k)
                    .then(|| (k.to_owned(), self.files.slice(kw.value.span).to_owned()))
            })
            .collect();
        if !options.is_empty() {
            let attr = col.attr.as_ref().map_or(&col.name, |a| &a.value).clone();
            decl.field_options
                .push((col.span, FieldOptions { attr, options }));
        }
    }

    /// `column_property(...)`, `deferred(...)` or `association_proxy(...)` assigned to `attr`:
    /// a column wrapped in one is a column of the table; an expression is recorded for the
    /// documentation. `false` for other calls.
    pub(super) fn property_attr(
        &mut self,
        decl: &mut BodyDecl,
        attr: &Spanned<String>,
        callee: &str,
        args: &[Expr],
        keywords: &[Keyword],
        span: Span,
    ) -> bool {
        match callee {
            "column_property" | "deferred" => {
                let Some(first) = args.first() else {
                    return false;
                };
                if let ExprKind::Call {
                    func,
                    args: cargs,
                    keywords: ckw,
                } = &first.kind
                {
                    let inner = match self.scope.resolve_sqla(func) {
                        Some(Resolved::Sqla(n)) => n,
                        _ => String::new(),
                    };
                    if inner == "Column" || inner == "mapped_column" {
                        let style = match inner.as_str() {
                            "Column" => ColumnStyle::Classic,
                            _ => ColumnStyle::Mapped,
                        };
                        // `column_property(Column(...), Parent.x)` combines columns explicitly.
                        if callee == "column_property" && args.len() > 1 {
                            decl.combined.push(attr.value.clone());
                        }
                        let attr = Some(attr.clone());
                        if let Some(mut col) =
                            self.column_call(attr, None, style, cargs, ckw, first.span)
                        {
                            self.column_extras(decl, &mut col, keywords);
                            decl.columns.push(col);
                        }
                        return true;
                    }
                }
                if callee == "deferred" {
                    return false;
                }
                let expr = args
                    .iter()
                    .map(|a| self.files.slice(a.span))
                    .collect::<Vec<_>>()
                    .join(", ");
                decl.properties.push(PropertyDecl {
                    attr: attr.clone(),
                    kind: PropertyKind::ColumnProperty { expr },
                    span,
                });
                true
            }
            "synonym" => {
                let name = args
                    .first()
                    .or_else(|| keyword(keywords, "name").map(|k| &k.value))
                    .and_then(Expr::as_str);
                let Some(name) = name else {
                    return false;
                };
                decl.properties.push(PropertyDecl {
                    attr: attr.clone(),
                    kind: PropertyKind::Synonym {
                        name: name.to_owned(),
                    },
                    span,
                });
                true
            }
            "association_proxy" => {
                let (Some(collection), Some(target)) = (
                    args.first().and_then(Expr::as_str),
                    args.get(1).and_then(Expr::as_str),
                ) else {
                    return false;
                };
                decl.properties.push(PropertyDecl {
                    attr: attr.clone(),
                    kind: PropertyKind::AssociationProxy {
                        collection: collection.to_owned(),
                        attr: target.to_owned(),
                    },
                    span,
                });
                true
            }
            _ => false,
        }
    }
}
