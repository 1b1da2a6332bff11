//! Table arguments: `__table_args__` (a tuple, a dict, or a tuple ending with a dict, as
//! `_ClassScanMapperConfig._setup_table` splits it) and the arguments of a `Table(...)` after
//! its columns. Constraints and indexes, `schema=`, and other table options.

use super::{Extractor, Resolved};
use crate::diagnostics as diag;
use crate::ir::{
    ClassDecl, ConstraintColumn, ConstraintDdl, ConstraintDecl, ConstraintKind, FkOptions, Spanned,
    TableArgs, TableDecl,
};
use crate::source::Span;
use crate::syntax::{keyword, Expr, ExprKind, Keyword, Stmt, StmtKind};

impl Extractor<'_> {
    /// Reads `__table_args__` of class `class`.
    pub(super) fn class_table_args(&mut self, e: &Expr, class: &str) -> TableArgs {
        let mut args = TableArgs::default();
        match &e.kind {
            ExprKind::NoneLit => {}
            ExprKind::Dict(items) => self.table_kwargs_dict(items, &mut args),
            ExprKind::Tuple(items) => {
                // The last element is the keyword arguments when it is a dict: written out, or
                // a constant holding one (`_DEFAULT_TABLE_ARGS`).
                let constant = items
                    .last()
                    .filter(|last| !matches!(last.kind, ExprKind::Dict(_)))
                    .and_then(|last| self.spread_keywords(last, class));
                let (positional, kwargs) = match items.split_last() {
                    Some((last, rest)) if matches!(last.kind, ExprKind::Dict(_)) => {
                        (rest, Some(last))
                    }
                    Some((_, rest)) if constant.is_some() => (rest, None),
                    _ => (items.as_slice(), None),
                };
                if let Some(keywords) = constant {
                    self.constant_table_kwargs(&keywords, &mut args);
                }
                for item in positional {
                    if !self.table_arg(item, &mut args) {
                        self.diags.push(diag::not_ported(
                            item.span,
                            "this `__table_args__` element",
                            "left out of the table",
                        ));
                    }
                }
                if let Some(Expr {
                    kind: ExprKind::Dict(items),
                    ..
                }) = kwargs
                {
                    self.table_kwargs_dict(items, &mut args);
                }
            }
            ExprKind::List(_)
            | ExprKind::Set(_)
            | ExprKind::Str(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_) => {
                self.diags.push(diag::table_args_not_tuple(e.span, class));
            }
            _ => match self.spread_keywords(e, class) {
                Some(keywords) => self.constant_table_kwargs(&keywords, &mut args),
                None => self
                    .diags
                    .push(self.not_literal(e.span, "`__table_args__`")),
            },
        }
        args
    }

    /// The keyword arguments a dict constant holds (`{"schema": "audit", ...}`): their values
    /// are literals made from the constant, recorded as Python writes them.
    fn constant_table_kwargs(&mut self, keywords: &[Keyword], args: &mut TableArgs) {
        for kw in keywords {
            let Some(name) = &kw.name else {
                continue;
            };
            match (name.as_str(), &kw.value.kind) {
                ("schema" | "autoload_with" | "autoload", _) => {
                    self.table_kwarg(name, &kw.value, kw.span, args)
                }
                (_, ExprKind::Str(s)) => args.options.push((name.clone(), format!("{s:?}"))),
                (_, ExprKind::Int(Some(i))) => args.options.push((name.clone(), i.to_string())),
                (_, ExprKind::Bool(b)) => {
                    let text = if *b { "True" } else { "False" };
                    args.options.push((name.clone(), text.to_owned()))
                }
                _ => args.options.push((name.clone(), "None".to_owned())),
            }
        }
    }

    fn table_kwargs_dict(&mut self, items: &[(Option<Expr>, Expr)], args: &mut TableArgs) {
        for (key, value) in items {
            match key.as_ref().and_then(Expr::as_str) {
                Some(k) => self.table_kwarg(k, value, value.span, args),
                None => self.diags.push(self.not_literal(
                    key.as_ref().map_or(value.span, |k| k.span),
                    "this `__table_args__` key",
                )),
            }
        }
    }

    /// A keyword argument of a table: `schema=`, or an option recorded as written.
    pub(super) fn table_kwarg(
        &mut self,
        name: &str,
        value: &Expr,
        span: Span,
        args: &mut TableArgs,
    ) {
        match name {
            "schema" => match &value.kind {
                ExprKind::Str(s) => args.schema = Some(Spanned::new(s.clone(), value.span)),
                ExprKind::NoneLit => args.schema = None,
                _ if self.runtime_schema(value) => {}
                _ => self.diags.push(self.not_literal(value.span, "`schema=`")),
            },
            "autoload_with" | "autoload" => self.diags.push(diag::runtime_construct(
                span,
                &format!("`{name}=` (table reflection)"),
            )),
            _ => args
                .options
                .push((name.to_owned(), self.files.slice(value.span).to_owned())),
        }
    }

    /// A positional table argument other than a column: a constraint or an index, recorded in
    /// `args`. Returns `false` when it is none of these.
    pub(super) fn table_arg(&mut self, e: &Expr, args: &mut TableArgs) -> bool {
        let ExprKind::Call {
            func,
            args: cargs,
            keywords,
        } = &e.kind
        else {
            return false;
        };
        // `Index(...).ddl_if(dialect="postgresql")`: created for those dialects only.
        if let ExprKind::Attribute { value: inner, attr } = &func.kind {
            if attr != "ddl_if" || !matches!(inner.kind, ExprKind::Call { .. }) {
                return self.constraint_call(e, func, cargs, keywords, args);
            }
            let Some(dialects) = ddl_if_dialects(cargs, keywords) else {
                return false;
            };
            let before = args.constraints.len();
            if !self.table_arg(inner, args) {
                return false;
            }
            let added = &mut args.constraints[before..];
            if added
                .iter()
                .any(|c| matches!(c.kind, ConstraintKind::ForeignKey { .. }))
            {
                args.constraints.truncate(before);
                return false;
            }
            for c in added {
                c.ddl.dialects = dialects.clone();
            }
            return true;
        }
        self.constraint_call(e, func, cargs, keywords, args)
    }

    /// A constraint or index call (`Index("ix", "a")`) of `__table_args__` or `Table(...)`.
    fn constraint_call(
        &mut self,
        e: &Expr,
        func: &Expr,
        cargs: &[Expr],
        keywords: &[Keyword],
        args: &mut TableArgs,
    ) -> bool {
        let callee = match self.scope.resolve_sqla(func) {
            Some(Resolved::Sqla(n)) => n,
            _ => return false,
        };
        let name = keyword(keywords, "name")
            .and_then(|k| k.value.as_str())
            .map(str::to_owned);
        let mut c = ConstraintDecl {
            kind: ConstraintKind::Unique,
            name,
            columns: Vec::new(),
            expressions: Vec::new(),
            span: e.span,
            ddl: Box::new(ConstraintDdl {
                dialects: Vec::new(),
                options: dialect_options(keywords),
                orders: Vec::new(),
            }),
        };
        match callee.as_str() {
            "UniqueConstraint" | "PrimaryKeyConstraint" => {
                if callee == "PrimaryKeyConstraint" {
                    c.kind = ConstraintKind::PrimaryKey;
                }
                for a in cargs {
                    self.constraint_element(a, &mut c);
                }
            }
            "Index" => {
                let unique = keyword(keywords, "unique").and_then(|k| k.value.as_bool());
                c.kind = ConstraintKind::Index {
                    unique: unique.unwrap_or(false),
                };
                c.name = cargs.first().and_then(Expr::as_str).map(str::to_owned);
                for a in cargs.iter().skip(1) {
                    self.constraint_element(a, &mut c);
                }
            }
            "CheckConstraint" => {
                let condition = keyword(keywords, "sqltext")
                    .map(|k| &k.value)
                    .or(cargs.first());
                let (sql, is_sql) = match condition {
                    Some(e) => match self.sql_text(e) {
                        Some(sql) => (sql, true),
                        None => (self.files.slice(e.span).to_owned(), false),
                    },
                    None => (String::new(), true),
                };
                c.kind = ConstraintKind::Check { sql, is_sql };
            }
            "ForeignKeyConstraint" => return self.fk_constraint(c, cargs, keywords, args),
            _ => return false,
        }
        args.constraints.push(c);
        true
    }

    /// `ix = Index("ix_name", name, id.desc())` in a mapped class body: SQLAlchemy attaches
    /// the index to the table its columns are on once they are all on one. An index naming a
    /// column by string is never attached (`ColumnCollectionMixin._check_attach`).
    pub(super) fn class_index(&mut self, body: &mut super::declarative::BodyDecl, value: &Expr) {
        let mut args = TableArgs::default();
        if !self.table_arg(value, &mut args) {
            self.diags.push(diag::not_ported(
                value.span,
                "this `Index(...)`",
                "left out of the table",
            ));
            return;
        }
        for c in args.constraints {
            let by_string = c
                .columns
                .iter()
                .any(|col| matches!(col.value, ConstraintColumn::Name(_)));
            if by_string {
                self.diags.push(diag::index_never_attached(
                    c.span,
                    "it names a column by string, and an `Index` outside a table is attached only when it names every column by its attribute",
                ));
                continue;
            }
            body.indexes.push(c);
        }
    }

    /// A column of a constraint: a string names the column, a bare name the class attribute
    /// holding it; anything else is an expression (an index on `func.lower(email)`).
    fn constraint_element(&mut self, e: &Expr, c: &mut ConstraintDecl) {
        match &e.kind {
            ExprKind::Str(s) => c
                .columns
                .push(Spanned::new(ConstraintColumn::Name(s.clone()), e.span)),
            ExprKind::Name(n) => c
                .columns
                .push(Spanned::new(ConstraintColumn::Attribute(n.clone()), e.span)),
            // `id.desc()` in an index: the column, in that order.
            ExprKind::Call {
                func,
                args,
                keywords,
            } if args.is_empty()
                && keywords.is_empty()
                && matches!(c.kind, ConstraintKind::Index { .. }) =>
            {
                let order = match &func.kind {
                    ExprKind::Attribute { value, attr } => match (value.as_name(), attr.as_str()) {
                        (Some(n), "desc") => Some((n, "DESC")),
                        (Some(n), "asc") => Some((n, "ASC")),
                        _ => None,
                    },
                    _ => None,
                };
                match order {
                    Some((n, order)) => {
                        c.ddl.orders.push((c.columns.len(), order));
                        c.columns.push(Spanned::new(
                            ConstraintColumn::Attribute(n.to_owned()),
                            e.span,
                        ));
                    }
                    None => c.expressions.push(self.files.slice(e.span).to_owned()),
                }
            }
            _ => c.expressions.push(self.files.slice(e.span).to_owned()),
        }
    }

    /// `ForeignKeyConstraint(columns, refcolumns, ...)`: the local columns and their targets
    /// (`"table.column"` strings), one for one.
    fn fk_constraint(
        &mut self,
        mut c: ConstraintDecl,
        cargs: &[Expr],
        keywords: &[Keyword],
        args: &mut TableArgs,
    ) -> bool {
        let arg = |pos: usize, kw: &str| keyword(keywords, kw).map(|k| &k.value).or(cargs.get(pos));
        let list = |e: Option<&Expr>| match e.map(|e| &e.kind) {
            Some(ExprKind::List(v) | ExprKind::Tuple(v)) => Some(v.clone()),
            _ => None,
        };
        let (Some(columns), Some(refs)) = (list(arg(0, "columns")), list(arg(1, "refcolumns")))
        else {
            self.diags
                .push(self.not_literal(c.span, "this `ForeignKeyConstraint`'s column list"));
            return true;
        };
        let mut targets = Vec::new();
        for r in &refs {
            match r.as_str() {
                Some(s) => targets.push(Spanned::new(s.to_owned(), r.span)),
                None => {
                    self.diags.push(self.not_literal(
                        r.span,
                        "a referenced column of `ForeignKeyConstraint` (write `\"table.column\"`)",
                    ));
                    return true;
                }
            }
        }
        for col in &columns {
            self.constraint_element(col, &mut c);
        }
        if !c.expressions.is_empty() {
            self.diags
                .push(self.not_literal(c.span, "a column of this `ForeignKeyConstraint`"));
            return true;
        }
        if c.columns.len() != targets.len() {
            self.diags.push(diag::fk_constraint_arity(
                c.span,
                c.columns.len(),
                targets.len(),
            ));
            return true;
        }
        let options = FkOptions {
            name: None,
            ..self.fk_options(keywords)
        };
        c.kind = ConstraintKind::ForeignKey { targets, options };
        args.constraints.push(c);
        true
    }
}

