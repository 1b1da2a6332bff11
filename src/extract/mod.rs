//! Stage 2, extract: the Python syntax tree of one file to the IR ([`FileDecls`]).
//!
//! Recognises declarative bases, mapped classes, `Column` / `mapped_column` / `Mapped[...]`
//! columns, `relationship(...)` and plain `Table(...)`s, in both declarative styles and with
//! Flask-SQLAlchemy's `db.` prefix. Everything it sees but cannot port becomes a warning here;
//! no SQLAlchemy *rule* is applied (that is `resolve`'s job).

mod annotation;
mod class;
mod column;
mod declarative;
mod dunder;
mod mro;
mod scope;
mod types;

use indexmap::IndexMap;

use crate::diagnostics::{self as diag, Diagnostic};
use crate::ir::{FileDecls, TableDecl};
use crate::source::{FileId, SourceFiles};
use crate::syntax::{Expr, ExprKind, Module, Stmt, StmtKind};

pub use scope::{Resolved, Scope};

/// What a module-level name of a models file is, as far as declarative mapping goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BaseKind {
    /// A declarative base (`Base = declarative_base()`, `class Base(DeclarativeBase)`,
    /// `db.Model`): subclasses are mapped.
    Declarative,
    /// A registry (`mapper_registry = registry()`), whose `generate_base()` is a base.
    Registry,
}

/// Per-file extraction state.
struct Extractor<'a> {
    file: FileId,
    files: &'a SourceFiles,
    scope: Scope,
    /// Module-level names that are bases or registries.
    bases: IndexMap<String, BaseKind>,
    /// Classes of this module that are mapped or abstract declarative classes, by name.
    declarative_classes: IndexMap<String, crate::ir::ClassRole>,
    /// Every class statement of the module, for MROs and mixins.
    records: Vec<mro::ClassRecord>,
    /// The latest class statement of each name.
    record_by_name: IndexMap<String, usize>,
    /// Spans already reported by [`Extractor::once`].
    reported: std::collections::HashSet<crate::source::Span>,
    decls: FileDecls,
    diags: Vec<Diagnostic>,
}

/// Extracts the declarations of one parsed file. Diagnostics are appended to `diags`.
pub fn extract(
    file: FileId,
    module: &Module,
    files: &SourceFiles,
    diags: &mut Vec<Diagnostic>,
) -> FileDecls {
    let mut ex = Extractor {
        file,
        files,
        scope: Scope::of(&module.body),
        bases: IndexMap::new(),
        declarative_classes: IndexMap::new(),
        records: Vec::new(),
        record_by_name: IndexMap::new(),
        reported: std::collections::HashSet::new(),
        decls: FileDecls::default(),
        diags: Vec::new(),
    };
    ex.module_body(&module.body);
    for (name, span) in &ex.scope.assumed {
        ex.diags.push(diag::assumed_import(*span, name));
    }
    diags.append(&mut ex.diags);
    ex.decls
}

