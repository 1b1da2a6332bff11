//! The resolved relationship graph: what the models *mean*, as SQLAlchemy's mapper decides it.
//!
//! Built by `resolve`, read by every emitter. Classes, tables and columns refer to each other by
//! id, never by name; every node keeps the span of the source that declared it.

use crate::ir::{
    ConstraintKind, FieldOptions, FkOptions, Identity, Lazy, PropertyDecl, ServerDefault, SqlType,
};
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
    by_key: crate::IndexMap<(ClassId, String), usize>,
}

/// A mapped class.
#[derive(Debug)]
pub struct Class {
    pub name: String,
    /// The Python module declaring it (`app.models.user`).
    pub module: String,
    pub span: Span,
    /// The mapper's local table: its own, or its parent's under single-table inheritance.
    pub table: TableId,
    /// The mapped class it inherits, and how.
    pub inherits: Option<Inherits>,
    /// The columns its mapper maps, in order: a subclass's parent's first (a joined subclass's
    /// primary key, combined with its parent's, in the parent's place).
    pub columns: Vec<ColumnRef>,
    /// The discriminator column (`polymorphic_on`), on the class that declares it.
    pub polymorphic_on: Option<ColumnRef>,
    pub polymorphic_identity: Option<Identity>,
    /// `column_property(expr)` and `association_proxy(...)` attributes, for the documentation.
    pub properties: Vec<PropertyDecl>,
    /// The dataclass settings of its own mapped columns, by attribute.
    pub field_options: Vec<FieldOptions>,
}

impl Class {
    /// A class mapping `table`, inheriting nothing (yet).
    pub fn new(name: String, module: String, span: Span, table: TableId) -> Class {
        Class {
            name,
            module,
            span,
            table,
            inherits: None,
            columns: Vec::new(),
            polymorphic_on: None,
            polymorphic_identity: None,
            properties: Vec::new(),
            field_options: Vec::new(),
        }
    }
}

/// A class's mapped parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inherits {
    pub parent: ClassId,
    pub kind: InheritKind,
}

/// SQLAlchemy's three kinds of mapper inheritance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InheritKind {
    /// No table of its own: the parent's table holds its rows.
    Single,
    /// A table of its own, joined to the parent's by a foreign key.
    Joined,
    /// A table of its own, independent of the parent's (not ported beyond that).
    Concrete,
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
    /// The default schema of its `MetaData` (`MetaData(schema=...)`), which table names
    /// written without a schema from this table (foreign keys, `secondary=`) look in.
    pub metadata_schema: Option<String>,
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
    /// The dialects it is created for, and its dialect-specific options.
    pub ddl: Box<crate::ir::ConstraintDdl>,
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
    pub server_default: Option<Box<ServerDefault>>,
    /// `comment=` (boxed: a column is kept small, and few have one).
    pub comment: Option<Box<str>>,
    pub foreign_keys: Vec<ForeignKey>,
    pub span: Span,
    /// What it adds to the DDL beyond the above (`Identity(...)`, `Sequence(...)`, ...).
    pub ddl: Option<Box<crate::ir::ColumnDdl>>,
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
    /// The DDL options of a `ForeignKey(...)` column argument (a constraint's are its own).
    pub options: FkOptions,
    /// A column object of a class of another module (`ForeignKey(User.id)`): class path and
    /// attribute, which resolving turns into `target`.
    pub class_attr: Option<(String, String)>,
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
    /// Its loader strategy and what it holds.
    pub loading: Loading,
    /// Options recorded as written (`cascade`, ...).
    pub options: Vec<(String, String)>,
}

/// How a relationship loads its rows and what its attribute holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loading {
    pub lazy: Lazy,
    pub holds: Holds,
}

impl Default for Loading {
    /// SQLAlchemy's defaults: a list, loaded on first access.
    fn default() -> Self {
        Loading {
            lazy: Lazy::Select,
            holds: Holds::List,
        }
    }
}

/// What a relationship attribute holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holds {
    /// One row or none (`uselist=False`).
    Scalar,
    List,
    Set,
    /// A dict of rows keyed by `key` (an attribute or column of the target, or a function as
    /// written).
    KeyedDict {
        key: String,
    },
    /// A write-only collection: appended to and queried, never loaded.
    WriteOnly,
    /// A query per access (`lazy="dynamic"`).
    Dynamic,
    /// A custom collection class, as written.
    Other(String),
}

