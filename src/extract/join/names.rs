//! What the names in a join condition mean where it runs: SQLAlchemy's functions, Python's
//! builtins, the class body's columns, and classes and tables of the module (defined in time
//! for an expression in a class body).

use crate::IndexMap;

use super::{unreadable, Ctx, NotRead};
use crate::diagnostics as diag;
use crate::extract::{Extractor, Resolved};
use crate::ir::join::{ColumnPath, JoinForm};
use crate::source::Span;
use crate::syntax::{Expr, ExprKind, Stmt, StmtKind};

/// SQLAlchemy functions a join condition may call, by their public name.
pub(super) const FUNCTIONS: &[&str] = &[
    "and_",
    "or_",
    "not_",
    "foreign",
    "remote",
    "null",
    "true",
    "false",
    "literal",
    "bindparam",
    "cast",
    "type_coerce",
];

/// Python's builtin functions: a bare name that is none of the model's falls back to one of
/// these, which SQLAlchemy binds as a value (`id == Address.user_id` compares with `id()`).
const BUILTIN_FUNCTIONS: &[&str] = &[
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "breakpoint",
    "callable",
    "chr",
    "compile",
    "delattr",
    "dir",
    "divmod",
    "eval",
    "exec",
    "format",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "hex",
    "id",
    "input",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "locals",
    "max",
    "min",
    "next",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "repr",
    "round",
    "setattr",
    "sorted",
    "sum",
    "vars",
];

/// The first position at which each name of a module or class body is bound (classes,
/// functions, assignments), to tell an expression that uses a name before it is defined.
pub(in crate::extract) fn definitions(body: &[Stmt]) -> IndexMap<String, u32> {
    fn walk(body: &[Stmt], out: &mut IndexMap<String, u32>) {
        for stmt in body {
            let at = stmt.span.start;
            match &stmt.kind {
                StmtKind::ClassDef(c) => {
                    out.entry(c.name.clone()).or_insert(at);
                }
                StmtKind::FunctionDef(f) => {
                    out.entry(f.name.clone()).or_insert(at);
                }
                StmtKind::Assign { targets, .. } => {
                    for n in targets.iter().filter_map(Expr::as_name) {
                        out.entry(n.to_owned()).or_insert(at);
                    }
                }
                StmtKind::AnnAssign {
                    target,
                    value: Some(_),
                    ..
                } => {
                    if let Some(n) = target.as_name() {
                        out.entry(n.to_owned()).or_insert(at);
                    }
                }
                StmtKind::If { body, orelse, .. } => {
                    walk(body, out);
                    walk(orelse, out);
                }
                StmtKind::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                } => {
                    walk(body, out);
                    for h in handlers {
                        walk(h, out);
                    }
                    walk(orelse, out);
                    walk(finalbody, out);
                }
                _ => {}
            }
        }
    }
    let mut out = IndexMap::default();
    walk(body, &mut out);
    out
}