impl Extractor<'_> {
    fn module_body(&mut self, body: &[Stmt]) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::Assign { targets, value } => self.module_assign(targets, value),
                StmtKind::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => self.module_assign(std::slice::from_ref(target), value),
                StmtKind::ClassDef(c) => self.class_def(c, stmt.span),
                StmtKind::If { body, orelse, .. } => {
                    self.module_body(body);
                    self.module_body(orelse);
                }
                StmtKind::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                } => {
                    self.module_body(body);
                    for h in handlers {
                        self.module_body(h);
                    }
                    self.module_body(orelse);
                    self.module_body(finalbody);
                }
                StmtKind::Expr(e) => self.module_expr(e),
                _ => {}
            }
        }
    }

    /// A bare call at module level that maps classes at run time.
    fn module_expr(&mut self, e: &Expr) {
        if let ExprKind::Call { func, .. } = &e.kind {
            let name = match self.scope.resolve(func) {
                Some(Resolved::Sqla(n)) => n,
                _ => return,
            };
            if matches!(
                name.as_str(),
                "listen" | "listens_for" | "map_imperatively" | "mapper"
            ) {
                self.diags
                    .push(diag::runtime_construct(e.span, &format!("`{name}(...)`")));
            }
        }
    }

    fn module_assign(&mut self, targets: &[Expr], value: &Expr) {
        for t in targets {
            if let ExprKind::Attribute { value: owner, attr } = &t.kind {
                if let Some(class) = owner
                    .as_name()
                    .filter(|n| self.declarative_classes.contains_key(*n))
                {
                    let what = format!("`{class}.{attr}`, assigned after the class body,");
                    self.diags
                        .push(diag::not_ported(t.span, &what, "left out of the output"));
                }
            }
        }
        let ExprKind::Call {
            func,
            args,
            keywords,
        } = &value.kind
        else {
            return;
        };
        let Some(callee) = self.callee(func) else {
            return;
        };
        let names: Vec<&str> = targets.iter().filter_map(Expr::as_name).collect();
        match callee.as_str() {
            "declarative_base" => self.bind_bases(&names, BaseKind::Declarative),
            "registry" => self.bind_bases(&names, BaseKind::Registry),
            "generate_base" => self.bind_bases(&names, BaseKind::Declarative),
            "Table" => {
                if let Some(table) = self.table_call(args, keywords, value.span) {
                    let var = names.first().map(|s| (*s).to_owned());
                    self.decls.tables.push(TableDecl { var, ..table });
                }
            }
            _ => {}
        }
    }

    fn bind_bases(&mut self, names: &[&str], kind: BaseKind) {
        for n in names {
            self.bases.insert((*n).to_owned(), kind);
        }
    }

    /// The SQLAlchemy name a call's function refers to: `relationship`, `Column`, and
    /// `generate_base` for `<registry>.generate_base()` / `registry().generate_base()`.
    fn callee(&mut self, func: &Expr) -> Option<String> {
        if let ExprKind::Attribute { value, attr } = &func.kind {
            if attr == "generate_base" {
                let on_registry = match &value.kind {
                    ExprKind::Name(n) => self.bases.get(n) == Some(&BaseKind::Registry),
                    ExprKind::Call { func, .. } => self.callee(func).as_deref() == Some("registry"),
                    _ => false,
                };
                return on_registry.then(|| "generate_base".to_owned());
            }
        }
        match self.scope.resolve_sqla(func)? {
            Resolved::Sqla(name) => Some(name),
            _ => None,
        }
    }

    /// Whether a class base expression is a declarative base (or `db.Model`).
    fn is_declarative_base(&mut self, base: &Expr) -> bool {
        if let Some(name) = base.as_name() {
            if self.bases.get(name) == Some(&BaseKind::Declarative) {
                return true;
            }
        }
        if let ExprKind::Attribute { value, attr } = &base.kind {
            if attr == "Model" {
                if let Some(n) = value.as_name() {
                    if self.scope.binding(n) == Some(&scope::Binding::FlaskDb) {
                        return true;
                    }
                }
            }
        }
        false
    }

    fn table_call(
        &mut self,
        args: &[Expr],
        keywords: &[crate::syntax::Keyword],
        span: crate::source::Span,
    ) -> Option<TableDecl> {
        let Some(name_expr) = args.first() else {
            self.diags
                .push(diag::not_literal(span, "the table name of `Table(...)`"));
            return None;
        };
        let Some(name) = name_expr.as_str() else {
            self.diags.push(diag::not_literal(
                name_expr.span,
                "the table name of `Table(...)`",
            ));
            return None;
        };
        let mut columns = Vec::new();
        for arg in &args[1..] {
            let ExprKind::Call {
                func,
                args: cargs,
                keywords: ckw,
            } = &arg.kind
            else {
                continue;
            };
            match self.callee(func).as_deref() {
                Some("Column") => {
                    if let Some(c) = self.column_call(
                        None,
                        None,
                        crate::ir::ColumnStyle::Classic,
                        cargs,
                        ckw,
                        arg.span,
                    ) {
                        columns.push(c);
                    }
                }
                Some("MetaData") => {}
                _ => self.diags.push(diag::not_ported(
                    arg.span,
                    "this `Table(...)` argument",
                    "left out of the table",
                )),
            }
        }
        for kw in keywords {
            if kw.is("schema") {
                self.diags.push(diag::not_ported(
                    kw.span,
                    "`schema=` on a `Table`",
                    "the table is treated as unqualified",
                ));
            }
        }
        Some(TableDecl {
            var: None,
            name: crate::ir::Spanned::new(name.to_owned(), name_expr.span),
            span,
            file: self.file,
            columns,
        })
    }
}
