//! The intermediate representation: what the Python source *said*, before any SQLAlchemy rule is
//! applied. `extract` builds it; `resolve` reads it and never looks at Python again.
//!
//! Values the source may leave out stay `Option`s here (`nullable: Option<bool>`); the resolved
//! answer lives in [`graph`](crate::graph).

pub mod collection;
pub mod join;
pub mod property;

pub use collection::{Collection, CollectionClass, Lazy, LoadingDecl};
pub use property::{FieldOptions, PropertyDecl, PropertyKind};

use crate::source::{FileId, Span};

/// Everything declared in one input file.
#[derive(Debug, Clone, Default)]
pub struct FileDecls {
    pub classes: Vec<ClassDecl>,
    pub tables: Vec<TableDecl>,
    /// Mapped classes left out with a warning (a table name sa2rs cannot compute, ...): what
    /// refers to them is not checked.
    pub left_out: Vec<Spanned<String>>,
}

/// A text with the span it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// How a declarative class is mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassRole {
    /// A mapped class with a table of its own.
    Mapped,
    /// `__abstract__ = True`, or a mixin that is never mapped itself.
    Abstract,
}

/// A declarative class.
#[derive(Debug, Clone)]
pub struct ClassDecl {
    pub name: String,
    pub name_span: Span,
    pub file: FileId,
    /// The Python module declaring it (`app.models.user`).
    pub module: String,
    pub role: ClassRole,
    /// `None` for a single-table subclass (it maps its parent's table).
    pub tablename: Option<Spanned<String>>,
    /// Its own columns and those copied from mixins and abstract bases, in SQLAlchemy's order.
    pub columns: Vec<ColumnDecl>,
    pub relationships: Vec<RelationshipDecl>,
    /// `__table_args__`.
    pub table_args: TableArgs,
    /// `Index(...)`es assigned in the class body, which SQLAlchemy attaches to the table their
    /// columns are on (the class's, or under single-table inheritance its parent's).
    pub indexes: Vec<ConstraintDecl>,
    /// `__table__ = some_table`: the module `Table` variable the class maps. (With `__table__`,
    /// `tablename`, `columns` and `table_args` are the `Table`'s.)
    pub table_var: Option<String>,
    /// The mapped class it inherits (`_setup_inheriting_mapper`), spanned at the base.
    pub inherits: Option<Spanned<String>>,
    /// What `__mapper_args__` (or a concrete base class) says about inheritance.
    pub mapper_args: MapperArgs,
    /// `column_property(expr)` and `association_proxy(...)` attributes of its body.
    pub properties: Vec<PropertyDecl>,
    /// The dataclass settings of its mapped columns (its own and copied ones), by attribute.
    pub field_options: Vec<FieldOptions>,
    /// Attributes mapped explicitly to several columns (`column_property(Column(...),
    /// Parent.col)`): not implicitly combined.
    pub combined: Vec<String>,
}

/// The inheritance settings of `__mapper_args__`.
#[derive(Debug, Clone, Default)]
pub struct MapperArgs {
    /// `polymorphic_on`: the discriminator column, by attribute (`type`, `"type"`,
    /// `Employee.type`).
    pub polymorphic_on: Option<Spanned<ColumnName>>,
    /// `polymorphic_identity`: this class's discriminator value.
    pub polymorphic_identity: Option<Spanned<Identity>>,
    /// `polymorphic_abstract=True`: the class is never instantiated, so has no identity.
    pub polymorphic_abstract: bool,
    /// `concrete=True`, or a `ConcreteBase` / `AbstractConcreteBase` base: where it is said.
    pub concrete: Option<Span>,
    /// `inherit_condition=` (not ported): where it is given.
    pub inherit_condition: Option<Span>,
}

/// A `polymorphic_identity` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Str(String),
    Int(i64),
}

/// A plain `Table("name", metadata, Column(...), ...)`.
#[derive(Debug, Clone)]
pub struct TableDecl {
    /// The module variable it is assigned to, if any (`association_table`).
    pub var: Option<String>,
    pub name: Spanned<String>,
    pub span: Span,
    pub file: FileId,
    /// The Python module declaring it.
    pub module: String,
    pub columns: Vec<ColumnDecl>,
    /// The constraints and keyword arguments after the columns (`schema=`, `Index(...)`).
    pub args: TableArgs,
}

