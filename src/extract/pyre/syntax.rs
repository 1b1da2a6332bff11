//! Parsing a pattern of the subset and compiling it to the program `run` executes.

use super::{Assertion, Error, Inst, Look, Set, SetItem, MAX_PATTERN, MAX_PROGRAM};

/// The pattern's syntax tree.
#[derive(Debug, Clone)]
enum Node {
    Empty,
    Char(char),
    Any,
    Set(Set),
    Assert(Assertion),
    Group(Option<usize>, Box<Node>),
    Look {
        ahead: bool,
        negate: bool,
        node: Box<Node>,
    },
    Backref(usize),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
}

/// How deep groups nest.
const MAX_NESTING: usize = 64;

/// A compiled pattern: its program, its number of groups, their names, and whether it uses
/// classes Python reads in Unicode.
pub(super) type Compiled = (Vec<Inst>, usize, Vec<(String, usize)>, bool);

/// Parses and compiles a pattern of the subset.
pub(super) fn compile_pattern(pattern: &str) -> Result<Compiled, Error> {
    if pattern.chars().count() > MAX_PATTERN {
        return Err("a pattern too long to evaluate".into());
    }
    let mut p = Parser {
        chars: pattern.chars().collect(),
        at: 0,
        groups: 0,
        names: Vec::new(),
        ascii_only: false,
        depth: 0,
    };
    let node = p.alternation()?;
    if p.at < p.chars.len() {
        return Err(format!(
            "the pattern `{pattern}` is not valid (unbalanced `)`)"
        ));
    }
    let mut prog = Vec::new();
    compile(&node, &mut prog)?;
    prog.push(Inst::Match);
    Ok((prog, p.groups, p.names, p.ascii_only))
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    groups: usize,
    names: Vec<(String, usize)>,
    ascii_only: bool,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn unsupported(&self, what: &str) -> Error {
        format!("uses {what} in a pattern, which sa2rs does not evaluate")
    }

    fn alternation(&mut self) -> Result<Node, Error> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err("a pattern nested too deeply".into());
        }
        let mut alts = vec![self.concat()?];
        while self.eat('|') {
            alts.push(self.concat()?);
        }
        self.depth -= 1;
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alts)
        })
    }

    fn concat(&mut self) -> Result<Node, Error> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            items.push(self.quantified(atom)?);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, Error> {
        let (min, max) = match self.peek() {
            Some('{') => match self.braces() {
                Some(b) => b,
                None => return Ok(atom),
            },
            Some(c @ ('*' | '+' | '?')) => {
                self.at += 1;
                match c {
                    '*' => (0, None),
                    '+' => (1, None),
                    _ => (0, Some(1)),
                }
            }
            _ => return Ok(atom),
        };
        let greedy = !self.eat('?');
        if self.peek() == Some('+') {
            return Err(self.unsupported("a possessive quantifier"));
        }
        if matches!(atom, Node::Assert(_) | Node::Look { .. } | Node::Empty) {
            return Err(self.unsupported("a quantified assertion"));
        }
        if max != Some(1) && max != Some(0) && can_be_empty(&atom) {
            return Err(self.unsupported("a repeated group that can match nothing"));
        }
        if let Some(m) = max {
            if m < min {
                return Err("a pattern with a quantifier `{m,n}` where n < m".into());
            }
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
            greedy,
        })
    }

    /// `{m}`, `{m,}`, `{,n}`, `{m,n}` (consumed); `None` (nothing consumed) when the brace is a
    /// literal, as Python reads it.
    fn braces(&mut self) -> Option<(u32, Option<u32>)> {
        let rest: String = self.chars[self.at..].iter().collect();
        let close = rest.find('}')?;
        let inner = &rest[1..close];
        let (lo, hi) = match inner.split_once(',') {
            Some((a, b)) => (a, Some(b)),
            None => (inner, None),
        };
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if !digits(lo) || !hi.is_none_or(digits) || (lo.is_empty() && hi.is_none()) {
            return None;
        }
        let min: u32 = if lo.is_empty() { 0 } else { lo.parse().ok()? };
        let max = match hi {
            None => Some(min),
            Some("") => None,
            Some(h) => Some(h.parse().ok()?),
        };
        self.at += inner.chars().count() + 2;
        Some((min, max))
    }

    fn atom(&mut self) -> Result<Node, Error> {
        let Some(c) = self.peek() else {
            return Ok(Node::Empty);
        };
        self.at += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Assert(Assertion::Start),
            '$' => Node::Assert(Assertion::End),
            '[' => Node::Set(self.set()?),
            '(' => self.group()?,
            '\\' => self.escape()?,
            '*' | '+' | '?' => return Err("a pattern with nothing to repeat".into()),
            c => Node::Char(c),
        })
    }

    fn group(&mut self) -> Result<Node, Error> {
        let node = if self.eat('?') {
            match self.peek() {
                Some(':') => {
                    self.at += 1;
                    Node::Group(None, Box::new(self.alternation()?))
                }
                Some('=') | Some('!') => {
                    let negate = self.peek() == Some('!');
                    self.at += 1;
                    Node::Look {
                        ahead: true,
                        negate,
                        node: Box::new(self.alternation()?),
                    }
                }
                Some('<') if matches!(self.chars.get(self.at + 1), Some('=' | '!')) => {
                    let negate = self.chars.get(self.at + 1) == Some(&'!');
                    self.at += 2;
                    Node::Look {
                        ahead: false,
                        negate,
                        node: Box::new(self.alternation()?),
                    }
                }
                Some('P') if self.chars.get(self.at + 1) == Some(&'<') => {
                    self.at += 2;
                    let mut name = String::new();
                    while let Some(c) = self.peek() {
                        self.at += 1;
                        if c == '>' {
                            break;
                        }
                        name.push(c);
                    }
                    self.groups += 1;
                    let index = self.groups;
                    self.names.push((name, index));
                    Node::Group(Some(index), Box::new(self.alternation()?))
                }
                Some('P') if self.chars.get(self.at + 1) == Some(&'=') => {
                    self.at += 2;
                    let mut name = String::new();
                    while let Some(c) = self.peek() {
                        self.at += 1;
                        if c == ')' {
                            break;
                        }
                        name.push(c);
                    }
                    let index = self
                        .names
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, i)| *i)
                        .ok_or_else(|| format!("a backreference to unknown group `{name}`"))?;
                    return Ok(Node::Backref(index));
                }
                _ => return Err(self.unsupported("inline flags or an extension group")),
            }
        } else {
            self.groups += 1;
            let index = self.groups;
            Node::Group(Some(index), Box::new(self.alternation()?))
        };
        if !self.eat(')') {
            return Err("a pattern with an unclosed group".into());
        }
        Ok(node)
    }

    fn escape(&mut self) -> Result<Node, Error> {
        let Some(c) = self.peek() else {
            return Err("a pattern ending in a backslash".into());
        };
        self.at += 1;
        let class = |item| {
            Node::Set(Set {
                negate: false,
                items: vec![item],
            })
        };
        Ok(match c {
            'd' | 'D' | 'w' | 'W' | 's' | 'S' => {
                self.ascii_only = true;
                class(class_escape(c))
            }
            'b' => {
                self.ascii_only = true;
                Node::Assert(Assertion::WordBoundary)
            }
            'B' => {
                self.ascii_only = true;
                Node::Assert(Assertion::NotWordBoundary)
            }
            'A' => Node::Assert(Assertion::Start),
            'Z' => Node::Assert(Assertion::TextEnd),
            '1'..='9' => {
                let mut n = c.to_digit(10).unwrap_or(0) as usize;
                if let Some(d) = self.peek().and_then(|d| d.to_digit(10)) {
                    self.at += 1;
                    n = n * 10 + d as usize;
                }
                if n > self.groups {
                    return Err(format!("a backreference to group {n}, not defined before"));
                }
                Node::Backref(n)
            }
            c => Node::Char(simple_escape(c).ok_or_else(|| self.unsupported(&format!("`\\{c}`")))?),
        })
    }

    fn set(&mut self) -> Result<Set, Error> {
        let negate = self.eat('^');
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err("a pattern with an unclosed `[`".into());
            };
            self.at += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let lo = match c {
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err("a pattern ending in a backslash".into());
                    };
                    self.at += 1;
                    if matches!(e, 'd' | 'D' | 'w' | 'W' | 's' | 'S') {
                        self.ascii_only = true;
                        items.push(class_escape(e));
                        continue;
                    }
                    simple_escape(e).ok_or_else(|| self.unsupported(&format!("`\\{e}`")))?
                }
                '[' if matches!(self.peek(), Some(':' | '=' | '.')) => {
                    return Err(self.unsupported("a POSIX class"))
                }
                c => c,
            };
            // `a-z`; a `-` first or last is literal.
            if self.peek() == Some('-') && !matches!(self.chars.get(self.at + 1), Some(']') | None)
            {
                self.at += 1;
                let Some(hi) = self.peek() else {
                    return Err("a pattern with an unclosed `[`".into());
                };
                self.at += 1;
                let hi = if hi == '\\' {
                    let Some(e) = self.peek() else {
                        return Err("a pattern ending in a backslash".into());
                    };
                    self.at += 1;
                    simple_escape(e).ok_or_else(|| self.unsupported(&format!("`\\{e}`")))?
                } else {
                    hi
                };
                if hi < lo {
                    return Err("a pattern with a bad range in `[...]`".into());
                }
                items.push(SetItem::Range(lo, hi));
            } else {
                items.push(SetItem::Range(lo, lo));
            }
        }
        Ok(Set { negate, items })
    }
}

