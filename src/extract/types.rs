//! Column types: SQLAlchemy's type classes (core and dialect) and the default `Mapped[...]` type
//! map. Pure tables; reading a type expression is `sqltype.rs`.

use crate::ir::{SqlType, TypeKind};
use crate::source::Span;

/// A SQLAlchemy type class: the class name SQLAlchemy reports for it
/// (`type(column.type).__name__`; aliases such as `INT` report their target class) and its
/// meaning before arguments are read.
pub type TypeEntry = (&'static str, TypeKind);

/// The type classes `sqlalchemy` (and `sqlalchemy.types`) export.
fn core(name: &str) -> Option<TypeEntry> {
    use TypeKind::*;
    let text = || Text { length: None };
    let dec = || Decimal {
        precision: None,
        scale: None,
    };
    let dt = || DateTime { timezone: false };
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
        "DateTime" => ("DateTime", dt()),
        "DATETIME" => ("DATETIME", dt()),
        "TIMESTAMP" => ("TIMESTAMP", dt()),
        "Time" => ("Time", Time),
        "TIME" => ("TIME", Time),
        "Interval" => ("Interval", Interval),
        "LargeBinary" => ("LargeBinary", Binary),
        "BLOB" => ("BLOB", Binary),
        "BINARY" => ("BINARY", Binary),
        "VARBINARY" => ("VARBINARY", Binary),
        // The pickled bytes: the Python objects themselves have no Rust type.
        "PickleType" => ("PickleType", Binary),
        "JSON" => ("JSON", Json),
        "Uuid" => ("Uuid", Uuid),
        "UUID" => ("UUID", Uuid),
        "Enum" => ("Enum", empty_enum()),
        "ARRAY" => (
            "ARRAY",
            Array {
                item: Box::new(Unknown),
                dimensions: 1,
            },
        ),
        _ => return None,
    })
}

/// Type classes of a dialect module that `sqlalchemy` itself does not export (the dialects
/// re-export most core classes, which [`core`] covers). Types whose Python values have no
/// faithful Rust type (ranges, `MONEY`, `BIT`, `SET`, ...) are left out, so they stay unknown.
fn dialect_only(dialect: &str, name: &str) -> Option<TypeEntry> {
    use TypeKind::*;
    let text = || Text { length: None };
    Some(match (dialect, name) {
        ("postgresql", "BYTEA") => ("BYTEA", Binary),
        ("postgresql", "CITEXT") => ("CITEXT", text()),
        ("postgresql", "INET") => ("INET", text()),
        ("postgresql", "CIDR") => ("CIDR", text()),
        ("postgresql", "MACADDR") => ("MACADDR", text()),
        ("postgresql", "MACADDR8") => ("MACADDR8", text()),
        ("postgresql", "TSVECTOR") => ("TSVECTOR", text()),
        ("postgresql", "HSTORE") => ("HSTORE", StringMap),
        ("postgresql", "INTERVAL") => ("INTERVAL", Interval),
        ("postgresql" | "sqlite", "JSONB") => ("JSONB", Json),
        ("postgresql", "OID") => ("OID", UInt32),
        ("postgresql" | "mysql", "ENUM") => ("ENUM", empty_enum()),
        ("mysql", "TINYINT") => ("TINYINT", Int8),
        ("mysql", "MEDIUMINT") => ("MEDIUMINT", Int32),
        ("mysql", "TINYTEXT") => ("TINYTEXT", text()),
        ("mysql", "MEDIUMTEXT") => ("MEDIUMTEXT", text()),
        ("mysql", "LONGTEXT") => ("LONGTEXT", text()),
        ("mysql", "INET4") => ("INET4", text()),
        ("mysql", "INET6") => ("INET6", text()),
        ("mysql", "TINYBLOB") => ("TINYBLOB", Binary),
        ("mysql", "MEDIUMBLOB") => ("MEDIUMBLOB", Binary),
        ("mysql", "LONGBLOB") => ("LONGBLOB", Binary),
        ("mysql", "YEAR") => ("YEAR", Int16),
        _ => return None,
    })
}

fn empty_enum() -> TypeKind {
    TypeKind::Enum(Box::new(crate::ir::EnumType {
        values: Vec::new(),
        name: None,
        python: None,
        native: true,
        length: None,
    }))
}

/// The SQLAlchemy type class `name`, imported from `dialect` (`postgresql`, `mysql`, ...; `None`
/// for `sqlalchemy` / `sqlalchemy.types`). `mariadb` is MySQL's dialect under another name.
pub fn lookup(name: &str, dialect: Option<&str>) -> Option<TypeEntry> {
    let dialect = dialect.map(|d| if d == "mariadb" { "mysql" } else { d });
    match dialect {
        Some(d) => dialect_only(d, name).or_else(|| core(name)),
        None => core(name),
    }
}

/// Whether `name` is a type class `sqlalchemy` exports.
pub fn is_type_name(name: &str) -> bool {
    core(name).is_some()
}

/// SQLAlchemy's default `type_annotation_map` (`sqlalchemy.sql.sqltypes._type_map`): the SQL
/// type a `Mapped[T]` column gets when no type is given. `python` is the resolved dotted name.
/// (`enum.Enum` subclasses and `Literal[...]` are handled where the enum classes are known.)
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
        impl_class: None,
        kind,
        span,
        variants: None,
    })
}

/// The column types of sqlalchemy-utils (a widely used third-party package): what their values
/// are in Python, for the Rust type. The graph reports their own class name, as SQLAlchemy does.
pub fn sqlalchemy_utils_type(name: &str) -> Option<TypeKind> {
    use TypeKind::*;
    let text = || Text { length: None };
    Some(match name {
        "UUIDType" => Uuid,
        "JSONType" => Json,
        "EmailType"
        | "URLType"
        | "IPAddressType"
        | "ChoiceType"
        | "ColorType"
        | "CountryType"
        | "CurrencyType"
        | "LocaleType"
        | "PhoneNumberType"
        | "TimezoneType"
        | "LtreeType"
        | "TSVectorType"
        | "StringEncryptedType"
        | "EncryptedType"
        | "ScalarListType" => text(),
        "PasswordType" => Binary,
        "ArrowType" => DateTime { timezone: true },
        "PercentType" => Decimal {
            precision: None,
            scale: None,
        },
        _ => return None,
    })
}
