//! What the interpreter runs beyond Python's syntax: the builtins and `re` functions it knows,
//! and the methods of strings, patterns and matches.

use std::sync::Arc;

use crate::IndexMap;

use super::values::{iterate, truthy, values};
use super::{unknown, Interp, MatchObj, Res, Val};
use crate::extract::eval::{self, Value};
use crate::extract::pyre::{self, Captures, Regex};
use crate::source::Span;

impl Interp<'_> {
    pub(super) fn call_path(
        &self,
        path: &str,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
        span: Span,
    ) -> Res<Val> {
        let root = path.split('.').next().unwrap_or(path);
        if root == "sqlalchemy" && path.ends_with(".has_inherited_table") {
            return match args.as_slice() {
                [Val::Cls] => Ok(Val::Data(Value::Bool(self.class.has_inherited_table))),
                _ => Err(unknown(
                    span,
                    "calls `has_inherited_table` on another class",
                )),
            };
        }
        let mut a = Args::new(args, kwargs, span);
        let out = match path {
            // Flask-SQLAlchemy's automatic table name, which sa2rs knows.
            "flask_sqlalchemy.model.camel_to_snake_case" => match a.data("name")? {
                Value::Str(s) if s.is_ascii() => {
                    Value::Str(crate::extract::class::flask_table_name(&s))
                }
                _ => {
                    return Err(unknown(
                        span,
                        "calls `camel_to_snake_case` on something not an ASCII string",
                    ))
                }
            },
            "builtins.len" => {
                let n = match a.data("obj")? {
                    Value::Str(s) => s.chars().count(),
                    Value::List(v) | Value::Tuple(v) => v.len(),
                    Value::Dict(v) => v.len(),
                    _ => return Err(unknown(span, "takes `len` of something without one")),
                };
                Value::Int(n as i64)
            }
            "builtins.str" => Value::Str(eval::to_str(&a.data("object")?)),
            "builtins.list" => Value::List(values(iterate(a.val("iterable")?, span)?, span)?),
            "builtins.tuple" => Value::Tuple(values(iterate(a.val("iterable")?, span)?, span)?),
            "builtins.reversed" => {
                let mut v = values(iterate(a.val("seq")?, span)?, span)?;
                v.reverse();
                Value::List(v)
            }
            "builtins.any" | "builtins.all" => {
                let items = iterate(a.val("iterable")?, span)?;
                let any = path == "builtins.any";
                Value::Bool(if any {
                    items.iter().any(truthy)
                } else {
                    items.iter().all(truthy)
                })
            }
            "re.compile" => {
                let re = self.pattern(a.val("pattern")?, span)?;
                a.no_flags()?;
                a.done()?;
                return Ok(Val::Pattern(re));
            }
            "re.sub" | "re.split" | "re.findall" | "re.match" | "re.search" | "re.fullmatch" => {
                let re = self.pattern(a.val("pattern")?, span)?;
                let method = &path[3..];
                return self.pattern_method(re, method, a, span);
            }
            _ => {
                return Err(unknown(
                    span,
                    format!("calls `{path}(...)`, which sa2rs does not run"),
                ))
            }
        };
        a.done()?;
        Ok(Val::Data(out))
    }

    fn pattern(&self, v: Val, span: Span) -> Res<Arc<Regex>> {
        match v {
            Val::Pattern(p) => Ok(p),
            Val::Data(Value::Str(s)) => Regex::new(&s)
                .map(Arc::new)
                .map_err(|why| unknown(span, why)),
            _ => Err(unknown(span, "uses a pattern that is not a string")),
        }
    }

    /// `pattern.sub(...)`, `re.split(pattern, ...)`, ...: `a` holds the arguments after the
    /// pattern.
    fn pattern_method(&self, re: Arc<Regex>, method: &str, mut a: Args, span: Span) -> Res<Val> {
        let text = |v: Value| match v {
            Value::Str(s) => Ok(s.chars().collect::<Vec<char>>()),
            _ => Err(unknown(span, "applies a pattern to something not a string")),
        };
        let steps = &self.steps;
        let err = |why: pyre::Error| unknown(span, why);
        let out = match method {
            "sub" => {
                let repl = a.val("repl")?;
                let chars = text(a.data("string")?)?;
                let count = a.opt_int("count")?.unwrap_or(0);
                a.no_flags()?;
                a.done()?;
                let mut found = re.find_all(&chars, steps).map_err(err)?;
                if count > 0 {
                    found.truncate(count as usize);
                }
                let mut out = String::new();
                let mut last = 0;
                let template = match &repl {
                    Val::Data(Value::Str(s)) => Some(pyre::template(s, &re).map_err(err)?),
                    _ => None,
                };
                for m in found {
                    let (start, end) = m.get(0).unwrap_or((last, last));
                    out.extend(&chars[last..start]);
                    match &template {
                        Some(pieces) => {
                            for p in pieces {
                                match p {
                                    pyre::Piece::Text(t) => out.push_str(t),
                                    pyre::Piece::Group(g) => {
                                        if let Some((x, y)) = m.get(*g) {
                                            out.extend(&chars[x..y]);
                                        }
                                    }
                                }
                            }
                        }
                        None => {
                            let obj = Val::Match(Arc::new(MatchObj {
                                text: chars.clone(),
                                caps: m,
                                re: re.clone(),
                            }));
                            match self.call(&repl, vec![obj], Vec::new(), span)? {
                                Val::Data(Value::Str(s)) => out.push_str(&s),
                                _ => {
                                    return Err(unknown(
                                        span,
                                        "has a replacement function that returns no string",
                                    ))
                                }
                            }
                        }
                    }
                    last = end;
                }
                out.extend(&chars[last..]);
                Value::Str(out)
            }
            "split" => {
                let chars = text(a.data("string")?)?;
                let max = a.opt_int("maxsplit")?.unwrap_or(0);
                a.no_flags()?;
                a.done()?;
                let mut found = re.find_all(&chars, steps).map_err(err)?;
                if max > 0 {
                    found.truncate(max as usize);
                }
                let mut out = Vec::new();
                let mut last = 0;
                for m in found {
                    let (start, end) = m.get(0).unwrap_or((last, last));
                    out.push(Value::Str(chars[last..start].iter().collect()));
                    for g in 1..=re.groups {
                        out.push(match m.get(g) {
                            Some((x, y)) => Value::Str(chars[x..y].iter().collect()),
                            None => Value::None,
                        });
                    }
                    last = end;
                }
                out.push(Value::Str(chars[last..].iter().collect()));
                Value::List(out)
            }
            "findall" => {
                let chars = text(a.data("string")?)?;
                a.no_flags()?;
                a.done()?;
                let group = |m: &Captures, g: usize| {
                    Value::Str(
                        m.get(g)
                            .map(|(x, y)| chars[x..y].iter().collect())
                            .unwrap_or_default(),
                    )
                };
                let found = re.find_all(&chars, steps).map_err(err)?;
                Value::List(
                    found
                        .iter()
                        .map(|m| match re.groups {
                            0 => group(m, 0),
                            1 => group(m, 1),
                            n => Value::Tuple((1..=n).map(|g| group(m, g)).collect()),
                        })
                        .collect(),
                )
            }
            "match" | "search" | "fullmatch" => {
                let chars = text(a.data("string")?)?;
                a.no_flags()?;
                a.done()?;
                let found = match method {
                    "search" => re.search(&chars, 0, false, steps),
                    m => re.match_at(&chars, 0, m == "fullmatch", steps),
                }
                .map_err(err)?;
                return Ok(match found {
                    Some(caps) => Val::Match(Arc::new(MatchObj {
                        text: chars,
                        caps,
                        re,
                    })),
                    None => Val::Data(Value::None),
                });
            }
            other => {
                return Err(unknown(
                    span,
                    format!("calls the pattern method `{other}`, which sa2rs does not evaluate"),
                ))
            }
        };
        Ok(Val::Data(out))
    }

    /// `recv.name(...)` on a string, a pattern or a match.
    pub(super) fn method(
        &self,
        recv: Val,
        name: &str,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
        span: Span,
    ) -> Res<Val> {
        let a = Args::new(args, kwargs, span);
        match recv {
            Val::Data(Value::Str(s)) => str_method(&s, name, a, span).map(Val::Data),
            Val::Pattern(re) => self.pattern_method(re, name, a, span),
            Val::Match(m) => match_method(&m, name, a, span).map(Val::Data),
            _ => Err(unknown(
                span,
                format!("calls `.{name}(...)`, which sa2rs does not evaluate"),
            )),
        }
    }
}

