//! The Python syntax tree sa2rs works on: the subset of Python that declares models, with spans.
//!
//! `parse` lowers the parser's tree into this one, so no other stage depends on the parser crate.
//! Constructs outside the subset are kept as [`StmtKind::Other`] / [`ExprKind::Other`] with their
//! span, so later stages can still point at them.

use crate::source::Span;

/// One parsed Python module.
#[derive(Debug, Clone)]
pub struct Module {
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum StmtKind {
    /// Shared: sa2rs records every class statement it reads without copying its tree.
    ClassDef(std::sync::Arc<ClassDef>),
    /// (Boxed, as are the parts of `AnnAssign` below: a statement is as large as its largest
    /// kind, and class bodies are mostly small assignments.)
    FunctionDef(Box<FunctionDef>),
    /// `a = b = value`
    Assign {
        targets: Vec<Expr>,
        value: Expr,
    },
    /// `target: annotation [= value]`
    AnnAssign {
        target: Expr,
        annotation: Box<Expr>,
        value: Option<Box<Expr>>,
    },
    /// `import a.b as c`
    Import {
        names: Vec<Alias>,
    },
    /// `from .mod import a as b` (`level` counts the leading dots)
    ImportFrom {
        module: Option<String>,
        level: u32,
        names: Vec<Alias>,
    },
    /// `if test: body else: orelse`
    If {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    /// `try: body except: ... else: ... finally: ...`; `handlers` holds each except body.
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Vec<Stmt>>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
    /// A `for`, `while` or `with` statement: its body, then its `else:` body. Kept so that
    /// what runs in it (a class created per iteration) can be reported.
    Block {
        kind: &'static str,
        body: Vec<Stmt>,
    },
    /// A bare expression statement (docstrings, calls).
    Expr(Expr),
    Pass,
    Return(Option<Expr>),
    /// Anything else, named by its Python node kind (`For`, `With`, ...).
    Other(&'static str),
}

#[derive(Debug, Clone)]
pub struct ClassDef {
    pub name: String,
    pub name_span: Span,
    pub bases: Vec<Expr>,
    pub keywords: Vec<Keyword>,
    pub decorators: Vec<Expr>,
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub name: String,
    pub name_span: Span,
    pub params: Vec<Param>,
    pub decorators: Vec<Expr>,
    pub body: Vec<Stmt>,
    /// The return annotation (`-> Mapped[int]`).
    pub returns: Option<Expr>,
    pub is_async: bool,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub default: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct Alias {
    /// The dotted name imported.
    pub name: String,
    pub asname: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Keyword {
    /// `None` for `**kwargs`.
    pub name: Option<String>,
    /// The span of the keyword's name (or of `**`).
    pub name_span: Span,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    BitOr,
    BitAnd,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
    Pos,
    Invert,
}

/// One piece of an f-string.
#[derive(Debug, Clone)]
pub enum FStringPart {
    Literal(String),
    Value(Expr),
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Name(String),
    Attribute {
        value: Box<Expr>,
        attr: String,
    },
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        keywords: Vec<Keyword>,
    },
    Str(String),
    /// An integer literal; `None` when it does not fit in an `i64`.
    Int(Option<i64>),
    Float(f64),
    Bool(bool),
    NoneLit,
    Ellipsis,
    Subscript {
        value: Box<Expr>,
        slice: Box<Expr>,
    },
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Set(Vec<Expr>),
    Dict(Vec<(Option<Expr>, Expr)>),
    BinOp {
        left: Box<Expr>,
        op: BinOp,
        right: Box<Expr>,
    },
    UnaryOp {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    BoolOp {
        op: BoolOp,
        values: Vec<Expr>,
    },
    Compare {
        left: Box<Expr>,
        ops: Vec<CmpOp>,
        comparators: Vec<Expr>,
    },
    Lambda {
        params: Vec<Param>,
        body: Box<Expr>,
    },
    FString(Vec<FStringPart>),
    Starred(Box<Expr>),
    /// `[element for target in iter if cond ...]` or `(element for target in iter ...)`: one
    /// `for`, with its `if`s.
    Comprehension {
        element: Box<Expr>,
        target: Box<Expr>,
        iter: Box<Expr>,
        ifs: Vec<Expr>,
    },
    /// `body if test else orelse`
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    /// `lower:upper:step` inside a subscript.
    Slice {
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
    /// Any other expression, named by its Python node kind (`ListComp`, `IfExp`, ...), or
    /// `"nesting too deep"` where lowering stopped descending.
    Other(&'static str),
}

impl Expr {
    /// The string value of a string literal.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The identifier of a plain name.
    pub fn as_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Name(n) => Some(n),
            _ => None,
        }
    }

    /// The value of a `True`/`False` literal.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ExprKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// `a.b.c` as `["a", "b", "c"]`, for names and attribute chains only.
    pub fn dotted(&self) -> Option<Vec<&str>> {
        let mut parts = Vec::new();
        let mut cur = self;
        loop {
            match &cur.kind {
                ExprKind::Name(n) => {
                    parts.push(n.as_str());
                    parts.reverse();
                    return Some(parts);
                }
                ExprKind::Attribute { value, attr } => {
                    parts.push(attr.as_str());
                    cur = value;
                }
                _ => return None,
            }
        }
    }
}

impl Stmt {
    /// `target = value` with one target, or `target: annotation = value`: the target and the
    /// value.
    pub fn assignment(&self) -> Option<(&Expr, &Expr)> {
        match &self.kind {
            StmtKind::Assign { targets, value } if targets.len() == 1 => Some((&targets[0], value)),
            StmtKind::AnnAssign {
                target,
                value: Some(value),
                ..
            } => Some((target, value)),
            _ => None,
        }
    }

    /// The statement bodies nested in an `if`, `try`, `for`, `while` or `with` statement,
    /// which module-level walkers read as part of the module.
    pub fn nested_bodies(&self) -> Vec<&[Stmt]> {
        match &self.kind {
            StmtKind::If { body, orelse, .. } => vec![body, orelse],
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                let mut out: Vec<&[Stmt]> = vec![body];
                out.extend(handlers.iter().map(Vec::as_slice));
                out.push(orelse);
                out.push(finalbody);
                out
            }
            StmtKind::Block { body, .. } => vec![body],
            _ => Vec::new(),
        }
    }
}

impl Keyword {
    pub fn is(&self, name: &str) -> bool {
        self.name.as_deref() == Some(name)
    }
}

/// The keyword argument `name` of a call, if given.
pub fn keyword<'a>(keywords: &'a [Keyword], name: &str) -> Option<&'a Keyword> {
    keywords.iter().find(|k| k.is(name))
}