impl Extractor<'_> {
    /// `__table__ = Table(...)`, or `__table__ = some_table` naming a `Table` of this module
    /// (which the class then maps, so it is no longer a plain table). `None`, with a warning,
    /// for anything else.
    pub(super) fn mapped_table(&mut self, e: &Expr) -> Option<Box<TableDecl>> {
        match &e.kind {
            ExprKind::Call {
                func,
                args,
                keywords,
            } if self.callee(func).as_deref() == Some("Table") => {
                self.table_call(func, args, keywords, e.span).map(Box::new)
            }
            ExprKind::Name(n) => {
                match self
                    .decls
                    .tables
                    .iter()
                    .position(|t| t.var.as_deref() == Some(n))
                {
                    Some(i) => Some(Box::new(self.decls.tables.remove(i))),
                    None => {
                        self.diags.push(diag::not_ported(
                            e.span,
                            "`__table__` naming a table not declared in this file",
                            "the class is left out",
                        ));
                        None
                    }
                }
            }
            _ => {
                self.diags.push(diag::not_ported(
                    e.span,
                    "this `__table__`",
                    "the class is left out",
                ));
                None
            }
        }
    }

    /// Makes `decl` map `table` (`__table__`): its name, columns (mapped under their own names)
    /// and arguments. A column assigned in the class body is not the table's: SQLAlchemy
    /// refuses it; a bare `Mapped[...]` annotation is only a type hint then.
    pub(super) fn map_table(&mut self, decl: &mut ClassDecl, body: &[Stmt], table: TableDecl) {
        let annotation_only: Vec<&str> = body
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::AnnAssign {
                    target,
                    value: None,
                    ..
                } => target.as_name(),
                _ => None,
            })
            .collect();
        for col in &decl.columns {
            let attr = col.attr.as_ref().map_or(col.name.as_str(), |a| &a.value);
            if !annotation_only.contains(&attr) {
                self.diags.push(diag::column_outside_table(
                    col.span,
                    &decl.name,
                    &col.name,
                    table.name.span,
                ));
            }
        }
        decl.tablename = Some(table.name);
        decl.columns = table
            .columns
            .into_iter()
            .map(|mut c| {
                c.attr = Some(Spanned::new(c.name.clone(), c.span));
                c
            })
            .collect();
        decl.table_args = table.args;
        decl.table_var = table.var;
    }
}