/// `__table_args__`, or the arguments of a `Table(...)` after its columns: both become
/// arguments of SQLAlchemy's `Table`.
#[derive(Debug, Clone, Default)]
pub struct TableArgs {
    /// `schema=`.
    pub schema: Option<Spanned<String>>,
    /// The default schema of the table's `MetaData` (`MetaData(schema=...)`): its schema when it
    /// names none, and that of the tables its foreign keys name without one.
    pub metadata_schema: Option<Spanned<String>>,
    pub constraints: Vec<ConstraintDecl>,
    /// Other keyword arguments, as `(name, source text)`: `comment`, `mysql_engine`, ...
    pub options: Vec<(String, String)>,
}

/// A table constraint or index: `UniqueConstraint(...)`, `Index(...)`, ...
#[derive(Debug, Clone)]
pub struct ConstraintDecl {
    pub kind: ConstraintKind,
    /// `name=`, or the first argument of an `Index`.
    pub name: Option<String>,
    /// The columns it names.
    pub columns: Vec<Spanned<ConstraintColumn>>,
    /// Elements that are expressions rather than columns (`func.lower(email)`), as written.
    pub expressions: Vec<String>,
    pub span: Span,
    /// The DDL options of the dialects that created it (`postgresql_using="gin"`, ...).
    pub ddl: Box<ConstraintDdl>,
}

/// What a constraint or index asks of particular dialects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConstraintDdl {
    /// `.ddl_if(dialect=...)`: created only for these dialects (`postgresql`); empty for all.
    pub dialects: Vec<String>,
    /// Dialect-specific keyword arguments, as `(name, value)`, the value when it is a string
    /// (`("postgresql_using", Some("gin"))`).
    pub options: Vec<(String, Option<String>)>,
    /// The columns of an index given an order (`id.desc()`), by their position among its
    /// columns: `ASC` or `DESC`.
    pub orders: Vec<(usize, &'static str)>,
}

/// How a constraint names a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintColumn {
    /// A string: the column's name.
    Name(String),
    /// A class attribute holding the column (`email` in the class body).
    Attribute(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Index {
        unique: bool,
    },
    /// The check's condition: SQL when it is a string or `text("...")` (`is_sql`), else the
    /// Python expression as written, which the DDL leaves out.
    Check {
        sql: String,
        is_sql: bool,
    },
    /// `ForeignKeyConstraint(columns, refcolumns)`: one target per column, as written.
    ForeignKey {
        targets: Vec<Spanned<String>>,
        options: FkOptions,
    },
}

/// The DDL options of a foreign key (`ForeignKey(...)` or `ForeignKeyConstraint(...)`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FkOptions {
    /// `ondelete=` (`CASCADE`, `SET NULL`, ...).
    pub ondelete: Option<String>,
    /// `onupdate=`.
    pub onupdate: Option<String>,
    /// `deferrable=`.
    pub deferrable: Option<bool>,
    /// `initially=` (`DEFERRED`, `IMMEDIATE`).
    pub initially: Option<String>,
    /// `use_alter=True`: created by `ALTER TABLE` after every table.
    pub use_alter: bool,
    /// `name=` of a column's `ForeignKey(...)` (a constraint's name is the constraint's).
    pub name: Option<String>,
}

/// A `server_default=`: its source text, and what it is as SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerDefault {
    pub source: String,
    pub value: DefaultValue,
    pub span: Span,
}

/// What a `server_default=` renders to in DDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultValue {
    /// A string: rendered as a quoted literal.
    Literal(String),
    /// `text("...")` / `literal_column("...")`: SQL as written.
    Sql(String),
    /// `func.name()` without arguments.
    Function(String),
    /// `true()` / `false()` (`sqlalchemy.true()`, `expression.false()`).
    Bool(bool),
    /// Anything else: not rendered.
    Unknown,
}