/// The arguments of a call, taken by position or name.
pub(super) struct Args {
    positional: std::collections::VecDeque<Val>,
    named: Vec<(String, Val)>,
    span: Span,
}

impl Args {
    pub(super) fn new(args: Vec<Val>, named: Vec<(String, Val)>, span: Span) -> Self {
        Args {
            positional: args.into(),
            named,
            span,
        }
    }

    fn opt(&mut self, name: &str) -> Option<Val> {
        if let Some(v) = self.positional.pop_front() {
            return Some(v);
        }
        let i = self.named.iter().position(|(k, _)| k == name)?;
        Some(self.named.remove(i).1)
    }

    fn val(&mut self, name: &str) -> Res<Val> {
        self.opt(name)
            .ok_or_else(|| unknown(self.span, format!("leaves out the argument `{name}`")))
    }

    fn data(&mut self, name: &str) -> Res<Value> {
        match self.val(name)? {
            Val::Data(v) => Ok(v),
            _ => Err(unknown(
                self.span,
                format!("passes `{name}` that is not a value"),
            )),
        }
    }

    fn opt_data(&mut self, name: &str) -> Res<Option<Value>> {
        match self.opt(name) {
            None => Ok(None),
            Some(Val::Data(v)) => Ok(Some(v)),
            Some(_) => Err(unknown(
                self.span,
                format!("passes `{name}` that is not a value"),
            )),
        }
    }

