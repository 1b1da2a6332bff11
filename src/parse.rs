//! Stage 1, parse: Python source text to the [`syntax`](crate::syntax) tree.
//!
//! This is the only module that knows the parser crate (`rustpython-parser`); swapping the parser
//! means rewriting this file alone. Lowering stops descending at [`MAX_DEPTH`] levels of nesting so
//! that no later stage can overflow the stack on pathological input.

use rustpython_parser::ast::{self, Ranged};
use rustpython_parser::Parse;

use crate::source::{FileId, Span};
use crate::syntax::*;

/// How deep lowering descends into nested statements and expressions. Model declarations never
/// come close; deeper code is kept as an opaque [`ExprKind::Other`].
pub const MAX_DEPTH: usize = 200;

/// The result of parsing one file.
#[derive(Debug)]
pub struct Parsed {
    pub module: Module,
    /// Where lowering stopped at [`MAX_DEPTH`], if it did (the first such place).
    pub truncated_at: Option<Span>,
}

/// A Python syntax error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// Parses `text` (the contents of `file`). A large file is cut between top-level class
/// statements into pieces parsed in parallel (each with its absolute offsets, so the tree is
/// the same as the whole file's); when any piece fails, the whole file is parsed again so that
/// the error is the one the whole file gives.
pub fn parse(file: FileId, text: &str, path: &str) -> Result<Parsed, SyntaxError> {
    parse_in(file, text, path, PIECE)
}

/// [`parse`], cutting at pieces of `piece` bytes or more.
fn parse_in(file: FileId, text: &str, path: &str, piece: usize) -> Result<Parsed, SyntaxError> {
    if let Some(pos) = text.find('\0') {
        return Err(SyntaxError {
            span: Span::new(file, pos as u32, pos as u32 + 1),
            message: "source code cannot contain null bytes".into(),
        });
    }
    let pieces = pieces(text, piece);
    if pieces.len() > 1 {
        if let Some(parsed) = parse_pieces(file, text, path, &pieces) {
            return Ok(parsed);
        }
    }
    parse_range(file, text, path, 0..text.len())
}

/// The size of the pieces a large file is parsed in.
const PIECE: usize = 256 * 1024;

/// Parses `pieces` of `text` in parallel, on threads with the pipeline's stack; `None` when
/// one of them fails (or no thread could be started).
fn parse_pieces(
    file: FileId,
    text: &str,
    path: &str,
    pieces: &[std::ops::Range<usize>],
) -> Option<Parsed> {
    use rayon::prelude::*;
    let pool = crate::pool()?;
    let parsed: Vec<Result<Parsed, SyntaxError>> = pool.install(|| {
        pieces
            .par_iter()
            .map(|r| parse_range(file, text, path, r.clone()))
            .collect()
    });
    let mut body = Vec::new();
    let mut truncated_at = None;
    for p in parsed {
        let p = p.ok()?;
        body.extend(p.module.body);
        truncated_at = truncated_at.or(p.truncated_at);
    }
    Some(Parsed {
        module: Module { body },
        truncated_at,
    })
}

/// Parses the statements in `range` of `text` (the whole of some top-level statements).
fn parse_range(
    file: FileId,
    text: &str,
    path: &str,
    range: std::ops::Range<usize>,
) -> Result<Parsed, SyntaxError> {
    let offset = rustpython_parser::text_size::TextSize::from(range.start as u32);
    let suite = ast::Suite::parse_starts_at(&text[range], path, offset).map_err(|e| {
        let at = (u32::from(e.offset) as usize).min(text.len());
        // Point at the offending character; at a line end, at the position itself.
        let end = text[at..]
            .chars()
            .next()
            .filter(|c| !matches!(c, '\n' | '\r'))
            .map_or(at, |c| at + c.len_utf8());
        SyntaxError {
            span: Span::new(file, at as u32, end as u32),
            message: e.error.to_string(),
        }
    })?;
    let mut lower = Lower {
        file,
        text,
        depth: 0,
        truncated_at: None,
        fixed: None,
    };
    // Each statement of the parser's tree is freed once lowered, so the two trees of the whole
    // file never exist at once.
    let body = suite.into_iter().map(|s| lower.stmt(&s)).collect();
    Ok(Parsed {
        module: Module { body },
        truncated_at: lower.truncated_at,
    })
}