/// What a column adds to its table's DDL beyond its type, keys and defaults: `autoincrement=`,
/// `Sequence(...)`, `Identity(...)`, `Computed(...)` and SQLite's conflict clauses. Boxed on
/// the column, as most columns have none of these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnDdl {
    pub autoincrement: Autoincrement,
    /// `Sequence(...)`: the column's default, created before its table where the dialect has
    /// sequences.
    pub sequence: Option<SequenceDdl>,
    /// `Identity(...)`: `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY` where the dialect has it.
    pub identity: Option<IdentityDdl>,
    /// `Computed("sql", persisted=...)`: `GENERATED ALWAYS AS (sql)`.
    pub computed: Option<ComputedDdl>,
    /// `sqlite_on_conflict_not_null=`, `sqlite_on_conflict_primary_key=`,
    /// `sqlite_on_conflict_unique=`: SQLite's `ON CONFLICT` clause of each.
    pub sqlite_on_conflict_not_null: Option<String>,
    pub sqlite_on_conflict_primary_key: Option<String>,
    pub sqlite_on_conflict_unique: Option<String>,
    /// `CheckConstraint(...)` among the column's arguments: written with the column.
    pub checks: Vec<ColumnCheck>,
}

/// A `CheckConstraint(...)` given to a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnCheck {
    /// The condition as SQL, when it is a string or `text("...")`; `None` otherwise.
    pub sql: Option<String>,
    pub name: Option<String>,
    /// `deferrable=` and `initially=`.
    pub deferrable: Option<bool>,
    pub initially: Option<String>,
    pub span: Span,
}

/// `autoincrement=` of a column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Autoincrement {
    /// `"auto"`, the default: SQLAlchemy decides.
    #[default]
    Auto,
    Yes,
    No,
    /// `"ignore_fk"`: as `"auto"`, even for a foreign key column.
    IgnoreFk,
}

/// `Sequence("name", ...)` given to a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceDdl {
    /// `None` when not a literal (reported): the sequence is not created.
    pub name: Option<String>,
    pub schema: Option<String>,
    pub options: IdentityOptions,
    /// `optional=True`: created only where the database has no other way (never on
    /// PostgreSQL, where the column is `SERIAL`).
    pub optional: bool,
    pub span: Span,
}

/// `Identity(...)` given to a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityDdl {
    /// `always=True`: `GENERATED ALWAYS`; else `GENERATED BY DEFAULT`.
    pub always: bool,
    pub options: IdentityOptions,
    pub span: Span,
}

/// The options a sequence and an identity share, as SQLAlchemy's `IdentityOptions` keeps
/// them: each `None` when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityOptions {
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub minvalue: Option<i64>,
    pub maxvalue: Option<i64>,
    pub nominvalue: Option<bool>,
    pub nomaxvalue: Option<bool>,
    pub cycle: Option<bool>,
    pub cache: Option<i64>,
}

/// `Computed(...)` given to a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputedDdl {
    /// The expression as SQL, when it is a string or `text("...")`; `None` otherwise.
    pub sql: Option<String>,
    /// `persisted=`: `STORED` for `True`, `VIRTUAL` for `False`, nothing when not given.
    pub persisted: Option<bool>,
    pub span: Span,
}

/// Which construct declared a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnStyle {
    /// `Column(...)`
    Classic,
    /// `mapped_column(...)` or a bare `Mapped[...]` annotation.
    Mapped,
}

/// A column as declared.
#[derive(Debug, Clone)]
pub struct ColumnDecl {
    /// The Python attribute (class columns), or `None` for a `Table` column.
    pub attr: Option<Spanned<String>>,
    /// The column name: the explicit name argument, else the attribute name.
    pub name: String,
    pub span: Span,
    pub style: ColumnStyle,
    /// The SQL type given explicitly (`Column(String(50))`).
    pub sql_type: Option<SqlType>,
    /// The Python type inside `Mapped[...]`, when annotated.
    /// (Boxed: most columns have none, or it is read once.)
    pub annotation: Option<Box<AnnotationType>>,
    pub primary_key: bool,
    pub nullable: Option<bool>,
    pub unique: Option<bool>,
    pub index: Option<bool>,
    /// Source text of `default=` / `server_default=`.
    pub default: Option<String>,
    pub server_default: Option<Box<ServerDefault>>,
    /// `comment=`.
    pub comment: Option<String>,
    pub foreign_keys: Vec<ForeignKeyDecl>,
    /// `mapped_column(use_existing_column=True)`: a single-table subclass reuses the parent
    /// table's column of that name.
    pub use_existing: bool,
    /// What it adds to the DDL beyond the above (`None` for most columns).
    pub ddl: Option<Box<ColumnDdl>>,
}

