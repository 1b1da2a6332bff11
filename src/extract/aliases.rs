//! `Annotated` type aliases: `str50 = Annotated[str, mapped_column(String(50))]` and
//! `intpk = Annotated[int, mapped_column(primary_key=True)]`, used as `Mapped[str50]`. The
//! alias's Python type is the column's annotation, and its `mapped_column` lends its arguments
//! to the column (`MappedColumn._init_column_for_annotation`, then `Column._merge`), also when
//! the alias is imported from another module of the input.

use super::index::Export;
use super::{Extractor, Resolved};
use crate::ir::{AnnotationType, ColumnDecl, ColumnStyle, Spanned};
use crate::source::Span;
use crate::syntax::{Expr, ExprKind, Stmt, StmtKind};

/// A read `Annotated[...]` alias.
#[derive(Debug, Clone)]
pub struct AliasDef {
    /// The Python type inside, as a column annotation.
    pub ty: AnnotationType,
    /// The `mapped_column(...)` in its metadata, read as a column (named `""`).
    pub column: Option<ColumnDecl>,
    pub span: Span,
}

impl PartialEq for AliasDef {
    /// Two reads of the same alias are the same alias (extraction passes compare indexes).
    fn eq(&self, other: &Self) -> bool {
        self.span == other.span && self.ty == other.ty
    }
}

impl Extractor<'_> {
    /// Reads the module's `NAME = Annotated[T, ...]` assignments.
    pub(super) fn collect_aliases(&mut self, body: &[Stmt]) {
        for stmt in body {
            let StmtKind::Assign { targets, value } = &stmt.kind else {
                continue;
            };
            let [target] = targets.as_slice() else {
                continue;
            };
            let Some(name) = target.as_name() else {
                continue;
            };
            if let Some(def) = self.read_alias(value) {
                self.aliases.insert(name.to_owned(), def);
            }
        }
    }

    fn read_alias(&mut self, value: &Expr) -> Option<AliasDef> {
        let ExprKind::Subscript { value: head, slice } = &value.kind else {
            return None;
        };
        let annotated = match self.scope.resolve(head)? {
            Resolved::Python(p) => p == "typing.Annotated" || p == "typing_extensions.Annotated",
            _ => false,
        };
        if !annotated {
            return None;
        }
        let ExprKind::Tuple(items) = &slice.kind else {
            return None;
        };
        let (ty, meta) = items.split_first()?;
        let ty = self.column_annotation(ty);
        let column = meta.iter().find_map(|m| {
            let ExprKind::Call {
                func,
                args,
                keywords,
            } = &m.kind
            else {
                return None;
            };
            match self.scope.resolve_sqla(func) {
                Some(Resolved::Sqla(n)) if n == "mapped_column" => Some((args, keywords, m.span)),
                _ => None,
            }
        });
        let column = match column {
            Some((args, keywords, span)) => {
                let attr = Spanned::new(String::new(), span);
                self.column_call(
                    Some(attr),
                    Some(ty.clone()),
                    ColumnStyle::Mapped,
                    args,
                    keywords,
                    span,
                )
            }
            None => None,
        };
        Some(AliasDef {
            ty,
            column,
            span: value.span,
        })
    }

    /// The alias an annotation names (`str50`, or `Optional[str50]`), and whether the
    /// annotation adds `None`.
    pub(super) fn alias_of(&mut self, inner: &Expr) -> Option<(AliasDef, bool)> {
        let (ty, optional) = self.strip_optional(inner);
        let found = match &ty.kind {
            ExprKind::Name(n) => match self.aliases.get(n.as_str()) {
                Some(def) => Some(def.clone()),
                None => self.imported_alias(ty),
            },
            ExprKind::Attribute { .. } => self.imported_alias(ty),
            _ => None,
        };
        found.map(|def| (def, optional))
    }

    /// Gives a column declared as `Mapped[alias]` what the alias's `mapped_column` says.
    pub(super) fn apply_alias(&mut self, col: &mut ColumnDecl, inner: &Expr) {
        if let Some((
            AliasDef {
                column: Some(from), ..
            },
            _,
        )) = self.alias_of(inner)
        {
            merge_alias(col, &from);
        }
    }

    fn imported_alias(&mut self, e: &Expr) -> Option<AliasDef> {
        match self.scope.resolve(e)? {
            Resolved::Imported(path) => match self.index.lookup(&path)? {
                (_, Export::Annotated(def)) => Some(*def),
                _ => None,
            },
            _ => None,
        }
    }
}

/// `Column._merge`: what the alias's column says and the column itself leaves unsaid.
pub(super) fn merge_alias(col: &mut ColumnDecl, alias: &ColumnDecl) {
    if col.sql_type.is_none() {
        col.sql_type = alias.sql_type.clone();
    }
    col.primary_key |= alias.primary_key;
    col.nullable = col.nullable.or(alias.nullable);
    col.unique = col.unique.or(alias.unique);
    col.index = col.index.or(alias.index);
    if col.default.is_none() {
        col.default = alias.default.clone();
    }
    if col.server_default.is_none() {
        col.server_default = alias.server_default.clone();
    }
    if col.foreign_keys.is_empty() {
        col.foreign_keys = alias.foreign_keys.clone();
    }
    if col.ddl.is_none() {
        col.ddl = alias.ddl.clone();
    }
}
