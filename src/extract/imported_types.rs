//! Column types defined in another input module: an `enum.Enum` class or a `TypeDecorator`
//! imported by the models, known as if it were declared beside them.
//!
//! The defining module exports each with its class record ([`ColumnTypeDef`]): an enum class
//! as read (its members), a decorator with its `impl` read in the defining module (where its
//! names resolve). Arguments given to the decorator where it is used are the `impl`'s
//! (`TypeDecorator.__init__`), read in the using module.

use super::local_types::EnumClass;
use super::sqltype::TypeRead;
use super::types;
use super::{Extractor, Resolved};
use crate::diagnostics::Diagnostic;
use crate::ir::SqlType;
use crate::syntax::{Expr, ExprKind, Keyword};

/// A class that defines a column type, as other modules see it.
#[derive(Debug, Clone)]
pub enum ColumnTypeDef {
    Enum(Box<EnumClass>),
    Decorator(Box<DecoratorDef>),
}

impl PartialEq for ColumnTypeDef {
    /// The same class read twice is the same definition (extraction passes compare indexes).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ColumnTypeDef::Enum(a), ColumnTypeDef::Enum(b)) => a.name_span == b.name_span,
            (ColumnTypeDef::Decorator(a), ColumnTypeDef::Decorator(b)) => a == b,
            _ => false,
        }
    }
}

/// A `TypeDecorator` subclass, with its `impl` read where it is defined.
#[derive(Debug, Clone, PartialEq)]
pub struct DecoratorDef {
    /// The `impl` as a type without arguments of the decorator's own: what the decorator is
    /// when used bare (or with its own `__init__`). `Err` says why it is not known.
    pub read: Result<(SqlType, Option<String>), String>,
    /// A bare SQLAlchemy type class as `impl` (`impl = DateTime`), by name and dialect: the
    /// decorator's arguments are its arguments.
    pub bare_impl: Option<(String, Option<String>)>,
    /// The class (or a decorator it inherits) defines `__init__`.
    pub own_init: bool,
    /// The class (or a decorator it inherits) defines `load_dialect_impl`.
    pub dialect_impl: bool,
    /// What reading the `impl` reported.
    pub diags: Vec<Diagnostic>,
}

impl Extractor<'_> {
    /// What the class `name` of this module defines as a column type, for importers.
    pub(super) fn column_type_def(&mut self, name: &str) -> Option<ColumnTypeDef> {
        if let Some(ec) = self.local.enums.get(name) {
            return Some(ColumnTypeDef::Enum(Box::new(ec.clone())));
        }
        let d = self.local.decorators.get(name)?;
        let at = d.name_span;
        let bare = Expr {
            kind: ExprKind::Name(name.to_owned()),
            span: at,
        };
        let start = self.diags.len();
        let read = match self.read_type(&bare) {
            Some(TypeRead::Known(t)) => Ok((t, None)),
            Some(TypeRead::Partial(t, why)) => Ok((t, Some(why))),
            None => Err("it is not a type sa2rs knows".to_owned()),
        };
        let diags = self.diags.split_off(start);
        let (impl_, own_init) = self.decorator_impl(name);
        let bare_impl = impl_.and_then(|i| match &i.kind {
            ExprKind::Name(_) | ExprKind::Attribute { .. } => match self.scope.resolve_sqla(&i)? {
                Resolved::Sqla(n) => Some((n, self.scope.dialect(&i))),
                _ => None,
            },
            _ => None,
        });
        Some(ColumnTypeDef::Decorator(Box::new(DecoratorDef {
            read,
            bare_impl,
            own_init,
            dialect_impl: self.decorator_dialect_impl(name),
            diags,
        })))
    }

    /// The column type defined by the class of another input module that `path` names.
    pub(super) fn imported_type_def(&self, path: &str) -> Option<ColumnTypeDef> {
        self.index.class(path)?.column_type.clone()
    }

    /// The enum class of another input module that `path` names.
    pub(super) fn imported_enum(&self, path: &str) -> Option<EnumClass> {
        match self.imported_type_def(path)? {
            ColumnTypeDef::Enum(ec) => Some(*ec),
            ColumnTypeDef::Decorator(_) => None,
        }
    }

    /// A `TypeDecorator` of another module used as a column type (`e`, with the call's
    /// arguments): SQLAlchemy reports the decorator's class name; the values are its `impl`'s.
    pub(super) fn imported_decorator_type(
        &mut self,
        name: &str,
        d: &DecoratorDef,
        e: &Expr,
        args: &[Expr],
        kws: &[Keyword],
    ) -> TypeRead {
        self.diags.extend(d.diags.iter().cloned());
        let class = name.rsplit('.').next().unwrap_or(name).to_owned();
        let with_name = |t: SqlType| SqlType {
            class: class.clone(),
            impl_class: (!d.dialect_impl).then(|| t.impl_class.unwrap_or(t.class)),
            kind: t.kind,
            span: e.span,
            variants: t.variants,
        };
        let given = !args.is_empty() || !kws.is_empty();
        if let (Some((impl_class, dialect)), false, true) = (&d.bare_impl, d.own_init, given) {
            if let Some((sqla_class, kind)) = types::lookup(impl_class, dialect.as_deref()) {
                let mysql = matches!(dialect.as_deref(), Some("mysql" | "mariadb"));
                return match self.type_arguments(sqla_class, kind, mysql, args, kws, e.span, 1) {
                    TypeRead::Known(t) => TypeRead::Known(with_name(t)),
                    TypeRead::Partial(t, why) => TypeRead::Partial(with_name(t), why),
                };
            }
        }
        match &d.read {
            Ok((t, None)) => TypeRead::Known(with_name(t.clone())),
            Ok((t, Some(why))) => TypeRead::Partial(with_name(t.clone()), why.clone()),
            Err(why) => TypeRead::Partial(
                with_name(SqlType {
                    class: class.clone(),
                    impl_class: None,
                    kind: crate::ir::TypeKind::Unknown,
                    span: e.span,
                    variants: None,
                }),
                why.clone(),
            ),
        }
    }
}