/// Cuts `text` into ranges of about `size` bytes or more, each the whole of some top-level
/// statements: a cut is only made before a line that starts with `class ` or `@` at the top
/// level, outside brackets, strings and line continuations, and not right after a decorator.
/// A file it cannot cut comes back as one range.
fn pieces(text: &str, size: usize) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let (mut depth, mut i) = (0usize, 0usize);
    // The open string's quote and whether it is triple-quoted.
    let mut string: Option<(u8, bool)> = None;
    // The current logical line continues onto the next (a trailing backslash).
    let mut continued = false;
    // The last logical line at the top level was a decorator.
    let mut decorated = false;
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if line_start {
            line_start = false;
            if string.is_none() && depth == 0 && !continued {
                let rest = &bytes[i..];
                let candidate = rest.starts_with(b"class ") || rest.starts_with(b"@");
                if candidate && !decorated && i - start >= size {
                    out.push(start..i);
                    start = i;
                }
                match rest.first() {
                    Some(b' ' | b'\t' | b'\x0c' | b'#' | b'\r' | b'\n') | None => {}
                    Some(_) => decorated = rest.starts_with(b"@"),
                }
            }
            continued = false;
        }
        match string {
            Some((quote, triple)) => match b {
                b'\\' => i += 1,
                b'\n' if !triple => {
                    // An unterminated string: a syntax error the whole file reports.
                    return std::iter::once(0..text.len()).collect();
                }
                _ if b == quote => {
                    if !triple {
                        string = None;
                    } else if bytes[i..].starts_with(&[quote; 3]) {
                        string = None;
                        i += 2;
                    }
                }
                _ => {}
            },
            None => match b {
                b'#' => {
                    while i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                        i += 1;
                    }
                }
                b'\'' | b'"' => {
                    let triple = bytes[i..].starts_with(&[b; 3]);
                    string = Some((b, triple));
                    if triple {
                        i += 2;
                    }
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b'\\' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        continued = true;
                    } else if bytes[i + 1..].starts_with(b"\r\n") {
                        continued = true;
                        i += 1;
                    }
                }
                _ => {}
            },
        }
        if i < bytes.len() && bytes[i] == b'\n' {
            line_start = true;
        }
        i += 1;
    }
    if string.is_some() {
        return std::iter::once(0..text.len()).collect();
    }
    out.push(start..text.len());
    out
}

/// Where the text of an embedded expression (a string SQLAlchemy evaluates, such as
/// `primaryjoin="..."`) sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embedded {
    /// The text is the file's bytes from this offset on: spans point at the exact bytes.
    At(u32),
    /// The text differs from the source bytes (escapes, implicit concatenation): every span is
    /// this one, the whole string literal's.
    Within(Span),
}

/// An expression parsed from embedded text.
#[derive(Debug)]
pub struct ParsedExpr {
    pub expr: Expr,
    /// Where lowering stopped at [`MAX_DEPTH`], if it did.
    pub truncated_at: Option<Span>,
}