/// The dialects of `.ddl_if(dialect=...)`: one name or a tuple or list of names. `None` for
/// anything else (a `callable_`, a `state`), which only running it decides.
fn ddl_if_dialects(args: &[Expr], keywords: &[Keyword]) -> Option<Vec<String>> {
    let [kw] = keywords else { return None };
    if !args.is_empty() || kw.name.as_deref() != Some("dialect") {
        return None;
    }
    match &kw.value.kind {
        ExprKind::Str(s) => Some(vec![s.clone()]),
        ExprKind::Tuple(items) | ExprKind::List(items) if !items.is_empty() => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// The dialects whose keyword arguments a constraint or index may carry (`postgresql_using`).
const DIALECTS: &[&str] = &[
    "postgresql",
    "sqlite",
    "mysql",
    "mariadb",
    "mssql",
    "oracle",
];

/// A constraint's dialect-specific keyword arguments, as `(name, value)`, the value when it
/// is a string.
fn dialect_options(keywords: &[Keyword]) -> Vec<(String, Option<String>)> {
    keywords
        .iter()
        .filter_map(|k| {
            let name = k.name.as_deref()?;
            let (dialect, _) = name.split_once('_')?;
            DIALECTS
                .contains(&dialect)
                .then(|| (name.to_owned(), k.value.as_str().map(str::to_owned)))
        })
        .collect()
}