fn class_escape(c: char) -> SetItem {
    match c {
        'd' => SetItem::Digit(true),
        'D' => SetItem::Digit(false),
        'w' => SetItem::Word(true),
        'W' => SetItem::Word(false),
        's' => SetItem::Space(true),
        _ => SetItem::Space(false),
    }
}

/// `\n`, `\t`, ..., and an escaped punctuation character; `None` for escapes Python reserves
/// (ASCII letters and digits) or that sa2rs does not read (`\x41`, `\u0041`, octal).
pub(super) fn simple_escape(c: char) -> Option<char> {
    Some(match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        'f' => '\x0c',
        'v' => '\x0b',
        'a' => '\x07',
        c if c.is_ascii_alphanumeric() => return None,
        c => c,
    })
}

fn can_be_empty(n: &Node) -> bool {
    match n {
        Node::Empty | Node::Assert(_) | Node::Look { .. } => true,
        // A backreference to an empty group matches nothing.
        Node::Backref(_) => true,
        Node::Char(_) | Node::Any | Node::Set(_) => false,
        Node::Group(_, inner) => can_be_empty(inner),
        Node::Concat(items) => items.iter().all(can_be_empty),
        Node::Alt(items) => items.iter().any(can_be_empty),
        Node::Repeat { node, min, .. } => *min == 0 || can_be_empty(node),
    }
}