    fn opt_int(&mut self, name: &str) -> Res<Option<i64>> {
        match self.opt_data(name)? {
            None => Ok(None),
            Some(Value::Int(i)) => Ok(Some(i)),
            Some(_) => Err(unknown(
                self.span,
                format!("passes `{name}` that is not an integer"),
            )),
        }
    }

    fn opt_str(&mut self, name: &str) -> Res<Option<String>> {
        match self.opt_data(name)? {
            None | Some(Value::None) => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s)),
            Some(_) => Err(unknown(
                self.span,
                format!("passes `{name}` that is not a string"),
            )),
        }
    }

    /// `flags=`: only none (`0`) is evaluated.
    fn no_flags(&mut self) -> Res<()> {
        match self.opt("flags") {
            None | Some(Val::Data(Value::Int(0))) => Ok(()),
            Some(_) => Err(unknown(
                self.span,
                "passes regular expression flags, which sa2rs does not evaluate",
            )),
        }
    }

    fn done(&self) -> Res<()> {
        if !self.positional.is_empty() || !self.named.is_empty() {
            return Err(unknown(
                self.span,
                "passes arguments sa2rs does not evaluate",
            ));
        }
        Ok(())
    }
}

pub(super) fn str_method(s: &str, name: &str, mut a: Args, span: Span) -> Res<Value> {
    let cased = matches!(
        name,
        "lower"
            | "upper"
            | "casefold"
            | "capitalize"
            | "title"
            | "swapcase"
            | "isupper"
            | "islower"
            | "istitle"
            | "isalpha"
            | "isalnum"
            | "isdigit"
    );
    if cased && !s.is_ascii() {
        return Err(unknown(
            span,
            format!("calls `str.{name}` on non-ASCII text, which sa2rs does not evaluate"),
        ));
    }
    let strip_chars = |chars: Option<String>| -> Box<dyn Fn(char) -> bool> {
        match chars {
            None => Box::new(char::is_whitespace),
            Some(set) => Box::new(move |c| set.contains(c)),
        }
    };
    let all = |f: fn(&char) -> bool| !s.is_empty() && s.chars().all(|c| f(&c));
    let out = match name {
        "lower" | "casefold" => Value::Str(s.to_ascii_lowercase()),
        "upper" => Value::Str(s.to_ascii_uppercase()),
        "swapcase" => Value::Str(
            s.chars()
                .map(|c| {
                    if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect(),
        ),
        "capitalize" => {
            let mut chars = s.chars();
            Value::Str(match chars.next() {
                Some(f) => {
                    f.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            })
        }
        "title" => Value::Str(eval::title(s)),
        "isupper" | "islower" => {
            let cased: Vec<char> = s.chars().filter(char::is_ascii_alphabetic).collect();
            let want = if name == "isupper" {
                char::is_ascii_uppercase
            } else {
                char::is_ascii_lowercase
            };
            Value::Bool(!cased.is_empty() && cased.iter().all(want))
        }
        "isalpha" => Value::Bool(all(char::is_ascii_alphabetic)),
        "isalnum" => Value::Bool(all(char::is_ascii_alphanumeric)),
        "isdigit" => Value::Bool(all(char::is_ascii_digit)),
        "strip" => {
            let f = strip_chars(a.opt_str("chars")?);
            Value::Str(s.trim_matches(f).to_owned())
        }
        "lstrip" => {
            let f = strip_chars(a.opt_str("chars")?);
            Value::Str(s.trim_start_matches(f).to_owned())
        }
        "rstrip" => {
            let f = strip_chars(a.opt_str("chars")?);
            Value::Str(s.trim_end_matches(f).to_owned())
        }
        "replace" => {
            let (from, to) = (a.data("old")?, a.data("new")?);
            let count = a.opt_int("count")?.unwrap_or(-1);
            match (from, to) {
                (Value::Str(f), Value::Str(t)) if count < 0 => Value::Str(s.replace(&f, &t)),
                (Value::Str(f), Value::Str(t)) => Value::Str(s.replacen(&f, &t, count as usize)),
                _ => {
                    return Err(unknown(
                        span,
                        "calls `str.replace` with something not a string",
                    ))
                }
            }
        }
        "removeprefix" | "removesuffix" => {
            let Value::Str(x) = a.data("prefix")? else {
                return Err(unknown(span, format!("calls `str.{name}` with no string")));
            };
            let r = if name == "removeprefix" {
                s.strip_prefix(x.as_str())
            } else {
                s.strip_suffix(x.as_str())
            };
            Value::Str(r.unwrap_or(s).to_owned())
        }
        "startswith" | "endswith" => {
            let options = match a.data("prefix")? {
                Value::Str(x) => vec![x],
                Value::Tuple(v) => v
                    .into_iter()
                    .map(|x| match x {
                        Value::Str(x) => Ok(x),
                        _ => Err(unknown(span, format!("calls `str.{name}` with no string"))),
                    })
                    .collect::<Res<_>>()?,
                _ => return Err(unknown(span, format!("calls `str.{name}` with no string"))),
            };
            let hit = |x: &String| {
                if name == "startswith" {
                    s.starts_with(x.as_str())
                } else {
                    s.ends_with(x.as_str())
                }
            };
            Value::Bool(options.iter().any(hit))
        }
        "split" => {
            let sep = a.opt_str("sep")?;
            let max = a.opt_int("maxsplit")?.unwrap_or(-1);
            let parts: Vec<String> = match (&sep, max) {
                (Some(sep), _) if sep.is_empty() => {
                    return Err(unknown(span, "splits on an empty separator (`ValueError`)"))
                }
                (Some(sep), m) if m < 0 => s.split(sep.as_str()).map(str::to_owned).collect(),
                (Some(sep), m) => s
                    .splitn(m as usize + 1, sep.as_str())
                    .map(str::to_owned)
                    .collect(),
                (None, m) if m < 0 => s.split_whitespace().map(str::to_owned).collect(),
                (None, _) => {
                    return Err(unknown(
                        span,
                        "calls `str.split` on whitespace with `maxsplit`, which sa2rs does not evaluate",
                    ))
                }
            };
            Value::List(parts.into_iter().map(Value::Str).collect())
        }
        "join" => {
            let items = iterate(a.val("iterable")?, span)?;
            let mut parts = Vec::new();
            for i in items {
                match i {
                    Val::Data(Value::Str(p)) => parts.push(p),
                    _ => {
                        return Err(unknown(
                            span,
                            "joins something that is not a string (`TypeError`)",
                        ))
                    }
                }
            }
            Value::Str(parts.join(s))
        }
        "format" => {
            let positional: Vec<Value> = std::mem::take(&mut a.positional)
                .into_iter()
                .map(|v| match v {
                    Val::Data(v) => Ok(v),
                    _ => Err(unknown(span, "formats something that is not a value")),
                })
                .collect::<Res<_>>()?;
            let mut named = IndexMap::default();
            for (k, v) in std::mem::take(&mut a.named) {
                match v {
                    Val::Data(v) => named.insert(k, v),
                    _ => return Err(unknown(span, "formats something that is not a value")),
                };
            }
            return eval::format(s, &positional, &named)
                .ok_or_else(|| unknown(span, "uses a format sa2rs does not evaluate"));
        }
        other => {
            return Err(unknown(
                span,
                format!("calls `str.{other}`, which sa2rs does not evaluate"),
            ))
        }
    };
    a.done()?;
    Ok(out)
}

pub(super) fn match_method(m: &MatchObj, name: &str, mut a: Args, span: Span) -> Res<Value> {
    let group = |g: &Value| -> Res<Value> {
        let index = match g {
            Value::Int(i) => usize::try_from(*i).ok().filter(|i| *i <= m.re.groups),
            Value::Str(n) => m.re.group_index(n),
            _ => None,
        }
        .ok_or_else(|| unknown(span, "names no group of the pattern (`IndexError`)"))?;
        Ok(match m.caps.get(index) {
            Some((x, y)) => Value::Str(m.text[x..y].iter().collect()),
            None => Value::None,
        })
    };
    let out = match name {
        "group" => {
            let gs: Vec<Value> = std::mem::take(&mut a.positional)
                .into_iter()
                .map(|v| match v {
                    Val::Data(v) => Ok(v),
                    _ => Err(unknown(span, "names a group with something not a value")),
                })
                .collect::<Res<_>>()?;
            match gs.as_slice() {
                [] => group(&Value::Int(0))?,
                [g] => group(g)?,
                many => Value::Tuple(many.iter().map(group).collect::<Res<_>>()?),
            }
        }
        "groups" => {
            let default = a.opt_data("default")?.unwrap_or(Value::None);
            Value::Tuple(
                (1..=m.re.groups)
                    .map(|g| match group(&Value::Int(g as i64))? {
                        Value::None => Ok(default.clone()),
                        v => Ok(v),
                    })
                    .collect::<Res<_>>()?,
            )
        }
        "start" | "end" => {
            let g = a.opt_data("group")?.unwrap_or(Value::Int(0));
            let Value::Int(g) = g else {
                return Err(unknown(span, "names a group by name in `start`/`end`"));
            };
            let g = usize::try_from(g)
                .ok()
                .filter(|g| *g <= m.re.groups)
                .ok_or_else(|| unknown(span, "names no group of the pattern (`IndexError`)"))?;
            let at = m
                .caps
                .get(g)
                .map_or(-1, |(x, y)| (if name == "start" { x } else { y }) as i64);
            Value::Int(at)
        }
        other => {
            return Err(unknown(
                span,
                format!("calls the match method `{other}`, which sa2rs does not evaluate"),
            ))
        }
    };
    a.done()?;
    Ok(out)
}