impl Extractor<'_> {
    /// The SQLAlchemy function `func` names (`and_`, `foreign`, `func`, ...), if any: in a
    /// string any of SQLAlchemy's names; elsewhere a name imported from SQLAlchemy.
    pub(super) fn join_function(&mut self, func: &Expr, ctx: &Ctx) -> Option<String> {
        let name = match ctx.form {
            JoinForm::Text => func.as_name()?.to_owned(),
            JoinForm::Direct | JoinForm::Lambda => match self.scope.resolve_sqla(func)? {
                Resolved::Sqla(n) => n,
                _ => return None,
            },
        };
        (name == "func" || FUNCTIONS.contains(&name.as_str())).then_some(name)
    }

    /// A column reference: `Class.attr`, `table.c.column`, `Class.__table__.c.column`, or a
    /// bare attribute of the class body (written directly in the class).
    pub(super) fn join_column(
        &mut self,
        e: &Expr,
        ctx: &Ctx,
    ) -> Result<(ColumnPath, Span), NotRead> {
        let (owner, path) = match &e.kind {
            ExprKind::Name(n) => {
                let own = self.bound_above(n, ctx)
                    && ctx
                        .class
                        .columns
                        .iter()
                        .any(|c| c.attr.as_ref().is_some_and(|a| &a.value == n));
                return match (own, ctx.form) {
                    (true, _) => Ok((ColumnPath::Own(n.clone()), e.span)),
                    (false, JoinForm::Direct) => Err(unreadable(
                        e.span,
                        format!("the name `{n}`, which is not a column declared above"),
                    )),
                    (false, _) => Err(unreadable(
                        e.span,
                        format!("the bare name `{n}` (in a string or a lambda it is not a column of the class)"),
                    )),
                };
            }
            ExprKind::Attribute { value, attr } => match table_of(value) {
                Some((owner, true)) => (
                    owner,
                    ColumnPath::ClassTable {
                        owner: owner.as_name().unwrap_or_default().to_owned(),
                        column: attr.clone(),
                    },
                ),
                Some((owner, false)) => (
                    owner,
                    ColumnPath::TableColumn {
                        owner: self.table_var_name(owner, ctx),
                        column: attr.clone(),
                    },
                ),
                None => match value.as_name() {
                    Some(owner) => (
                        value.as_ref(),
                        ColumnPath::Attr {
                            owner: owner.to_owned(),
                            attr: attr.clone(),
                        },
                    ),
                    None => return Err(unreadable(e.span, "this attribute")),
                },
            },
            ExprKind::Subscript { value, slice } => match (table_of(value), slice.as_str()) {
                (Some((owner, is_class)), Some(column)) => {
                    let owner_name = owner.as_name().unwrap_or_default().to_owned();
                    let column = column.to_owned();
                    let path = if is_class {
                        ColumnPath::ClassTable {
                            owner: owner_name,
                            column,
                        }
                    } else {
                        ColumnPath::TableColumn {
                            owner: owner_name,
                            column,
                        }
                    };
                    (owner, path)
                }
                _ => return Err(unreadable(e.span, "this subscript")),
            },
            _ => return Err(unreadable(e.span, "this expression")),
        };
        self.join_owner(owner, ctx)?;
        Ok((path, owner.span))
    }

    /// The owner of `owner.c.column`: the variable as written, or, for a `Table` imported from
    /// another input module, its table name (which the resolver finds among the tables).
    fn table_var_name(&mut self, owner: &Expr, ctx: &Ctx) -> String {
        let name = owner.as_name().unwrap_or_default().to_owned();
        if ctx.form == JoinForm::Text {
            return name;
        }
        match self.scope.resolve(owner) {
            Some(Resolved::Imported(path)) => match self.index.lookup(&path) {
                Some((_, crate::extract::Export::Table(full))) => full,
                _ => name,
            },
            _ => name,
        }
    }

    /// Whether a bare name falls back to a Python builtin function where the join runs: it is
    /// bound neither in the class body above (for an expression there) nor in the module.
    pub(super) fn is_builtin_here(&self, name: &str, ctx: &Ctx) -> bool {
        if !BUILTIN_FUNCTIONS.contains(&name) {
            return false;
        }
        let in_body = self.bound_above(name, ctx);
        let in_module = ctx.form != JoinForm::Text && self.scope.binding(name).is_some();
        !in_body && !in_module
    }

    /// Whether `name` is bound in the class body above the relationship, where an expression
    /// written directly in the body sees it (an annotation without a value binds nothing).
    fn bound_above(&self, name: &str, ctx: &Ctx) -> bool {
        ctx.form == JoinForm::Direct && self.class_body.get(name).is_some_and(|&at| at < ctx.at)
    }

    /// Checks the name owning a column (a class or a table variable) as Python would see it
    /// where the join condition runs. Strings are checked against the registry later.
    fn join_owner(&mut self, owner: &Expr, ctx: &Ctx) -> Result<(), NotRead> {
        let Some(name) = owner.as_name() else {
            return Err(unreadable(owner.span, "this expression"));
        };
        if ctx.form == JoinForm::Text {
            return Ok(());
        }
        match self.scope.resolve(owner) {
            Some(Resolved::Local(_)) => {
                let later = name == ctx.class.name
                    || self
                        .module_defs
                        .get(name)
                        .is_some_and(|&at| at > ctx.class.name_span.start);
                if ctx.form == JoinForm::Direct && later {
                    self.diags.push(diag::join_name_not_defined_yet(
                        owner.span,
                        name,
                        ctx.option,
                        ctx.key,
                        ctx.class.name,
                    ));
                    return Err(NotRead::Reported);
                }
                Ok(())
            }
            Some(Resolved::Imported(_)) => Ok(()),
            _ => Err(unreadable(
                owner.span,
                format!("`{name}`, which is not a class or table of the models"),
            )),
        }
    }
}

/// For `X.c` / `X.columns` (`is_class == false`) and `X.__table__.c` (`true`): `X`.
fn table_of(e: &Expr) -> Option<(&Expr, bool)> {
    let ExprKind::Attribute { value, attr } = &e.kind else {
        return None;
    };
    if attr != "c" && attr != "columns" {
        return None;
    }
    match &value.kind {
        ExprKind::Name(_) => Some((value, false)),
        ExprKind::Attribute {
            value: owner,
            attr: table,
        } if table == "__table__" && owner.as_name().is_some() => Some((owner, true)),
        _ => None,
    }
}