/// `ForeignKey("table.column")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyDecl {
    pub target: String,
    pub span: Span,
    /// Its DDL options (`name=`, `ondelete=`, ...).
    pub options: FkOptions,
    /// `ForeignKey(User.id)` with `User` imported from another module: the class (a dotted
    /// path) and attribute, resolved to `target` once every class is known.
    pub class_attr: Option<(String, String)>,
}

/// The Python type of a `Mapped[...]` column annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnotationType {
    /// The SQL type SQLAlchemy's default type map gives the Python type, or `None` when it
    /// has none (`dict`, a class of the user's).
    pub sql_type: Option<SqlType>,
    /// The Python type as written, for messages (`dict`, `Decimal`).
    pub python: String,
    /// `Optional[...]`, `X | None`, `Union[X, None]`.
    pub optional: bool,
    pub span: Span,
}

/// A SQL column type: SQLAlchemy's class name plus what sa2rs needs to pick a Rust type.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlType {
    /// SQLAlchemy's type class name (`Integer`, `String`, `DateTime`, ...), as reported by
    /// `type(column.type).__name__`.
    pub class: String,
    /// For a `TypeDecorator`, the SQLAlchemy class of its `impl`, whose DDL it has.
    pub impl_class: Option<String>,
    pub kind: TypeKind,
    pub span: Span,
    /// The types `.with_variant(...)` gives other dialects (boxed: most types have none).
    pub variants: Option<Box<Variants>>,
}

/// `T.with_variant(V, "postgresql", ...)`: on those dialects, the DDL is `V`'s
/// (`TypeEngine.with_variant`); each dialect name with its type, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Variants(pub Vec<(String, SqlType)>);

impl SqlType {
    /// The type the DDL of `dialect` uses: its variant there, else the type itself.
    pub fn in_dialect(&self, dialect: &str) -> &SqlType {
        self.variants
            .as_ref()
            .and_then(|v| v.0.iter().rev().find(|(d, _)| d == dialect))
            .map_or(self, |(_, t)| t)
    }
}

/// The meaning of a SQL type, independent of how it was spelled.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Int16,
    Int32,
    Int64,
    Text {
        length: Option<i64>,
    },
    Bool,
    Float,
    Decimal {
        precision: Option<i64>,
        scale: Option<i64>,
    },
    Date,
    DateTime {
        timezone: bool,
    },
    Time,
    Interval,
    Binary,
    Json,
    Uuid,
    /// `Enum("a", "b", name="kind")` (boxed: most columns are not enums).
    Enum(Box<EnumType>),
    /// MySQL's `TINYINT`.
    Int8,
    /// MySQL's unsigned integers, and PostgreSQL's `OID`.
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    /// `ARRAY(item)`: a list of `item`, nested `dimensions` deep.
    Array {
        item: Box<TypeKind>,
        dimensions: u8,
    },
    /// PostgreSQL's `HSTORE`: text keys to nullable text values.
    StringMap,
    /// A type sa2rs does not know; stored as text.
    Unknown,
}

/// An `Enum` type: the database values, and the enum's SQL name.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    pub values: Vec<String>,
    pub name: Option<String>,
    /// The Python `enum.Enum` class it was built from, if any.
    pub python: Option<PyEnum>,
    /// Whether it is the database's own enum type (`native_enum=`, default true; a
    /// `Literal[...]` is not): otherwise a `VARCHAR` of `length`.
    pub native: bool,
    /// `length=`: the `VARCHAR` length of a non-native enum (default: the longest value).
    pub length: Option<i64>,
}

