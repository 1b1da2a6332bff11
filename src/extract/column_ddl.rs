//! What a column adds to its table's DDL beyond its type and keys: `Sequence(...)`,
//! `Identity(...)` and `Computed(...)` among its arguments, and the keywords
//! `autoincrement=` and `sqlite_on_conflict_*=`. Values must be literals; one that is not is
//! reported and left out.

use super::sqltype::BoundOnce;
use super::Extractor;
use crate::ir::{
    Autoincrement, ColumnCheck, ColumnDdl, ComputedDdl, IdentityDdl, IdentityOptions, SequenceDdl,
};
use crate::syntax::{Expr, ExprKind, Keyword, UnaryOp};

/// `Sequence(...)`'s parameters in positional order, as far as sa2rs reads them.
const SEQUENCE_PARAMS: &[&str] = &[
    "name",
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "schema",
    "cache",
    "order",
    "data_type",
    "optional",
];

/// `Identity(...)`'s parameters in positional order.
const IDENTITY_PARAMS: &[&str] = &[
    "always",
    "on_null",
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "cache",
    "order",
];

/// A construct's arguments by parameter name: positional ones named by `params`, then the
/// keywords. `**` arguments and positional ones beyond `params` are left out.
fn named<'e>(
    params: &[&'static str],
    args: &'e [Expr],
    keywords: &'e [Keyword],
) -> Vec<(&'e str, &'e Expr)> {
    let positional = params.iter().zip(args).map(|(p, a)| (*p, a));
    let keywords = keywords
        .iter()
        .filter_map(|k| Some((k.name.as_deref()?, &k.value)));
    positional.chain(keywords).collect()
}

/// An integer literal, negative ones included.
fn int(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Int(i) => *i,
        ExprKind::UnaryOp {
            op: UnaryOp::Neg,
            operand,
        } => match operand.kind {
            ExprKind::Int(Some(i)) => i.checked_neg(),
            _ => None,
        },
        _ => None,
    }
}

/// The column arguments a module variable may hold (`user_id_seq = Sequence("user_id_seq")`).
const COLUMN_ITEMS: &[&str] = &[
    "Sequence",
    "Identity",
    "Computed",
    "CheckConstraint",
    "DefaultClause",
];

