//! `__tablename__` for a mapped class: a literal, or a `@declared_attr` function of the class,
//! a base or a mixin (of this module or another), run for the class by [`super::pyfn`]. A
//! class whose table name cannot be known is left out, with a warning that says so.

use super::dunder::{ClassContext, Dunder};
use super::eval::{describe, Value};
use super::pyfn::{ClassInfo, Interp};
use super::Extractor;
use crate::diagnostics as diag;
use crate::ir::Spanned;
use crate::syntax::{ClassDef, ExprKind, FunctionDef};

impl Extractor<'_> {
    /// Records that the mapped class `index` is not in the output: when only warnings say why
    /// (those reported from `start` on), what refers to it is not checked either.
    pub(super) fn left_out(&mut self, index: usize, start: usize) {
        let errors = self.diags[start..]
            .iter()
            .any(|d| d.severity == codespan_reporting::diagnostic::Severity::Error);
        if !errors {
            let r = &mut self.records[index];
            r.left_out = true;
            let name = Spanned::new(r.name.clone(), r.def.name_span);
            self.decls.left_out.push(name);
        }
    }

    /// The table name `d` (defined in `module`) gives the class `c`: `Some(None)` for `None`
    /// (no table of its own), `None` when it cannot be known (reported: the class is left out).
    pub(super) fn tablename(
        &mut self,
        d: &Dunder,
        module: &str,
        cx: &ClassContext,
        c: &ClassDef,
    ) -> Option<Option<Spanned<String>>> {
        let (why, at) = match d {
            Dunder::Function {
                def,
                declared: true,
            } => return self.computed_tablename(def, module, cx, c),
            Dunder::Function { def, .. } => (
                "this is a plain function, not a `@declared_attr`: SQLAlchemy names the table after the function object".to_owned(),
                def.name_span,
            ),
            Dunder::Value(e) => match &e.kind {
                ExprKind::Str(s) => return Some(Some(Spanned::new(s.clone(), e.span))),
                ExprKind::NoneLit => return Some(None),
                _ => {
                    let why = match self.unknown_why.get(&e.span) {
                        Some(why) => format!("this {why}"),
                        None => "this is not a string sa2rs can evaluate".to_owned(),
                    };
                    (why, e.span)
                }
            },
        };
        self.diags.push(diag::class_left_out_tablename(
            c.name_span,
            &c.name,
            at,
            &why,
        ));
        None
    }

    /// The table name `def` (a function of `module`) computes for the class `c`: `Some(None)`
    /// for `None` (no table of its own), `None` when it cannot be computed (reported: the
    /// class is left out).
    pub(super) fn computed_tablename(
        &mut self,
        def: &FunctionDef,
        module: &str,
        cx: &ClassContext,
        c: &ClassDef,
    ) -> Option<Option<Spanned<String>>> {
        let interp = Interp::new(
            self.index,
            &self.namespace,
            ClassInfo {
                name: cx.name,
                has_inherited_table: cx.has_inherited_table,
            },
        );
        let (why, at) = match interp.call_with_class(module, def) {
            Ok(Value::Str(s)) => return Some(Some(Spanned::new(s, c.name_span))),
            Ok(Value::None) => return Some(None),
            Ok(other) => (
                format!("it returns {}, not a string", describe(&other)),
                def.name_span,
            ),
            Err(u) => (format!("this {}", u.why), u.span),
        };
        self.diags.push(diag::class_left_out_tablename(
            c.name_span,
            &c.name,
            at,
            &why,
        ));
        None
    }
}