/// The number of characters a lookbehind matches (Python requires a fixed width).
fn width(n: &Node) -> Option<usize> {
    match n {
        Node::Empty | Node::Assert(_) | Node::Look { .. } => Some(0),
        Node::Char(_) | Node::Any | Node::Set(_) => Some(1),
        Node::Backref(_) => None,
        Node::Group(_, inner) => width(inner),
        Node::Concat(items) => items.iter().map(width).sum(),
        Node::Alt(items) => {
            let first = width(items.first()?)?;
            items
                .iter()
                .all(|i| width(i) == Some(first))
                .then_some(first)
        }
        Node::Repeat { node, min, max, .. } => {
            (Some(*min) == *max).then(|| width(node).map(|w| w * *min as usize))?
        }
    }
}

fn compile(n: &Node, prog: &mut Vec<Inst>) -> Result<(), Error> {
    if prog.len() > MAX_PROGRAM {
        return Err("a pattern too large to evaluate".into());
    }
    match n {
        Node::Empty => {}
        Node::Char(c) => prog.push(Inst::Char(*c)),
        Node::Any => prog.push(Inst::Any),
        Node::Set(s) => prog.push(Inst::Set(s.clone())),
        Node::Assert(a) => prog.push(Inst::Assert(*a)),
        Node::Backref(i) => prog.push(Inst::Backref(*i)),
        Node::Group(None, inner) => compile(inner, prog)?,
        Node::Group(Some(i), inner) => {
            prog.push(Inst::Save(2 * i));
            compile(inner, prog)?;
            prog.push(Inst::Save(2 * i + 1));
        }
        Node::Look {
            ahead,
            negate,
            node,
        } => {
            let width = if *ahead {
                0
            } else {
                width(node).ok_or("a lookbehind that is not of fixed width")?
            };
            let mut sub = Vec::new();
            compile(node, &mut sub)?;
            sub.push(Inst::Match);
            prog.push(Inst::Look(Box::new(Look {
                ahead: *ahead,
                negate: *negate,
                width,
                prog: sub,
            })));
        }
        Node::Concat(items) => {
            for i in items {
                compile(i, prog)?;
            }
        }
        Node::Alt(items) => {
            // split L1, next; L1: a; jmp end; next: split L2, next2; ...
            let mut jumps = Vec::new();
            for (k, item) in items.iter().enumerate() {
                if k + 1 < items.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile(item, prog)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jmp(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    compile(item, prog)?;
                }
            }
            let end = prog.len();
            for j in jumps {
                prog[j] = Inst::Jmp(end);
            }
        }
        Node::Repeat {
            node,
            min,
            max,
            greedy,
        } => {
            for _ in 0..*min {
                compile(node, prog)?;
            }
            match max {
                None => {
                    // L: split body, end; body; jmp L
                    let split = prog.len();
                    prog.push(Inst::Split(0, 0));
                    compile(node, prog)?;
                    prog.push(Inst::Jmp(split));
                    let end = prog.len();
                    prog[split] = branch(*greedy, split + 1, end);
                }
                Some(max) => {
                    // (body (body (...)?)?)?
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(prog.len());
                        prog.push(Inst::Split(0, 0));
                        compile(node, prog)?;
                        if prog.len() > MAX_PROGRAM {
                            return Err("a pattern too large to evaluate".into());
                        }
                    }
                    let end = prog.len();
                    for s in splits {
                        prog[s] = branch(*greedy, s + 1, end);
                    }
                }
            }
        }
    }
    Ok(())
}

fn branch(greedy: bool, body: usize, skip: usize) -> Inst {
    if greedy {
        Inst::Split(body, skip)
    } else {
        Inst::Split(skip, body)
    }
}