/// Parses `text` as one Python expression, as `eval(text)` does (leading spaces and tabs are
/// skipped; a leading newline is an error). Spans point into `file` as `at` says.
pub fn parse_expression(
    file: FileId,
    text: &str,
    at: Embedded,
    path: &str,
) -> Result<ParsedExpr, SyntaxError> {
    let skipped = text.len() - text.trim_start_matches([' ', '\t']).len();
    let body = &text[skipped..];
    let (base, fixed) = match at {
        Embedded::At(offset) => (offset + skipped as u32, None),
        Embedded::Within(span) => (0, Some(span)),
    };
    let whole = |start: usize, end: usize| {
        fixed.unwrap_or_else(|| Span::new(file, base + start as u32, base + end as u32))
    };
    if let Some(pos) = body.find('\0') {
        return Err(SyntaxError {
            span: whole(pos, pos + 1),
            message: "source code cannot contain null bytes".into(),
        });
    }
    let parsed = ast::Expr::parse_starts_at(body, path, base.into()).map_err(|e| {
        let at = (u32::from(e.offset).saturating_sub(base) as usize).min(body.len());
        let end = body
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .filter(|c| !matches!(c, '\n' | '\r'))
            .map_or(at, |c| at + c.len_utf8());
        SyntaxError {
            span: whole(at, end),
            message: e.error.to_string(),
        }
    })?;
    let mut lower = Lower {
        file,
        text: "",
        depth: 0,
        truncated_at: None,
        fixed,
    };
    let expr = lower.expr(&parsed);
    Ok(ParsedExpr {
        expr,
        truncated_at: lower.truncated_at,
    })
}

struct Lower<'a> {
    file: FileId,
    text: &'a str,
    depth: usize,
    truncated_at: Option<Span>,
    /// For embedded text that is not the source's bytes: the span every node gets.
    fixed: Option<Span>,
}