impl Relationship {
    /// All `(local, remote)` pairs as SQLAlchemy's `local_remote_pairs` lists them.
    pub fn local_remote_pairs(&self) -> impl Iterator<Item = &(ColumnRef, ColumnRef)> {
        self.pairs.iter().chain(&self.secondary_pairs)
    }
}

/// A foreign key constraint of a table: a column's `ForeignKey(...)` or a
/// `ForeignKeyConstraint(...)`.
pub struct ForeignKeyConstraint {
    /// Local column and referenced column, per element.
    pub pairs: Vec<(usize, ColumnRef)>,
    /// The index of the table constraint (`None`: a column's `ForeignKey`).
    pub constraint: Option<usize>,
    pub options: FkOptions,
    pub name: Option<String>,
}

impl ForeignKeyConstraint {
    /// The referenced table.
    pub fn referred(&self) -> Option<TableId> {
        self.pairs.first().map(|(_, r)| r.table)
    }
}

impl Graph {
    /// The foreign key constraints of table `t`: table-argument constraints in source order, then
    /// each column's `ForeignKey(...)` in column order (SQLAlchemy's creation order).
    pub fn foreign_key_constraints(&self, t: TableId) -> Vec<ForeignKeyConstraint> {
        let table = self.table(t);
        let mut out = Vec::new();
        for (ci, c) in table.constraints.iter().enumerate() {
            let ConstraintKind::ForeignKey { options, .. } = &c.kind else {
                continue;
            };
            let mut pairs = Vec::new();
            for (i, col) in table.columns.iter().enumerate() {
                for fk in &col.foreign_keys {
                    if fk.constraint == Some(ci) {
                        if let Some(r) = fk.column {
                            pairs.push((i, r));
                        }
                    }
                }
            }
            // The constraint's own column order.
            pairs.sort_by_key(|(i, _)| c.columns.iter().position(|x| x == i));
            if !pairs.is_empty() {
                out.push(ForeignKeyConstraint {
                    pairs,
                    constraint: Some(ci),
                    options: options.clone(),
                    name: c.name.clone(),
                });
            }
        }
        for (i, col) in table.columns.iter().enumerate() {
            for fk in &col.foreign_keys {
                if let (None, Some(r)) = (fk.constraint, fk.column) {
                    out.push(ForeignKeyConstraint {
                        pairs: vec![(i, r)],
                        constraint: None,
                        options: fk.options.clone(),
                        name: fk.options.name.clone(),
                    });
                }
            }
        }
        out
    }

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

    /// The class's mapped parent, unless it is a concrete subclass (which inherits nothing
    /// SQLAlchemy loads through the parent).
    pub fn parent(&self, id: ClassId) -> Option<ClassId> {
        self.class(id)
            .inherits
            .filter(|i| i.kind != InheritKind::Concrete)
            .map(|i| i.parent)
    }

    /// The class and its non-concrete ancestors, nearest first.
    pub fn lineage(&self, id: ClassId) -> Vec<ClassId> {
        let mut out = vec![id];
        let mut cur = id;
        // Parents are registered before their subclasses, so the chain is finite; the bound
        // guards against a malformed graph all the same.
        while let Some(p) = self.parent(cur).filter(|_| out.len() <= self.classes.len()) {
            out.push(p);
            cur = p;
        }
        out
    }

    /// The root of the class's hierarchy, through concrete subclasses too: SQLAlchemy's
    /// `base_mapper`.
    pub fn root(&self, id: ClassId) -> ClassId {
        let mut cur = id;
        for _ in 0..self.classes.len() {
            match self.class(cur).inherits {
                Some(i) => cur = i.parent,
                None => break,
            }
        }
        cur
    }

    /// The tables of the class's `persist_selectable`: its ancestors' tables joined to its own
    /// for joined-table inheritance, root first.
    pub fn selectable(&self, id: ClassId) -> Vec<TableId> {
        let mut tables: Vec<TableId> = Vec::new();
        for c in self.lineage(id).into_iter().rev() {
            let t = self.class(c).table;
            if !tables.contains(&t) {
                tables.push(t);
            }
        }
        tables
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
            Direction::ManyToOne => rel.back_populates.as_ref().is_some_and(|back| {
                // The reverse may be inherited by the target.
                self.lineage(rel.target).into_iter().any(|c| {
                    self.relationship_index(c, back).is_some_and(|i| {
                        let r = &self.relationships[i];
                        r.direction == Direction::OneToMany && !r.uselist
                    })
                })
            }),
            Direction::ManyToMany => false,
        }
    }
}