/// A Python `enum.Enum` class behind an `Enum` type.
#[derive(Debug, Clone, PartialEq)]
pub struct PyEnum {
    /// The class name.
    pub class: String,
    /// The member names, parallel to the type's `values`.
    pub members: Vec<String>,
    /// Whether the database stores the members' values (`values_callable`) rather than names.
    pub stores_values: bool,
    /// The class's name in the source.
    pub span: Span,
}

/// What a `Mapped[...]` relationship annotation says.
#[derive(Debug, Clone, PartialEq)]
pub struct RelAnnotation {
    /// The class named inside the annotation.
    pub target: Option<Spanned<String>>,
    /// `Some` for `Mapped[List[X]]` / `Mapped[set[X]]` (spanned at the collection type); `None`
    /// for a scalar `Mapped[X]`.
    pub collection: Option<Spanned<Collection>>,
    /// The loader a `WriteOnlyMapped[...]` / `DynamicMapped[...]` annotation sets.
    pub lazy: Option<Spanned<Lazy>>,
}

/// How `secondary=` names the association table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondaryRef {
    /// A module variable holding a `Table`.
    Variable(String),
    /// A table name given as a string.
    TableName(String),
}

/// A `relationship(...)` as declared.
#[derive(Debug, Clone)]
pub struct RelationshipDecl {
    pub attr: Spanned<String>,
    pub span: Span,
    /// The first positional argument (`"Child"`, `Child`).
    pub target: Option<Spanned<String>>,
    pub annotation: Option<Box<RelAnnotation>>,
    pub back_populates: Option<Spanned<String>>,
    pub uselist: Option<bool>,
    pub secondary: Option<Spanned<SecondaryRef>>,
    /// `backref="name"` or `backref=backref("name", uselist=...)`.
    pub backref: Option<Box<BackrefDecl>>,
    /// `remote_side=`: the columns named, as written (`id`, `Node.id`).
    pub remote_side: Option<Vec<Spanned<ColumnName>>>,
    /// `foreign_keys=`: the columns to count as foreign keys, as written.
    pub foreign_keys: Option<Vec<Spanned<ColumnName>>>,
    /// `primaryjoin=` / `secondaryjoin=`, when sa2rs could read them.
    /// (Boxed, as the rarer arguments are: declarations are kept for the whole run.)
    pub primaryjoin: Option<Box<join::JoinArg>>,
    pub secondaryjoin: Option<Box<join::JoinArg>>,
    /// Arguments that change the join but that sa2rs cannot read (an unreadable `primaryjoin`,
    /// ...): a relationship with any is left out of the graph (with a warning).
    pub unported: Vec<Spanned<String>>,
    /// `lazy=` and `collection_class=`.
    pub loading: LoadingDecl,
    /// Keyword arguments recorded for the registry but not interpreted (`cascade`, ...), as
    /// `(name, source text)`.
    pub options: Vec<(String, String)>,
}

/// The reverse relationship a `backref` creates on the target.
#[derive(Debug, Clone)]
pub struct BackrefDecl {
    pub name: Spanned<String>,
    pub uselist: Option<bool>,
    /// `lazy=` and `collection_class=` of the reverse side.
    pub loading: LoadingDecl,
    pub options: Vec<(String, String)>,
}

/// A column named in a relationship argument: `id`, `Customer.billing_address_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnName {
    /// The class qualifying it, if any.
    pub class: Option<String>,
    /// The attribute (or column) name.
    pub attr: String,
}

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    /// Declarations and syntax trees live for the whole run, one per column, relationship and
    /// statement: a large field added inline grows every one of them (the benchmark's 10,000
    /// classes hold about 100,000 of each). Rarer parts are boxed; these bounds keep it so.
    #[test]
    fn the_most_numerous_values_stay_small() {
        use std::mem::size_of;
        assert!(size_of::<super::ColumnDecl>() <= 288);
        assert!(size_of::<super::RelationshipDecl>() <= 400);
        assert!(size_of::<super::TypeKind>() <= 32);
        assert!(size_of::<crate::graph::Column>() <= 256);
        assert!(size_of::<crate::syntax::Stmt>() <= 160);
        assert!(size_of::<crate::syntax::Expr>() <= 80);
    }
}
