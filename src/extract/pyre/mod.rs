//! A subset of Python's `re`, for the name transformations model code runs on class names
//! (`re.sub("(?<!^)(?=[A-Z])", "_", name)`, `re.split("(?=[A-Z])", name)`).
//!
//! Patterns are compiled to a small backtracking program, as CPython's `_sre` matches them
//! (alternatives and quantifiers tried in the same order, so the same match is found). What
//! is outside the subset (flags, inline flags, possessive quantifiers, a repeated group that
//! can match nothing, `\w`-style classes on non-ASCII text) is refused, never approximated.
//! Every run counts its steps against a budget.

mod syntax;
#[cfg(test)]
mod tests;

use std::cell::Cell;

/// Why a pattern cannot be used, or a run did not finish.
pub type Error = String;

/// Instructions of a compiled pattern.
#[derive(Debug, Clone)]
enum Inst {
    Char(char),
    /// `.`: anything but a newline.
    Any,
    Set(Set),
    Assert(Assertion),
    /// Try `.0` first, then `.1`.
    Split(usize, usize),
    Jmp(usize),
    Save(usize),
    Backref(usize),
    Look(Box<Look>),
    Match,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assertion {
    /// `^`, `\A`: the start of the text.
    Start,
    /// `$`: the end, or before a newline that ends the text.
    End,
    /// `\Z`: the end.
    TextEnd,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug, Clone)]
struct Look {
    ahead: bool,
    negate: bool,
    /// For a lookbehind: how many characters it matches.
    width: usize,
    prog: Vec<Inst>,
}

/// A character class: `[a-z0-9_]`, `\d`, `[^A-Z]`.
#[derive(Debug, Clone)]
struct Set {
    negate: bool,
    items: Vec<SetItem>,
}

