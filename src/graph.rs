//! The resolved relationship graph: what the models *mean*, as SQLAlchemy's mapper decides it.
//!
//! Built by `resolve`, read by every emitter. Classes, tables and columns refer to each other by
//! id, never by name; every node keeps the span of the source that declared it.

use crate::ir::{ConstraintKind, SqlType};
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassId(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId(pub usize);

/// A column: its table and its position in the table's column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColumnRef {
    pub table: TableId,
    pub index: usize,
}

#[derive(Debug, Default)]
pub struct Graph {
    pub classes: Vec<Class>,
    pub tables: Vec<Table>,
    pub relationships: Vec<Relationship>,
    /// `(class, key)` -> index in `relationships`, built by [`Graph::index_relationships`].
    by_key: indexmap::IndexMap<(ClassId, String), usize>,
}

/// A mapped class.
#[derive(Debug)]
pub struct Class {
    pub name: String,
    /// The Python module declaring it (`app.models.user`).
    pub module: String,
    pub span: Span,
    pub table: TableId,
}

/// A table: a mapped class's, or a plain `Table(...)`.
#[derive(Debug)]
pub struct Table {
    pub name: String,
    /// The Python module declaring it (the class's, for a mapped class's table).
    pub module: String,
    pub span: Span,
    pub class: Option<ClassId>,
    pub columns: Vec<Column>,
    /// `schema=` (`__table_args__ = {"schema": ...}` or `Table(..., schema=...)`).
    pub schema: Option<String>,
    /// Constraints and indexes given as table arguments, in source order.
    pub constraints: Vec<Constraint>,
    /// Other table keyword arguments, as `(name, source text)`.
    pub options: Vec<(String, String)>,
}

impl Table {
    /// `schema.table`, or the table name: SQLAlchemy's `Table.fullname`, its key in the
    /// metadata.
    pub fn fullname(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// A table constraint or index given as a table argument.
#[derive(Debug)]
pub struct Constraint {
    pub kind: ConstraintKind,
    pub name: Option<String>,
    /// Its columns, by position in the table.
    pub columns: Vec<usize>,
    /// Elements that are expressions, as written.
    pub expressions: Vec<String>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Column {
    /// The class attribute mapping it (`None` in a plain `Table`).
    pub attr: Option<String>,
    pub name: String,
    pub ty: SqlType,
    pub nullable: bool,
    pub primary_key: bool,
    pub unique: bool,
    pub index: bool,
    pub default: Option<String>,
    pub server_default: Option<String>,
    pub foreign_keys: Vec<ForeignKey>,
    pub span: Span,
}

#[derive(Debug)]
pub struct ForeignKey {
    /// `table.column` as written.
    pub target: String,
    /// The referenced column (`None` when it does not exist; an error was reported).
    pub column: Option<ColumnRef>,
    pub span: Span,
    /// The table's `ForeignKeyConstraint` (index into [`Table::constraints`]) it is part of;
    /// `None` for a `ForeignKey(...)` column argument, which is a constraint of its own.
    pub constraint: Option<usize>,
}

/// SQLAlchemy's `RelationshipDirection`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    OneToMany,
    ManyToOne,
    ManyToMany,
}

impl Direction {
    /// The name SQLAlchemy gives it (`RelationshipDirection.name`).
    pub fn sqla_name(self) -> &'static str {
        match self {
            Direction::OneToMany => "ONETOMANY",
            Direction::ManyToOne => "MANYTOONE",
            Direction::ManyToMany => "MANYTOMANY",
        }
    }

    /// The direction seen from the other end.
    pub fn reversed(self) -> Direction {
        match self {
            Direction::OneToMany => Direction::ManyToOne,
            Direction::ManyToOne => Direction::OneToMany,
            Direction::ManyToMany => Direction::ManyToMany,
        }
    }
}

#[derive(Debug)]
pub struct Relationship {
    pub class: ClassId,
    pub key: String,
    pub target: ClassId,
    pub direction: Direction,
    pub uselist: bool,
    pub secondary: Option<TableId>,
    /// The key of the reverse relationship on the target (`back_populates` or `backref`).
    pub back_populates: Option<String>,
    /// `(local, remote)` column pairs of the primary join, in SQLAlchemy's order (for a
    /// many-to-many: parent to secondary).
    pub pairs: Vec<(ColumnRef, ColumnRef)>,
    /// For a many-to-many, the pairs of the secondary join (target to secondary); else empty.
    pub secondary_pairs: Vec<(ColumnRef, ColumnRef)>,
    /// Where it was declared (for a backref: the `backref` argument).
    pub span: Span,
    /// Created on the target by another relationship's `backref`.
    pub from_backref: bool,
    /// Options recorded as written (`lazy`, `cascade`, ...).
    pub options: Vec<(String, String)>,
}

impl Relationship {
    /// All `(local, remote)` pairs as SQLAlchemy's `local_remote_pairs` lists them.
    pub fn local_remote_pairs(&self) -> impl Iterator<Item = &(ColumnRef, ColumnRef)> {
        self.pairs.iter().chain(&self.secondary_pairs)
    }
}

impl Graph {
    pub fn column(&self, r: ColumnRef) -> &Column {
        &self.tables[r.table.0].columns[r.index]
    }

    /// `table.column` (`schema.table.column`), as SQLAlchemy prints a column.
    pub fn qualified(&self, r: ColumnRef) -> String {
        format!(
            "{}.{}",
            self.tables[r.table.0].fullname(),
            self.column(r).name
        )
    }

    /// Indexes the relationships by class and key; call once all are added.
    pub fn index_relationships(&mut self) {
        self.by_key = self
            .relationships
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.class, r.key.clone()), i))
            .collect();
    }

    /// The relationship `key` of `class` (its index in `relationships`).
    pub fn relationship_index(&self, class: ClassId, key: &str) -> Option<usize> {
        self.by_key.get(&(class, key.to_owned())).copied()
    }

    pub fn class(&self, id: ClassId) -> &Class {
        &self.classes[id.0]
    }

    pub fn table(&self, id: TableId) -> &Table {
        &self.tables[id.0]
    }

    /// The relationships declared on (or created on) a class, in declaration order.
    pub fn relationships_of(&self, id: ClassId) -> impl Iterator<Item = &Relationship> {
        self.relationships.iter().filter(move |r| r.class == id)
    }

    /// Whether the relationship is one end of a one-to-one: a scalar one-to-many, or a
    /// many-to-one whose reverse is a scalar one-to-many.
    pub fn is_one_to_one(&self, rel: &Relationship) -> bool {
        match rel.direction {
            Direction::OneToMany => !rel.uselist,
            Direction::ManyToOne => rel
                .back_populates
                .as_ref()
                .and_then(|back| self.relationship_index(rel.target, back))
                .is_some_and(|i| {
                    let r = &self.relationships[i];
                    r.direction == Direction::OneToMany && !r.uselist
                }),
            Direction::ManyToMany => false,
        }
    }
}