impl Lower<'_> {
    fn span(&self, node: &impl Ranged) -> Span {
        if let Some(span) = self.fixed {
            return span;
        }
        let r = node.range();
        Span::new(self.file, r.start().into(), r.end().into())
    }

    /// The span of `name` where it first appears after the keyword `kw` inside `within`
    /// (identifiers carry no range of their own in the parser's tree).
    fn name_span(&self, within: Span, kw: &str, name: &str) -> Span {
        let hay = self.text.get(within.range()).unwrap_or("");
        let mut from = 0;
        while let Some(pos) = hay[from..].find(kw) {
            let after = from + pos + kw.len();
            let rest = &hay[after..];
            let trimmed = rest.trim_start();
            let gap = rest.len() - trimmed.len();
            if gap > 0 && trimmed.starts_with(name) {
                let start = within.start + (after + gap) as u32;
                return Span::new(self.file, start, start + name.len() as u32);
            }
            from = after;
        }
        within
    }

    fn stmts(&mut self, stmts: &[ast::Stmt]) -> Vec<Stmt> {
        stmts.iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&mut self, stmt: &ast::Stmt) -> Stmt {
        let span = self.span(stmt);
        if self.depth >= MAX_DEPTH {
            self.truncated_at.get_or_insert(span);
            return Stmt {
                kind: StmtKind::Other("nesting too deep"),
                span,
            };
        }
        self.depth += 1;
        let kind = self.stmt_kind(stmt, span);
        self.depth -= 1;
        Stmt { kind, span }
    }

    fn stmt_kind(&mut self, stmt: &ast::Stmt, span: Span) -> StmtKind {
        use ast::Stmt as S;
        match stmt {
            S::ClassDef(c) => StmtKind::ClassDef(std::sync::Arc::new(ClassDef {
                name: c.name.to_string(),
                name_span: self.name_span(span, "class", &c.name),
                bases: self.exprs(&c.bases),
                keywords: self.keywords(&c.keywords),
                decorators: self.exprs(&c.decorator_list),
                body: self.stmts(&c.body),
            })),
            S::FunctionDef(f) => StmtKind::FunctionDef(Box::new(FunctionDef {
                name: f.name.to_string(),
                name_span: self.name_span(span, "def", &f.name),
                params: self.params(&f.args),
                decorators: self.exprs(&f.decorator_list),
                body: self.stmts(&f.body),
                returns: f.returns.as_deref().map(|r| self.expr(r)),
                is_async: false,
            })),
            S::AsyncFunctionDef(f) => StmtKind::FunctionDef(Box::new(FunctionDef {
                name: f.name.to_string(),
                name_span: self.name_span(span, "def", &f.name),
                params: self.params(&f.args),
                decorators: self.exprs(&f.decorator_list),
                body: self.stmts(&f.body),
                returns: f.returns.as_deref().map(|r| self.expr(r)),
                is_async: true,
            })),
            S::Assign(a) => StmtKind::Assign {
                targets: self.exprs(&a.targets),
                value: self.expr(&a.value),
            },
            S::AnnAssign(a) => StmtKind::AnnAssign {
                target: self.expr(&a.target),
                annotation: Box::new(self.expr(&a.annotation)),
                value: a.value.as_deref().map(|v| Box::new(self.expr(v))),
            },
            S::Import(i) => StmtKind::Import {
                names: i.names.iter().map(|a| self.alias(a)).collect(),
            },
            S::ImportFrom(i) => StmtKind::ImportFrom {
                module: i.module.as_ref().map(|m| m.to_string()),
                level: i.level.map_or(0, |l| l.to_u32()),
                names: i.names.iter().map(|a| self.alias(a)).collect(),
            },
            S::If(i) => StmtKind::If {
                test: self.expr(&i.test),
                body: self.stmts(&i.body),
                orelse: self.stmts(&i.orelse),
            },
            S::Try(t) => StmtKind::Try {
                body: self.stmts(&t.body),
                handlers: t
                    .handlers
                    .iter()
                    .map(|h| match h {
                        ast::ExceptHandler::ExceptHandler(h) => self.stmts(&h.body),
                    })
                    .collect(),
                orelse: self.stmts(&t.orelse),
                finalbody: self.stmts(&t.finalbody),
            },
            S::Expr(e) => StmtKind::Expr(self.expr(&e.value)),
            S::Pass(_) => StmtKind::Pass,
            S::Return(r) => StmtKind::Return(r.value.as_deref().map(|v| self.expr(v))),
            S::Delete(_) => StmtKind::Other("Delete"),
            S::TypeAlias(_) => StmtKind::Other("TypeAlias"),
            S::AugAssign(_) => StmtKind::Other("AugAssign"),
            S::For(f) => self.block("for", &f.body, &f.orelse),
            S::AsyncFor(f) => self.block("for", &f.body, &f.orelse),
            S::While(w) => self.block("while", &w.body, &w.orelse),
            S::With(w) => self.block("with", &w.body, &[]),
            S::AsyncWith(w) => self.block("with", &w.body, &[]),
            S::Match(_) => StmtKind::Other("Match"),
            S::Raise(_) => StmtKind::Other("Raise"),
            S::TryStar(_) => StmtKind::Other("TryStar"),
            S::Assert(_) => StmtKind::Other("Assert"),
            S::Global(_) => StmtKind::Other("Global"),
            S::Nonlocal(_) => StmtKind::Other("Nonlocal"),
            S::Break(_) => StmtKind::Other("Break"),
            S::Continue(_) => StmtKind::Other("Continue"),
        }
    }

    fn block(&mut self, kind: &'static str, body: &[ast::Stmt], orelse: &[ast::Stmt]) -> StmtKind {
        let mut body = self.stmts(body);
        body.extend(self.stmts(orelse));
        StmtKind::Block { kind, body }
    }

    fn alias(&self, a: &ast::Alias) -> Alias {
        Alias {
            name: a.name.to_string(),
            asname: a.asname.as_ref().map(|n| n.to_string()),
            span: self.span(a),
        }
    }

    fn params(&mut self, args: &ast::Arguments) -> Vec<Param> {
        args.posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
            .map(|a| Param {
                name: a.def.arg.to_string(),
                default: a.default.as_deref().map(|d| self.expr(d)),
            })
            .collect()
    }

    fn keywords(&mut self, kws: &[ast::Keyword]) -> Vec<Keyword> {
        kws.iter()
            .map(|k| {
                let span = self.span(k);
                let name = k.arg.as_ref().map(|a| a.to_string());
                let len = name.as_ref().map_or(2, |n| n.len() as u32);
                Keyword {
                    name,
                    name_span: Span::new(self.file, span.start, span.start + len),
                    value: self.expr(&k.value),
                    span,
                }
            })
            .collect()
    }

    fn exprs(&mut self, exprs: &[ast::Expr]) -> Vec<Expr> {
        exprs.iter().map(|e| self.expr(e)).collect()
    }

    fn boxed(&mut self, e: &ast::Expr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    fn expr(&mut self, expr: &ast::Expr) -> Expr {
        let span = self.span(expr);
        if self.depth >= MAX_DEPTH {
            self.truncated_at.get_or_insert(span);
            return Expr {
                kind: ExprKind::Other("nesting too deep"),
                span,
            };
        }
        self.depth += 1;
        let kind = self.expr_kind(expr);
        self.depth -= 1;
        Expr { kind, span }
    }

    fn expr_kind(&mut self, expr: &ast::Expr) -> ExprKind {
        use ast::Expr as E;
        match expr {
            E::Name(n) => ExprKind::Name(n.id.to_string()),
            E::Attribute(a) => ExprKind::Attribute {
                value: self.boxed(&a.value),
                attr: a.attr.to_string(),
            },
            E::Call(c) => ExprKind::Call {
                func: self.boxed(&c.func),
                args: self.exprs(&c.args),
                keywords: self.keywords(&c.keywords),
            },
            E::Constant(c) => constant(&c.value),
            E::Subscript(s) => ExprKind::Subscript {
                value: self.boxed(&s.value),
                slice: self.boxed(&s.slice),
            },
            E::Tuple(t) => ExprKind::Tuple(self.exprs(&t.elts)),
            E::List(l) => ExprKind::List(self.exprs(&l.elts)),
            E::Set(s) => ExprKind::Set(self.exprs(&s.elts)),
            E::Dict(d) => ExprKind::Dict(
                d.keys
                    .iter()
                    .zip(&d.values)
                    .map(|(k, v)| (k.as_ref().map(|k| self.expr(k)), self.expr(v)))
                    .collect(),
            ),
            E::BinOp(b) => ExprKind::BinOp {
                left: self.boxed(&b.left),
                op: bin_op(b.op),
                right: self.boxed(&b.right),
            },
            E::UnaryOp(u) => ExprKind::UnaryOp {
                op: match u.op {
                    ast::UnaryOp::Not => UnaryOp::Not,
                    ast::UnaryOp::USub => UnaryOp::Neg,
                    ast::UnaryOp::UAdd => UnaryOp::Pos,
                    ast::UnaryOp::Invert => UnaryOp::Invert,
                },
                operand: self.boxed(&u.operand),
            },
            E::BoolOp(b) => ExprKind::BoolOp {
                op: match b.op {
                    ast::BoolOp::And => BoolOp::And,
                    ast::BoolOp::Or => BoolOp::Or,
                },
                values: self.exprs(&b.values),
            },
            E::Compare(c) => ExprKind::Compare {
                left: self.boxed(&c.left),
                ops: c.ops.iter().map(|o| cmp_op(*o)).collect(),
                comparators: self.exprs(&c.comparators),
            },
            E::Lambda(l) => ExprKind::Lambda {
                params: self.params(&l.args),
                body: self.boxed(&l.body),
            },
            E::JoinedStr(j) => ExprKind::FString(
                j.values
                    .iter()
                    .map(|v| match v {
                        E::Constant(ast::ExprConstant {
                            value: ast::Constant::Str(s),
                            ..
                        }) => FStringPart::Literal(s.clone()),
                        E::FormattedValue(f) => FStringPart::Value(self.expr(&f.value)),
                        other => FStringPart::Value(self.expr(other)),
                    })
                    .collect(),
            ),
            E::Starred(s) => ExprKind::Starred(self.boxed(&s.value)),
            E::NamedExpr(_) => ExprKind::Other("NamedExpr"),
            E::IfExp(i) => ExprKind::IfExp {
                test: self.boxed(&i.test),
                body: self.boxed(&i.body),
                orelse: self.boxed(&i.orelse),
            },
            E::ListComp(c) => self.comprehension(&c.elt, &c.generators, "ListComp"),
            E::GeneratorExp(c) => self.comprehension(&c.elt, &c.generators, "GeneratorExp"),
            E::SetComp(_) => ExprKind::Other("SetComp"),
            E::DictComp(_) => ExprKind::Other("DictComp"),
            E::Await(_) => ExprKind::Other("Await"),
            E::Yield(_) | E::YieldFrom(_) => ExprKind::Other("Yield"),
            E::FormattedValue(_) => ExprKind::Other("FormattedValue"),
            E::Slice(sl) => ExprKind::Slice {
                lower: sl.lower.as_deref().map(|e| self.boxed(e)),
                upper: sl.upper.as_deref().map(|e| self.boxed(e)),
                step: sl.step.as_deref().map(|e| self.boxed(e)),
            },
        }
    }
}

