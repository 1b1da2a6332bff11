//! Python's rules for plain values: truth, iteration, comparison, indexing and slicing.

use super::builtins::{match_method, Args};
use super::{unknown, Res, Val};
use crate::extract::eval::{self, Value};
use crate::source::Span;
use crate::syntax::CmpOp;

pub(super) fn truthy(v: &Val) -> bool {
    match v {
        Val::Data(d) => eval::truthy(d),
        _ => true,
    }
}

/// The items a `for` takes from a value.
pub(super) fn iterate(v: Val, span: Span) -> Res<Vec<Val>> {
    match v {
        Val::Data(Value::Str(s)) => Ok(s
            .chars()
            .map(|c| Val::Data(Value::Str(c.to_string())))
            .collect()),
        Val::Data(Value::List(v) | Value::Tuple(v)) => Ok(v.into_iter().map(Val::Data).collect()),
        Val::Data(Value::Dict(v)) => Ok(v.into_iter().map(|(k, _)| Val::Data(k)).collect()),
        _ => Err(unknown(
            span,
            "iterates over something sa2rs does not evaluate",
        )),
    }
}

pub(super) fn values(items: Vec<Val>, span: Span) -> Res<Vec<Value>> {
    items
        .into_iter()
        .map(|i| match i {
            Val::Data(v) => Ok(v),
            _ => Err(unknown(span, "collects something that is not a value")),
        })
        .collect()
}

pub(super) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

pub(super) fn equal(a: &Value, b: &Value) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

pub(super) fn compare(l: &Val, op: CmpOp, r: &Val, span: Span) -> Res<bool> {
    let (Val::Data(a), Val::Data(b)) = (l, r) else {
        return match op {
            CmpOp::Is | CmpOp::Eq => Ok(false),
            CmpOp::IsNot | CmpOp::NotEq => Ok(true),
            _ => Err(unknown(span, "compares things sa2rs does not evaluate")),
        };
    };
    let order = || -> Res<std::cmp::Ordering> {
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
            _ => match (number(a), number(b)) {
                (Some(x), Some(y)) => x
                    .partial_cmp(&y)
                    .ok_or_else(|| unknown(span, "compares a NaN")),
                _ => Err(unknown(
                    span,
                    "orders values of different kinds (`TypeError`)",
                )),
            },
        }
    };
    let contains = || -> Res<bool> {
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => Ok(y.contains(x.as_str())),
            (x, Value::List(v) | Value::Tuple(v)) => Ok(v.iter().any(|i| equal(x, i))),
            (x, Value::Dict(v)) => Ok(v.iter().any(|(k, _)| equal(x, k))),
            _ => Err(unknown(
                span,
                "tests membership in something sa2rs does not evaluate",
            )),
        }
    };
    Ok(match op {
        CmpOp::Eq => equal(a, b),
        CmpOp::NotEq => !equal(a, b),
        CmpOp::Lt => order()?.is_lt(),
        CmpOp::LtE => order()?.is_le(),
        CmpOp::Gt => order()?.is_gt(),
        CmpOp::GtE => order()?.is_ge(),
        CmpOp::In => contains()?,
        CmpOp::NotIn => !contains()?,
        CmpOp::Is | CmpOp::IsNot => {
            let same = match (a, b) {
                (Value::None, Value::None) => true,
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::None, _) | (_, Value::None) => false,
                _ => return Err(unknown(span, "compares identities sa2rs does not know")),
            };
            (op == CmpOp::Is) == same
        }
    })
}

/// `v[i]`.
pub(super) fn index_of(v: Val, key: Val, span: Span) -> Res<Val> {
    let at = |len: usize, i: i64| -> Res<usize> {
        let i = if i < 0 { i + len as i64 } else { i };
        usize::try_from(i)
            .ok()
            .filter(|i| *i < len)
            .ok_or_else(|| unknown(span, "indexes past the end (`IndexError`)"))
    };
    match (v, key) {
        (Val::Data(Value::Str(s)), Val::Data(Value::Int(i))) => {
            let chars: Vec<char> = s.chars().collect();
            Ok(Val::Data(Value::Str(
                chars[at(chars.len(), i)?].to_string(),
            )))
        }
        (Val::Data(Value::List(v) | Value::Tuple(v)), Val::Data(Value::Int(i))) => {
            let k = at(v.len(), i)?;
            Ok(Val::Data(v[k].clone()))
        }
        (Val::Data(Value::Dict(pairs)), Val::Data(k)) => pairs
            .into_iter()
            .find(|(pk, _)| equal(pk, &k))
            .map(|(_, v)| Val::Data(v))
            .ok_or_else(|| unknown(span, "looks up a key the dict does not have (`KeyError`)")),
        (Val::Match(m), Val::Data(g)) => match_method(
            &m,
            "group",
            Args::new(vec![Val::Data(g)], Vec::new(), span),
            span,
        )
        .map(Val::Data),
        _ => Err(unknown(
            span,
            "subscripts something sa2rs does not evaluate",
        )),
    }
}

/// `v[lo:hi:step]`, as Python clamps the bounds.
pub(super) fn slice_of(
    v: Val,
    lo: Option<i64>,
    hi: Option<i64>,
    step: Option<i64>,
    span: Span,
) -> Res<Value> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(unknown(span, "slices with a step of zero (`ValueError`)"));
    }
    let pick = |len: usize| -> Vec<usize> {
        let len = len as i64;
        let norm = |b: i64, lo_clamp: i64, hi_clamp: i64| {
            let b = if b < 0 { b + len } else { b };
            b.clamp(lo_clamp, hi_clamp)
        };
        let mut out = Vec::new();
        if step > 0 {
            let start = lo.map_or(0, |b| norm(b, 0, len));
            let stop = hi.map_or(len, |b| norm(b, 0, len));
            let mut i = start;
            while i < stop {
                out.push(i as usize);
                i += step;
            }
        } else {
            let start = lo.map_or(len - 1, |b| norm(b, -1, len - 1));
            let stop = hi.map_or(-1, |b| norm(b, -1, len - 1));
            let mut i = start;
            while i > stop {
                out.push(i as usize);
                i += step;
            }
        }
        out
    };
    match v {
        Val::Data(Value::Str(s)) => {
            let chars: Vec<char> = s.chars().collect();
            Ok(Value::Str(
                pick(chars.len()).into_iter().map(|i| chars[i]).collect(),
            ))
        }
        Val::Data(Value::List(v)) => Ok(Value::List(
            pick(v.len()).into_iter().map(|i| v[i].clone()).collect(),
        )),
        Val::Data(Value::Tuple(v)) => Ok(Value::Tuple(
            pick(v.len()).into_iter().map(|i| v[i].clone()).collect(),
        )),
        _ => Err(unknown(span, "slices something sa2rs does not evaluate")),
    }
}