#[derive(Debug, Clone, Copy)]
enum SetItem {
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

impl SetItem {
    fn contains(self, c: char) -> bool {
        match self {
            SetItem::Range(a, b) => a <= c && c <= b,
            SetItem::Digit(pos) => c.is_ascii_digit() == pos,
            SetItem::Word(pos) => is_word(c) == pos,
            SetItem::Space(pos) => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') == pos,
        }
    }
}

impl Set {
    fn contains(&self, c: char) -> bool {
        self.items.iter().any(|i| i.contains(c)) != self.negate
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Limits: pattern length, program size (after expanding `{m,n}`), steps per evaluation.
const MAX_PATTERN: usize = 1_000;
const MAX_PROGRAM: usize = 10_000;
pub const MAX_STEPS: u32 = 1_000_000;

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Regex {
    pub pattern: String,
    prog: Vec<Inst>,
    /// Capturing groups, not counting the whole match.
    pub groups: usize,
    pub names: Vec<(String, usize)>,
    /// Uses `\w`, `\d`, `\s` or `\b`, which Python reads in Unicode: refused on non-ASCII text.
    ascii_only: bool,
}

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

/// One match: the span of the whole match and of each group, in characters.
#[derive(Debug, Clone, PartialEq)]
pub struct Captures {
    pub slots: Vec<Option<usize>>,
}

impl Captures {
    pub fn get(&self, group: usize) -> Option<(usize, usize)> {
        match (self.slots.get(2 * group)?, self.slots.get(2 * group + 1)?) {
            (Some(a), Some(b)) => Some((*a, *b)),
            _ => None,
        }
    }
}

impl Regex {
    /// Compiles a Python pattern of the subset.
    pub fn new(pattern: &str) -> Result<Regex, Error> {
        let (prog, groups, names, ascii_only) = syntax::compile_pattern(pattern)?;
        Ok(Regex {
            pattern: pattern.to_owned(),
            prog,
            groups,
            names,
            ascii_only,
        })
    }

    /// The group a `\g<name>` or `m.group("name")` names.
    pub fn group_index(&self, name: &str) -> Option<usize> {
        if let Ok(n) = name.parse::<usize>() {
            return (n <= self.groups).then_some(n);
        }
        self.names.iter().find(|(n, _)| n == name).map(|(_, i)| *i)
    }

    /// Every match in `text`, left to right, as `re.finditer` finds them (Python 3.7+: an empty
    /// match may follow a non-empty one; after an empty match the next must not be empty at the
    /// same place).
    pub fn find_all(&self, text: &[char], steps: &Cell<u32>) -> Result<Vec<Captures>, Error> {
        self.check_text(text)?;
        let mut out = Vec::new();
        let mut pos = 0;
        let mut must_advance = false;
        while pos <= text.len() {
            let Some(m) = self.search(text, pos, must_advance, steps)? else {
                break;
            };
            let (start, end) = m.get(0).unwrap_or((pos, pos));
            must_advance = start == end;
            pos = end;
            out.push(m);
        }
        Ok(out)
    }

    /// The first match at or after `from`.
    pub fn search(
        &self,
        text: &[char],
        from: usize,
        must_advance: bool,
        steps: &Cell<u32>,
    ) -> Result<Option<Captures>, Error> {
        self.check_text(text)?;
        for start in from..=text.len() {
            let advance = must_advance && start == from;
            if let Some(c) = run(&self.prog, text, start, advance, None, self.slots(), steps)? {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    /// A match starting exactly at `at` (`re.match`); with `full`, ending at the end.
    pub fn match_at(
        &self,
        text: &[char],
        at: usize,
        full: bool,
        steps: &Cell<u32>,
    ) -> Result<Option<Captures>, Error> {
        self.check_text(text)?;
        let end = full.then_some(text.len());
        run(&self.prog, text, at, false, end, self.slots(), steps)
    }

    fn slots(&self) -> usize {
        2 * (self.groups + 1)
    }

    fn check_text(&self, text: &[char]) -> Result<(), Error> {
        if self.ascii_only && !text.iter().all(char::is_ascii) {
            return Err(format!(
                "applies `{}`, whose classes Python reads in Unicode, to non-ASCII text",
                self.pattern
            ));
        }
        Ok(())
    }
}

/// Runs a program at `start`: the first match in priority order, as a backtracking matcher
/// finds it. `must_advance` refuses an empty match; `end` requires the match to end there.
fn run(
    prog: &[Inst],
    text: &[char],
    start: usize,
    must_advance: bool,
    end: Option<usize>,
    nslots: usize,
    steps: &Cell<u32>,
) -> Result<Option<Captures>, Error> {
    let mut slots: Vec<Option<usize>> = vec![None; nslots];
    // Backtrack points: resume at `pc` / `pos` with `slots` restored.
    let mut stack: Vec<(usize, usize, Vec<Option<usize>>)> = Vec::new();
    let (mut pc, mut pos) = (0usize, start);
    loop {
        let left = steps.get();
        if left == 0 {
            return Err("takes too many steps to evaluate".into());
        }
        steps.set(left - 1);
        let ok = match prog.get(pc) {
            None => false,
            Some(Inst::Match) => {
                let empty_refused = must_advance && pos == start;
                let end_ok = end.is_none_or(|e| e == pos);
                if !empty_refused && end_ok {
                    if slots.len() >= 2 {
                        slots[0] = Some(start);
                        slots[1] = Some(pos);
                    }
                    return Ok(Some(Captures { slots }));
                }
                false
            }
            Some(Inst::Char(c)) => {
                let hit = text.get(pos) == Some(c);
                pos += 1;
                hit
            }
            Some(Inst::Any) => {
                let hit = text.get(pos).is_some_and(|&c| c != '\n');
                pos += 1;
                hit
            }
            Some(Inst::Set(s)) => {
                let hit = text.get(pos).is_some_and(|&c| s.contains(c));
                pos += 1;
                hit
            }
            Some(Inst::Assert(a)) => {
                let before = pos.checked_sub(1).and_then(|i| text.get(i)).copied();
                let after = text.get(pos).copied();
                let word = |c: Option<char>| c.is_some_and(is_word);
                let hit = match a {
                    Assertion::Start => pos == 0,
                    Assertion::End => {
                        pos == text.len() || (pos + 1 == text.len() && after == Some('\n'))
                    }
                    Assertion::TextEnd => pos == text.len(),
                    Assertion::WordBoundary => word(before) != word(after),
                    // CPython's `\B` never matches in an empty text.
                    Assertion::NotWordBoundary => !text.is_empty() && word(before) == word(after),
                };
                pc += 1;
                if hit {
                    continue;
                }
                false
            }
            Some(Inst::Split(a, b)) => {
                stack.push((*b, pos, slots.clone()));
                pc = *a;
                continue;
            }
            Some(Inst::Jmp(a)) => {
                pc = *a;
                continue;
            }
            Some(Inst::Save(i)) => {
                if let Some(s) = slots.get_mut(*i) {
                    *s = Some(pos);
                }
                pc += 1;
                continue;
            }
            Some(Inst::Backref(g)) => {
                let span = match (slots.get(2 * g), slots.get(2 * g + 1)) {
                    (Some(Some(a)), Some(Some(b))) => Some((*a, *b)),
                    _ => None,
                };
                // A group that did not take part fails the match, as in Python.
                match span {
                    Some((a, b)) if text.get(pos..pos + (b - a)) == text.get(a..b) => {
                        pos += b - a;
                        pc += 1;
                        continue;
                    }
                    _ => false,
                }
            }
            Some(Inst::Look(look)) => {
                let found = if look.ahead {
                    run(&look.prog, text, pos, false, None, nslots, steps)?
                } else if let Some(from) = pos.checked_sub(look.width) {
                    run(&look.prog, text, from, false, Some(pos), nslots, steps)?
                } else {
                    None
                };
                let hit = found.is_some() != look.negate;
                // A positive lookaround keeps the groups it set.
                if let (Some(inner), false) = (found, look.negate) {
                    for (k, s) in inner.slots.into_iter().enumerate().skip(2) {
                        if s.is_some() {
                            slots[k] = s;
                        }
                    }
                }
                pc += 1;
                if hit {
                    continue;
                }
                false
            }
        };
        if ok {
            pc += 1;
            continue;
        }
        match stack.pop() {
            Some((p, q, s)) => {
                pc = p;
                pos = q;
                slots = s;
            }
            None => return Ok(None),
        }
    }
}

/// `re.sub`'s replacement template: literal text and group references.
#[derive(Debug, Clone)]
pub enum Piece {
    Text(String),
    Group(usize),
}

/// Parses a replacement template (`r"\1_\2"`, `"\g<1>"`, `"\g<name>"`).
pub fn template(repl: &str, re: &Regex) -> Result<Vec<Piece>, Error> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = repl.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            return Err("a replacement ending in a backslash".into());
        };
        let group = match e {
            'g' => {
                if chars.next() != Some('<') {
                    return Err("a replacement with a malformed `\\g<...>`".into());
                }
                let mut name = String::new();
                for c in chars.by_ref() {
                    if c == '>' {
                        break;
                    }
                    name.push(c);
                }
                Some(
                    re.group_index(&name)
                        .ok_or_else(|| format!("a replacement naming unknown group `{name}`"))?,
                )
            }
            '0' => return Err("a replacement with an octal escape".into()),
            d if d.is_ascii_digit() => {
                let mut n = d.to_digit(10).unwrap_or(0) as usize;
                if let Some(d2) = chars.peek().and_then(|c| c.to_digit(10)) {
                    chars.next();
                    n = n * 10 + d2 as usize;
                }
                if n > re.groups {
                    return Err(format!("a replacement naming unknown group {n}"));
                }
                Some(n)
            }
            '\\' => {
                text.push('\\');
                None
            }
            'n' | 't' | 'r' | 'f' | 'v' | 'a' => {
                text.push(syntax::simple_escape(e).unwrap_or(e));
                None
            }
            'b' => {
                text.push('\x08');
                None
            }
            e if e.is_ascii_alphabetic() => {
                return Err(format!("a replacement with the bad escape `\\{e}`"))
            }
            e => {
                text.push('\\');
                text.push(e);
                None
            }
        };
        if let Some(g) = group {
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text)));
            }
            out.push(Piece::Group(g));
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}
