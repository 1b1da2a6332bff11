//! Column types: SQLAlchemy's type classes and the default `Mapped[...]` type map.

use crate::ir::{SqlType, TypeKind};
use crate::source::Span;
use crate::syntax::{keyword, Expr, ExprKind, Keyword};

/// SQLAlchemy type classes sa2rs knows, with the class name SQLAlchemy reports for them
/// (aliases such as `INT` report their target class) and their meaning.
fn lookup(name: &str) -> Option<(&'static str, TypeKind)> {
    use TypeKind::*;
    let text = || Text { length: None };
    let dec = || Decimal {
        precision: None,
        scale: None,
    };
    Some(match name {
        "Integer" => ("Integer", Int32),
        "INTEGER" | "INT" => ("INTEGER", Int32),
        "BigInteger" => ("BigInteger", Int64),
        "BIGINT" => ("BIGINT", Int64),
        "SmallInteger" => ("SmallInteger", Int16),
        "SMALLINT" => ("SMALLINT", Int16),
        "String" => ("String", text()),
        "Text" => ("Text", text()),
        "Unicode" => ("Unicode", text()),
        "UnicodeText" => ("UnicodeText", text()),
        "VARCHAR" => ("VARCHAR", text()),
        "NVARCHAR" => ("NVARCHAR", text()),
        "CHAR" => ("CHAR", text()),
        "NCHAR" => ("NCHAR", text()),
        "TEXT" => ("TEXT", text()),
        "CLOB" => ("CLOB", text()),
        "Boolean" => ("Boolean", Bool),
        "BOOLEAN" => ("BOOLEAN", Bool),
        "Float" => ("Float", Float),
        "FLOAT" => ("FLOAT", Float),
        "REAL" => ("REAL", Float),
        "Double" => ("Double", Float),
        "DOUBLE" => ("DOUBLE", Float),
        "DOUBLE_PRECISION" => ("DOUBLE_PRECISION", Float),
        "Numeric" => ("Numeric", dec()),
        "NUMERIC" => ("NUMERIC", dec()),
        "DECIMAL" => ("DECIMAL", dec()),
        "Date" => ("Date", Date),
        "DATE" => ("DATE", Date),
        "DateTime" => ("DateTime", DateTime { timezone: false }),
        "DATETIME" => ("DATETIME", DateTime { timezone: false }),
        "TIMESTAMP" => ("TIMESTAMP", DateTime { timezone: false }),
        "Time" => ("Time", Time),
        "TIME" => ("TIME", Time),
        "Interval" => ("Interval", Interval),
        "LargeBinary" => ("LargeBinary", Binary),
        "BLOB" => ("BLOB", Binary),
        "BINARY" => ("BINARY", Binary),
        "VARBINARY" => ("VARBINARY", Binary),
        "JSON" => ("JSON", Json),
        "Uuid" => ("Uuid", Uuid),
        "UUID" => ("UUID", Uuid),
        "Enum" => (
            "Enum",
            Enum {
                values: Vec::new(),
                name: None,
            },
        ),
        _ => return None,
    })
}

/// Whether `name` is a SQLAlchemy type class sa2rs knows.
pub fn is_type_name(name: &str) -> bool {
    lookup(name).is_some()
}

/// What reading a type expression found.
pub enum TypeRead {
    Known(SqlType),
    /// Recognised as a SQLAlchemy type but with arguments sa2rs cannot read (an `Enum` of a
    /// Python enum class, say): the type, plus what was not understood.
    Partial(SqlType, String),
}

/// Builds the type for SQLAlchemy class `name` used as `expr` (a bare class or a call).
pub fn sql_type(name: &str, expr: &Expr) -> Option<TypeRead> {
    let (class, mut kind) = lookup(name)?;
    let (args, kws): (&[Expr], &[Keyword]) = match &expr.kind {
        ExprKind::Call { args, keywords, .. } => (args, keywords),
        _ => (&[], &[]),
    };
    let int_arg = |pos: usize, kw: &str| -> Option<i64> {
        let e = keyword(kws, kw).map(|k| &k.value).or(args.get(pos))?;
        match e.kind {
            ExprKind::Int(i) => i,
            _ => None,
        }
    };
    let mut problem = None;
    match &mut kind {
        TypeKind::Text { length } => *length = int_arg(0, "length"),
        TypeKind::Decimal { precision, scale } => {
            *precision = int_arg(0, "precision");
            *scale = int_arg(1, "scale");
        }
        TypeKind::DateTime { timezone } => {
            if let Some(tz) = keyword(kws, "timezone").map(|k| &k.value).or(args.first()) {
                match tz.as_bool() {
                    Some(b) => *timezone = b,
                    None => {
                        problem = Some("`timezone=` is not a literal `True`/`False`".to_owned())
                    }
                }
            }
        }
        TypeKind::Enum { values, name } => {
            *name = keyword(kws, "name")
                .and_then(|k| k.value.as_str())
                .map(str::to_owned);
            for a in args {
                match a.as_str() {
                    Some(s) => values.push(s.to_owned()),
                    None => {
                        problem =
                            Some("an `Enum` of something other than string literals".to_owned());
                        break;
                    }
                }
            }
            if matches!(expr.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                || args.is_empty()
            {
                problem.get_or_insert_with(|| "an `Enum` without values".to_owned());
            }
        }
        _ => {}
    }
    let ty = SqlType {
        class: class.to_owned(),
        kind,
        span: expr.span,
    };
    Some(match problem {
        None => TypeRead::Known(ty),
        Some(p) => TypeRead::Partial(ty, p),
    })
}

/// SQLAlchemy's default `type_annotation_map` (`sqlalchemy.sql.sqltypes._type_map`): the SQL
/// type a `Mapped[T]` column gets when no type is given. `python` is the resolved dotted name.
pub fn from_python(python: &str, span: Span) -> Option<SqlType> {
    use TypeKind::*;
    let (class, kind) = match python {
        "int" => ("Integer", Int32),
        "float" => ("Double", Float),
        "bool" => ("Boolean", Bool),
        "str" => ("String", Text { length: None }),
        "bytes" => ("LargeBinary", Binary),
        "decimal.Decimal" => (
            "Numeric",
            Decimal {
                precision: None,
                scale: None,
            },
        ),
        "datetime.datetime" => ("DateTime", DateTime { timezone: false }),
        "datetime.date" => ("Date", Date),
        "datetime.time" => ("Time", Time),
        "datetime.timedelta" => ("Interval", Interval),
        "uuid.UUID" => ("Uuid", Uuid),
        _ => return None,
    };
    Some(SqlType {
        class: class.to_owned(),
        kind,
        span,
    })
}