impl Lower<'_> {
    /// `[element for target in iter if cond]` (or a generator): one plain `for` with its `if`s,
    /// no `async`; anything else stays opaque.
    fn comprehension(
        &mut self,
        element: &ast::Expr,
        generators: &[ast::Comprehension],
        kind: &'static str,
    ) -> ExprKind {
        match generators {
            [g] if !g.is_async => ExprKind::Comprehension {
                element: self.boxed(element),
                target: self.boxed(&g.target),
                iter: self.boxed(&g.iter),
                ifs: self.exprs(&g.ifs),
            },
            _ => ExprKind::Other(kind),
        }
    }
}

fn constant(c: &ast::Constant) -> ExprKind {
    match c {
        ast::Constant::None => ExprKind::NoneLit,
        ast::Constant::Bool(b) => ExprKind::Bool(*b),
        ast::Constant::Str(s) => ExprKind::Str(s.clone()),
        ast::Constant::Int(i) => ExprKind::Int(i64::try_from(i).ok()),
        ast::Constant::Float(f) => ExprKind::Float(*f),
        ast::Constant::Ellipsis => ExprKind::Ellipsis,
        ast::Constant::Bytes(_) => ExprKind::Other("Bytes"),
        ast::Constant::Tuple(_) => ExprKind::Other("Tuple"),
        ast::Constant::Complex { .. } => ExprKind::Other("Complex"),
    }
}

