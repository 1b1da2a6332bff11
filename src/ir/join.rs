//! Join conditions as written: `primaryjoin=` / `secondaryjoin=` of a `relationship(...)`, with
//! the names they use still unresolved (they may name classes of other files).

use crate::source::Span;

/// How the join condition was given, which decides what its names refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinForm {
    /// An expression in the class body, run when the class is defined: a bare name is a column
    /// of the class declared above it; classes and tables must be defined before the class.
    Direct,
    /// `lambda: ...`, called when mappers are configured: names are module globals.
    Lambda,
    /// A string, evaluated by SQLAlchemy against the class registry: names are mapped classes
    /// and table names (not module variables), plus SQLAlchemy's own functions.
    Text,
}

/// One `primaryjoin=` or `secondaryjoin=` argument.
#[derive(Debug, Clone)]
pub struct JoinArg {
    /// `primaryjoin` or `secondaryjoin`.
    pub option: &'static str,
    pub form: JoinForm,
    pub expr: JoinExpr,
    /// The whole argument value.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct JoinExpr {
    pub kind: JoinExprKind,
    pub span: Span,
}

/// A SQL expression node of a join condition, shaped as SQLAlchemy's own expression tree where
/// the join rules look at it: columns, binary operators, and everything else as a group of
/// the expressions inside it.
#[derive(Debug, Clone)]
pub enum JoinExprKind {
    /// A column; `owner_span` is the class or table name's (the column's own for a bare name).
    Column { path: ColumnPath, owner_span: Span },
    /// A binary operator between two SQL expressions (`==`, `<`, `.like(...)`, `+`).
    Binary {
        op: JoinOp,
        left: Box<JoinExpr>,
        right: Box<JoinExpr>,
    },
    /// Any other SQL element, with the expressions inside it: `and_(...)`, `or_(...)`, `a & b`,
    /// `func.lower(x)`, `cast(x, T)`; a literal value is a group of nothing.
    Group(Vec<JoinExpr>),
    /// A bare name in a string that names one of Python's builtin functions (`id`): SQLAlchemy's
    /// evaluation finds it, unless a class or table has that name, and binds it as a value.
    Builtin(String),
    /// `foreign(...)` / `remote(...)`: annotates every column inside.
    Annotated {
        foreign: bool,
        remote: bool,
        inner: Box<JoinExpr>,
    },
}

/// A binary operator, as far as the join rules distinguish them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOp {
    /// `==` (`operators.eq`): the only operator that makes a synchronised column pair.
    Eq,
    /// `!=`, kept apart from other comparisons because its negation is `==`.
    NotEq,
    /// Any other comparison (`<`, `.like(...)`, `.is_(...)`, `.in_(...)`, ...).
    Comparison,
    /// An operator that is not a comparison (`+`, `-`, `*`, `/`, `%`).
    Arithmetic,
}

impl JoinOp {
    /// The operator `not_(...)` / `~` turns this one into.
    pub fn negated(self) -> JoinOp {
        match self {
            JoinOp::Eq => JoinOp::NotEq,
            JoinOp::NotEq => JoinOp::Eq,
            other => other,
        }
    }

    pub fn is_comparison(self) -> bool {
        self != JoinOp::Arithmetic
    }
}

/// How a column is named in a join condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnPath {
    /// `Owner.attr`: a column attribute of a mapped class.
    Attr { owner: String, attr: String },
    /// A bare `attr` in the class body: a column of the class being declared.
    Own(String),
    /// `owner.c.column` (`owner.columns.column`, `owner.c["column"]`): a column of a table,
    /// named by variable (direct and lambda forms) or by table name (strings).
    TableColumn { owner: String, column: String },
    /// `Owner.__table__.c.column`: a column of a mapped class's table, by column name.
    ClassTable { owner: String, column: String },
}