impl Extractor<'_> {
    /// Module variables bound once (see [`BoundOnce`]) to a call of one of [`COLUMN_ITEMS`].
    pub(super) fn collect_column_items(&mut self, once: &[BoundOnce]) {
        for b in once {
            let ExprKind::Call { func, .. } = &b.value.kind else {
                continue;
            };
            if self
                .callee(func)
                .is_some_and(|c| COLUMN_ITEMS.contains(&c.as_str()))
            {
                self.column_items.insert(b.name.to_owned(), b.value.clone());
            }
        }
    }

    /// The call a module variable of [`COLUMN_ITEMS`] holds.
    pub(super) fn column_item(&self, e: &Expr) -> Option<Expr> {
        self.column_items.get(e.as_name()?).cloned()
    }

    /// `Sequence("name", start=..., schema=..., optional=...)`.
    pub(super) fn sequence(
        &mut self,
        call: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> SequenceDdl {
        let mut seq = SequenceDdl {
            name: None,
            schema: None,
            options: IdentityOptions::default(),
            optional: false,
            span: call.span,
        };
        for (param, value) in named(SEQUENCE_PARAMS, args, keywords) {
            match param {
                "name" => seq.name = self.literal_str(value, "the sequence's name"),
                "schema" => seq.schema = self.literal_str(value, "`schema=` of a sequence"),
                "optional" => seq.optional = self.flag(value, "`optional=`"),
                _ => self.identity_option(&mut seq.options, param, value),
            }
        }
        seq
    }

    /// `Identity(always=..., start=..., ...)`.
    pub(super) fn identity(
        &mut self,
        call: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> IdentityDdl {
        let mut identity = IdentityDdl {
            always: false,
            options: IdentityOptions::default(),
            span: call.span,
        };
        for (param, value) in named(IDENTITY_PARAMS, args, keywords) {
            match param {
                "always" => identity.always = self.flag(value, "`always=`"),
                _ => self.identity_option(&mut identity.options, param, value),
            }
        }
        identity
    }

    /// `Computed("a * 2", persisted=True)`: the expression is kept when it is SQL as written
    /// (a string or `text("...")`).
    pub(super) fn computed(
        &mut self,
        call: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> ComputedDdl {
        let mut computed = ComputedDdl {
            sql: None,
            persisted: None,
            span: call.span,
        };
        for (param, value) in named(&["sqltext", "persisted"], args, keywords) {
            match param {
                "sqltext" => computed.sql = self.sql_text(value),
                "persisted" => {
                    computed.persisted = self.literal(value, "`persisted=`", Expr::as_bool)
                }
                _ => {}
            }
        }
        computed
    }

    /// `CheckConstraint("x > 0", name=..., deferrable=..., initially=...)` given to a column.
    pub(super) fn column_check(
        &mut self,
        call: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> ColumnCheck {
        let mut check = ColumnCheck {
            sql: None,
            name: None,
            deferrable: None,
            initially: None,
            span: call.span,
        };
        for (param, value) in named(
            &["sqltext", "name", "deferrable", "initially"],
            args,
            keywords,
        ) {
            match param {
                "sqltext" => check.sql = self.sql_text(value),
                "name" => check.name = self.literal_str(value, "the constraint's name"),
                "deferrable" => {
                    check.deferrable = self.literal(value, "`deferrable=`", Expr::as_bool)
                }
                "initially" => check.initially = self.literal_str(value, "`initially=`"),
                _ => {}
            }
        }
        check
    }

    /// A column keyword sa2rs keeps for the DDL (`autoincrement=`, `sqlite_on_conflict_*=`);
    /// `false` for any other keyword.
    pub(super) fn column_ddl_keyword(
        &mut self,
        ddl: &mut Option<Box<ColumnDdl>>,
        kw: &Keyword,
        name: &str,
    ) -> bool {
        match name {
            "autoincrement" => {
                let value = match (&kw.value.kind, kw.value.as_str()) {
                    (ExprKind::Bool(true), _) => Autoincrement::Yes,
                    (ExprKind::Bool(false), _) => Autoincrement::No,
                    (_, Some("auto")) => Autoincrement::Auto,
                    (_, Some("ignore_fk")) => Autoincrement::IgnoreFk,
                    _ => {
                        self.diags
                            .push(self.not_literal(kw.value.span, "`autoincrement=`"));
                        return true;
                    }
                };
                ddl.get_or_insert_with(Box::default).autoincrement = value;
            }
            "sqlite_on_conflict_not_null"
            | "sqlite_on_conflict_primary_key"
            | "sqlite_on_conflict_unique" => {
                let what = format!("`{name}=`");
                let Some(value) = self.literal_str(&kw.value, &what) else {
                    return true;
                };
                let d = ddl.get_or_insert_with(Box::default);
                let slot = match name {
                    "sqlite_on_conflict_not_null" => &mut d.sqlite_on_conflict_not_null,
                    "sqlite_on_conflict_primary_key" => &mut d.sqlite_on_conflict_primary_key,
                    _ => &mut d.sqlite_on_conflict_unique,
                };
                *slot = Some(value);
            }
            _ => return false,
        }
        true
    }

    fn identity_option(&mut self, options: &mut IdentityOptions, param: &str, value: &Expr) {
        let what = format!("`{param}=`");
        match param {
            "start" => options.start = self.literal(value, &what, int),
            "increment" => options.increment = self.literal(value, &what, int),
            "minvalue" => options.minvalue = self.literal(value, &what, int),
            "maxvalue" => options.maxvalue = self.literal(value, &what, int),
            "cache" => options.cache = self.literal(value, &what, int),
            // SQLAlchemy writes `NO MINVALUE` for any value given but `None`.
            "nominvalue" => options.nominvalue = self.literal(value, &what, Expr::as_bool),
            "nomaxvalue" => options.nomaxvalue = self.literal(value, &what, Expr::as_bool),
            "cycle" => options.cycle = self.literal(value, &what, Expr::as_bool),
            // Oracle's `order=` / `on_null=` and the rest: not part of these dialects' DDL.
            _ => {}
        }
    }

    /// `read(value)`, reporting a value that is not such a literal; `None` is no value.
    fn literal<T>(
        &mut self,
        value: &Expr,
        what: &str,
        read: impl Fn(&Expr) -> Option<T>,
    ) -> Option<T> {
        if matches!(value.kind, ExprKind::NoneLit) {
            return None;
        }
        let got = read(value);
        if got.is_none() {
            self.diags.push(self.not_literal(value.span, what));
        }
        got
    }

    /// A `True` / `False` literal; `False` when not given or not known (reported).
    fn flag(&mut self, value: &Expr, what: &str) -> bool {
        self.literal(value, what, Expr::as_bool).unwrap_or(false)
    }

    fn literal_str(&mut self, value: &Expr, what: &str) -> Option<String> {
        self.literal(value, what, |e| e.as_str().map(str::to_owned))
    }

    /// A string, or `text("...")`: SQL as written.
    pub(super) fn sql_text(&mut self, value: &Expr) -> Option<String> {
        if let Some(s) = value.as_str() {
            return Some(s.to_owned());
        }
        if let ExprKind::Call {
            func,
            args,
            keywords,
        } = &value.kind
        {
            if let ([sql], true) = (args.as_slice(), keywords.is_empty()) {
                if self.callee(func).as_deref() == Some("text") {
                    return sql.as_str().map(str::to_owned);
                }
            }
        }
        None
    }
}