fn bin_op(op: ast::Operator) -> BinOp {
    match op {
        ast::Operator::Add => BinOp::Add,
        ast::Operator::Sub => BinOp::Sub,
        ast::Operator::Mult => BinOp::Mul,
        ast::Operator::Div => BinOp::Div,
        ast::Operator::Mod => BinOp::Mod,
        ast::Operator::BitOr => BinOp::BitOr,
        ast::Operator::BitAnd => BinOp::BitAnd,
        _ => BinOp::Other,
    }
}

fn cmp_op(op: ast::CmpOp) -> CmpOp {
    match op {
        ast::CmpOp::Eq => CmpOp::Eq,
        ast::CmpOp::NotEq => CmpOp::NotEq,
        ast::CmpOp::Lt => CmpOp::Lt,
        ast::CmpOp::LtE => CmpOp::LtE,
        ast::CmpOp::Gt => CmpOp::Gt,
        ast::CmpOp::GtE => CmpOp::GtE,
        ast::CmpOp::Is => CmpOp::Is,
        ast::CmpOp::IsNot => CmpOp::IsNot,
        ast::CmpOp::In => CmpOp::In,
        ast::CmpOp::NotIn => CmpOp::NotIn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_name_span_points_at_the_name() {
        let src = "@dec\nclass  Parent(Base):\n    pass\n";
        let parsed = parse(0, src, "m.py").unwrap();
        let StmtKind::ClassDef(c) = &parsed.module.body[0].kind else {
            panic!("not a class")
        };
        assert_eq!(&src[c.name_span.range()], "Parent");
    }

    #[test]
    fn syntax_error_has_a_location() {
        let err = parse(0, "class A(:\n", "m.py").unwrap_err();
        assert!(err.span.start <= 9, "{err:?}");
    }

    #[test]
    fn deep_nesting_is_truncated_not_overflowed() {
        let src = format!("x = {}1{}\n", "[".repeat(1000), "]".repeat(1000));
        let src2 = format!("x = {}\n", "-".repeat(1000) + "1");
        for s in [src, src2] {
            let parsed = std::thread::Builder::new()
                .stack_size(256 << 20)
                .spawn(move || parse(0, &s, "m.py").map(|p| p.truncated_at.is_some()))
                .unwrap()
                .join()
                .unwrap();
            assert!(parsed.is_ok());
        }
    }

    #[test]
    fn embedded_expression_spans_point_into_the_file() {
        // `x = "  A.b == c"`: the string's text starts at byte 5.
        let src = "x = \"  A.b == c\"";
        let parsed = parse_expression(0, "  A.b == c", Embedded::At(5), "m.py").unwrap();
        let ExprKind::Compare { left, .. } = &parsed.expr.kind else {
            panic!("not a comparison")
        };
        assert_eq!(&src[left.span.range()], "A.b");
        assert_eq!(&src[parsed.expr.span.range()], "A.b == c");

        let whole = Span::new(0, 4, 17);
        let parsed = parse_expression(0, "A.b == c", Embedded::Within(whole), "m.py").unwrap();
        let ExprKind::Compare { left, .. } = &parsed.expr.kind else {
            panic!("not a comparison")
        };
        assert_eq!(left.span, whole);
    }

    #[test]
    fn embedded_syntax_error_points_into_the_file() {
        let err = parse_expression(0, "a ==", Embedded::At(10), "m.py").unwrap_err();
        assert!((10..=14).contains(&err.span.start), "{err:?}");
        let err = parse_expression(0, "\n  a", Embedded::At(10), "m.py").unwrap_err();
        assert!(err.span.start >= 10, "{err:?}");
    }

    #[test]
    fn nul_byte_is_a_syntax_error() {
        assert!(parse(0, "x = 1\0\n", "m.py")
            .unwrap_err()
            .message
            .contains("null bytes"));
    }

    #[test]
    fn a_file_parsed_in_pieces_gives_the_whole_file_tree() {
        let src = r#"import sqlalchemy as sa
class A(Base):
    x = '''
class Inside:
'''
    y = "a\"\
class B"
@decorator(
    1)
# between

class B(A):
    pass
t = sa.Table("t", m,
class_=1, x=[a
@ b
])
z = 1 + \
class_
class C:  # "not a string
    s = 'it''s'
@a
@b
class D: pass
class E(D):
    """Doc " with ' quotes"""
"#;
        let cuts = pieces(src, 1);
        let starts: Vec<&str> = cuts.iter().map(|r| &src[r.start..r.start + 7]).collect();
        assert_eq!(
            starts,
            [
                "import ",
                "class A",
                "@decora",
                "class C",
                "@a\n@b\nc",
                "class E"
            ]
        );
        let whole = format!("{:?}", parse_in(0, src, "m.py", usize::MAX).unwrap());
        assert_eq!(format!("{:?}", parse_in(0, src, "m.py", 1).unwrap()), whole);
        // A piece that fails: the whole file's error.
        let bad = "class A:\n    x = 1\nclass B:\nx = (\n";
        assert_eq!(
            parse_in(0, bad, "m.py", 1).unwrap_err(),
            parse_in(0, bad, "m.py", usize::MAX).unwrap_err()
        );
        // An unterminated string: not cut.
        assert_eq!(pieces("x = 1\nclass A:\n    s = '''\n", 1).len(), 1);
    }

    /// Every fixture parses to the same tree (or the same error) when cut at every top-level
    /// class statement.
    #[test]
    fn every_fixture_parses_the_same_in_pieces() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "py") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")),
            &mut files,
        );
        assert!(!files.is_empty());
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let whole = format!("{:?}", parse_in(0, &text, "m.py", usize::MAX));
            let pieces = format!("{:?}", parse_in(0, &text, "m.py", 1));
            assert_eq!(pieces, whole, "{}", path.display());
        }
    }
}
