#!/usr/bin/env python3
"""Seed and dump a SQLite database through SQLAlchemy, for the ORM end-to-end test.

Usage:
    python tests/orm/sqla_db.py seed FIXTURE DB_PATH
    python tests/orm/sqla_db.py create FIXTURE DB_PATH
    python tests/orm/sqla_db.py dump FIXTURE DB_PATH

FIXTURE is a model file (`fixtures/x.py`) or a package directory (`fixtures/pkg_x`); it is
imported with the loader of `tests/sqla/dump_graph.py`, which also collects its registries,
metadata and mappers.

`create` deletes DB_PATH and creates every table of the fixture in it, empty (where another
program then writes rows).

`seed` deletes DB_PATH (and its schema files, below), runs `create_all` for every metadata of
the fixture and inserts rows through the ORM, in one Session whose unit of work orders the
inserts. It reads only SQLAlchemy's inspection of the models (`Mapper.column_attrs`,
`Mapper.relationships`, `direction`, `uselist`, `secondary`, `synchronize_pairs`, the
reverse relationships, column types, nullability, keys and unique constraints), never
knowledge of a particular fixture:

- Every concrete mapped class gets 3 instances (a class that cannot be inserted gets none,
  with a note on stderr: abstract, without a polymorphic identity, or leaving a NOT NULL
  column of its table unmapped). Rows are numbered 1, 2, 3, ... per primary-key space (the
  classes of an inheritance hierarchy share one); an integer primary key is that number.
- Every other column gets a deterministic value of its type, made from the row number and
  the column's position (`sample_value`); a nullable column without a default is left NULL
  on the third instance of each class. The polymorphic discriminator is SQLAlchemy's.
- Of the relationships writing the same foreign-key columns (both sides of a back_populates
  / backref pair) exactly one is set: a MANYTOONE if there is one, else a ONETOMANY, else
  the first MANYTOMANY by "Class.key"; viewonly ones are never set. A foreign key gets a
  target so that NOT NULL, primary-key and unique constraints hold and no two rows depend
  on each other: a self-referential one makes a tree (the first row is the root, later
  rows point to an earlier one, two rows per parent); a one-to-one gets distinct targets;
  otherwise two rows share a target, and a nullable many-to-one is left NULL on its last
  row. A many-to-many gives each parent 2 targets (the one at its own position and the
  next). Foreign keys no relationship writes are set as columns, and so are the `foreign()`
  columns of a viewonly relationship that nothing else writes (their value copied from the
  chosen target).
- A plain table that no class and no selected many-to-many fills gets 3 rows through Core.

Afterwards every table's rows are rewritten in primary-key order, so that the file holds the
same rows in the same order on every run. A fixture that cannot be seeded exits with status 2.

`dump` opens DB_PATH with a new engine and session and prints one JSON object:

    {
      "rows": {"<table fullname>": [{"<column name>": value, ...}, ...]},
      "relations": {"<Class>.<key>": {"<parent key>": ["<target key>", ...]}}
    }

- `rows` holds every table of the metadata, read with Core (`select(table)`), ordered by
  primary key (by every column when there is none). Values: int, float, str, bool and null
  as JSON; date, datetime and time as `isoformat()`; Decimal and UUID as `str()` (UUIDs
  hyphenated, lower case); JSON columns as the parsed value; Enum columns as the string stored
  in the database; bytes as lower-case hex; timedelta as its total seconds (a float); any
  other value (third-party types) as `str()`.
- `relations` holds every relationship declared on each mapped class (viewonly ones and
  backref-created ones included; an inherited relationship is listed once, under the class
  that declares it, and covers the instances of its subclasses). A class is named by its
  `__name__`, or "module.QualName" when two mapped classes of the fixture share a name. For
  every instance that `select(Class)` loads, it lists the keys of the related objects, sorted
  as strings; a scalar relationship gives a list of 0 or 1 keys, a dict collection its
  values; an instance without related objects has []. A key is the object's identity
  (`inspect(obj).identity`), each value rendered with `str()`, joined with "/" (e.g. "3" or
  "us/2"). Relationships are loaded lazily (`lazyload`), whatever their `lazy=` strategy, so
  that `lazy="raise"` and `lazy="noload"` ones show their rows too. Dynamic and write-only
  relationships (`lazy="dynamic"`, `WriteOnlyMapped`) are left out: they are queries, not
  loaded collections.

The JSON is printed with sorted keys, so equal databases give equal text.

A table in a schema (`__table_args__ = {"schema": "sales"}`, `MetaData(schema=...)`) lives
in a database file of its own, attached under the schema's name: `DB_PATH.<schema>` (for
example `/tmp/x.db.sales` holds `sales.customer`). Both commands attach these files.

Exit status: 0 on success; 2, with a one-line reason on stderr, when the fixture cannot be
loaded or seeded (an `error_` fixture SQLAlchemy refuses, a type SQLite cannot create, a
constraint the generic algorithm cannot satisfy); 1 on a usage error or, for `dump`, a
missing DB_PATH.
"""

import datetime
import decimal
import enum
import gc
import json
import os
import re
import sys
import uuid
import warnings

import sqlalchemy
from sqlalchemy import (
    Column,
    Enum,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.orm import Session, configure_mappers, lazyload
from sqlalchemy.orm.collections import collection_adapter
from sqlalchemy.orm.interfaces import MANYTOMANY, MANYTOONE, ONETOMANY
from sqlalchemy.types import TypeDecorator

# The fixture loader of the differential test, reused as it is. Neither it nor the fixtures
# may leave __pycache__ directories behind.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sqla"))
import dump_graph  # noqa: E402

INSTANCES_PER_CLASS = 3
# Loader strategies that make a relationship a query rather than a loaded collection.
QUERY_LOADERS = ("dynamic", "write_only")


class SeedError(Exception):
    """The fixture cannot be loaded or seeded; the message says why, on one line."""


def _one_line(exc):
    message = str(exc)
    first = message.splitlines()[0] if message else ""
    first = re.sub(r" object at 0x[0-9a-fA-F]+", "", first)  # the same text every run
    return "%s: %s" % (type(exc).__name__, first)


# --------------------------------------------------------------------------
# Loading the fixture
# --------------------------------------------------------------------------


class Fixture:
    """The mapped classes and tables of one fixture."""

    def __init__(self, collected):
        self.metadatas = collected.metadatas
        tables = {}
        for md in self.metadatas:
            for table in md.tables.values():
                other = tables.get(table.fullname)
                if other is not None and other is not table:
                    raise SeedError(
                        "table %s is defined in two metadata collections" % table.fullname
                    )
                tables[table.fullname] = table
        self.tables = [tables[name] for name in sorted(tables)]
        self.schemas = sorted({t.schema for t in self.tables if t.schema is not None})
        self.mappers = _sorted_mappers(collected)
        # How `relations` names a class: its name, or "module.Name" when two mapped classes
        # share the name (two `Tag`s in two modules of a package).
        names = [m.class_.__name__ for m in self.mappers]
        self.labels = {}
        for mapper, name in zip(self.mappers, names):
            if names.count(name) > 1:
                name = "%s.%s" % (mapper.class_.__module__, mapper.class_.__qualname__)
            self.labels[mapper] = name
        if len(set(self.labels.values())) != len(self.labels):
            raise SeedError("two mapped classes have the same module and name")


def _sorted_mappers(collected):
    """Mappers in a deterministic order: each hierarchy together, base class first.

    `registry.mappers` is a set; the order of the registries themselves follows the module.
    """
    registry_index = {id(reg): i for i, reg in enumerate(collected.registries)}

    def key(mapper):
        base = mapper.base_mapper
        return (
            registry_index.get(id(mapper.registry), len(registry_index)),
            base.class_.__name__,
            len(list(mapper.iterate_to_root())),
            mapper.class_.__name__,
        )

    return sorted(collected.mappers, key=key)


def load_fixture(path):
    """Import a fixture file or package and configure its mappers, as dump_graph.py does."""
    # The declarative class registry holds classes weakly: keep every class alive.
    gc.disable()
    saved_stdout = sys.stdout
    sys.stdout = sys.stderr  # whatever the fixture prints must not reach the JSON
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if os.path.isdir(path):
                modules = dump_graph._load_package(path)
            else:
                modules = [dump_graph._load_module(path)]
            collected = dump_graph._Collected()
            for module in modules:
                dump_graph._collect_roots(module, collected)
            configure_mappers()
            dump_graph._collect_mappers(collected)
            # Resolve every foreign key, as create_all would.
            for md in collected.metadatas:
                for table in md.tables.values():
                    for fk in table.foreign_keys:
                        fk.column
    except SeedError:
        raise
    except BaseException as exc:  # SyntaxError, SystemExit, configuration errors ...
        raise SeedError("the fixture does not load: %s" % _one_line(exc)) from exc
    finally:
        sys.stdout = saved_stdout
    return Fixture(collected)


def schema_path(db_path, schema):
    """The database file that holds the tables of `schema`."""
    return "%s.%s" % (db_path, schema)


def make_engine(db_path, schemas):
    engine = create_engine("sqlite:///%s" % db_path)

    @event.listens_for(engine, "connect")
    def _attach_schemas(dbapi_connection, _record):
        for schema in schemas:
            dbapi_connection.execute(
                'ATTACH DATABASE ? AS "%s"' % schema.replace('"', '""'),
                (schema_path(db_path, schema),),
            )

    return engine


# --------------------------------------------------------------------------
# Seeding: rows, column values
# --------------------------------------------------------------------------


class Row:
    """One row to insert, with what the seeding decided about it.

    Either an instance of a mapped class (`mapper`, `obj`), or a row of a plain table that
    no mapped class and no relationship fills (`table`, `values`), inserted with Core.
    """

    def __init__(self, number, index, order, mapper=None, obj=None, table=None):
        self.mapper = mapper
        self.obj = obj
        self.table = table
        self.values = {}  # column -> value, for a plain table's row
        self.number = number  # 1, 2, 3, ...: unique in its primary-key space
        self.index = index  # 0, 1, 2: position among the instances of its class
        self.order = order  # position among all rows
        self.tables = set(mapper.tables) if mapper is not None else {table}
        # Foreign-key column -> (referenced Row or None, referenced column or None).
        self.assigned = {}
        self.depends_on = []  # Rows this row's foreign keys point to

    def __repr__(self):
        what = self.mapper.class_.__name__ if self.mapper is not None else self.table.fullname
        return "%s #%d" % (what, self.number)


UNKNOWN = object()


def value_of(row, column, seen=None):
    """The value `row` will have in `column`, following foreign keys to their targets.

    None for NULL; UNKNOWN when the value is decided only at flush time.
    """
    if column in row.assigned:
        ref, ref_column = row.assigned[column]
        if ref is None:
            return None
        seen = set() if seen is None else seen
        if (id(ref), ref_column) in seen:
            return UNKNOWN
        seen.add((id(row), column))
        return value_of(ref, ref_column, seen)
    if row.mapper is None:
        return row.values.get(column, UNKNOWN)
    prop = row.mapper._columntoproperty.get(column)
    if prop is None:
        return UNKNOWN
    state = sqlalchemy.inspect(row.obj)
    if prop.key in state.dict:
        return state.dict[prop.key]
    return UNKNOWN


def _python_type(sql_type):
    try:
        return sql_type.python_type
    except (NotImplementedError, AttributeError):
        return None


def _type_chain(sql_type):
    """The type, then what it decorates (TypeDecorator.impl), down to a plain type."""
    while sql_type is not None:
        yield sql_type
        sql_type = sql_type.impl_instance if isinstance(sql_type, TypeDecorator) else None


def _enum_type(sql_type):
    """The Enum a column type is or decorates, or None."""
    return next((t for t in _type_chain(sql_type) if isinstance(t, Enum)), None)


def _string_length(sql_type):
    return next((t.length for t in _type_chain(sql_type) if isinstance(t, String)), None)


# The Python types sample_value knows, as `python_type` reports them.
KNOWN_PYTHON_TYPES = (
    bool, int, float, decimal.Decimal, datetime.datetime, datetime.date, datetime.time,
    datetime.timedelta, uuid.UUID, bytes, str,
)


def _value_kind(sql_type):
    """What sample_value makes for a type: an Enum, "json", "uuid-string" or a Python type.

    A TypeDecorator that does not say its `python_type` is read through its `impl`.
    """
    for t in _type_chain(sql_type):
        if isinstance(t, Enum):
            return t
        if isinstance(t, sqlalchemy.JSON):
            return "json"
        if isinstance(t, sqlalchemy.Uuid):
            return uuid.UUID if t.as_uuid else "uuid-string"
        py = _python_type(t)
        if py in (dict, list):
            return "json"
        if py in KNOWN_PYTHON_TYPES:
            return py
        if isinstance(t, sqlalchemy.types.UserDefinedType):
            return str  # a type of the application's own: text, as sa2rs ports it
    return None


def _text(column, n):
    """'<column> <n>', shortened to the column's length while keeping the number."""
    text = "%s %d" % (column.name, n)
    length = _string_length(column.type)
    if length is not None and len(text) > length:
        suffix = str(n)
        text = (column.name[: max(0, length - len(suffix))] + suffix)[-length:]
    return text


def sample_value(column, n):
    """A deterministic value of the column's type for row number `n` (1, 2, 3, ...).

    Values differ between rows (unique columns stay unique) and between columns of one
    table (a column read into the wrong field shows up).
    """
    position = list(column.table.columns).index(column) + 1
    kind = _value_kind(column.type)
    if isinstance(kind, Enum):
        stored = list(kind.enums)
        if not stored:
            raise SeedError("%s: an Enum without values" % dump_graph._column_ref(column))
        name = stored[(n - 1) % len(stored)]
        if kind.enum_class is not None:
            return kind._object_lookup.get(name, name)  # the Python enum member
        return name
    if kind in (uuid.UUID, "uuid-string"):
        value = uuid.uuid5(uuid.NAMESPACE_URL, "%s/%s/%d" % (column.table.fullname, column.name, n))
        return value if kind is uuid.UUID else str(value)
    if kind == "json":
        return {"column": column.name, "n": n, "items": [n, n + 1]}
    py = kind
    if py is bool:
        return n % 2 == 1
    if py is int:
        return 10 * position + n
    if py is float:
        return 10 * position + n + 0.5
    if py is decimal.Decimal:
        return decimal.Decimal("%d.%02d" % (10 * position + n, 25))
    if py is datetime.datetime:
        return datetime.datetime(2024, 1 + (n - 1) % 12, 1 + position % 28, n % 24, 30, 15)
    if py is datetime.date:
        return datetime.date(2024, 1 + (n - 1) % 12, 1 + position % 28)
    if py is datetime.time:
        return datetime.time(n % 24, position % 60, 45)
    if py is datetime.timedelta:
        return datetime.timedelta(hours=n, minutes=position % 60)
    if py is bytes:
        return bytes([n % 256, position % 256, 0xAB, 0xFF])
    if py is str:
        return _text(column, n)
    raise SeedError(
        "%s: no sample value for type %s"
        % (dump_graph._column_ref(column), type(column.type).__name__)
    )


def _has_default(column):
    return column.default is not None or column.server_default is not None


def _unfilled_required_column(mapper):
    """A NOT NULL column of the mapper's tables that the mapper does not map, if any.

    Such a class cannot be inserted (e.g. a single-table base class whose subclass added a
    NOT NULL column).
    """
    for table in mapper.tables:
        for column in table.columns:
            if column.nullable or _has_default(column) or column.computed is not None:
                continue
            if column.primary_key and column.autoincrement in (True, "auto"):
                if _python_type(column.type) is int and len(table.primary_key.columns) == 1:
                    continue
            if column not in mapper._columntoproperty:
                return column
    return None


def instantiable(mapper):
    """Why the class of this mapper gets no instances, or None if it gets some."""
    if not isinstance(mapper.local_table, Table):
        return "it is not mapped to a table"
    if mapper.polymorphic_abstract:
        return "it is polymorphic_abstract"
    if mapper.polymorphic_on is not None and mapper.polymorphic_identity is None:
        return "it has no polymorphic_identity"
    column = _unfilled_required_column(mapper)
    if column is not None:
        return "it does not map the NOT NULL column %s" % dump_graph._column_ref(column)
    return None


def new_instance(mapper):
    """An instance made as the application would, or bare if the constructor wants arguments."""
    cls = mapper.class_
    try:
        return cls()
    except TypeError:
        obj = mapper.class_manager.new_instance()
        if mapper._set_polymorphic_identity is not None:
            mapper._set_polymorphic_identity(sqlalchemy.inspect(obj))
        return obj


# --------------------------------------------------------------------------
# Seeding: relationships and foreign keys
# --------------------------------------------------------------------------


def _is_table_column(column):
    """True for a column of a table (not a SQL expression, not a column of a subquery)."""
    return isinstance(column, Column) and isinstance(column.table, Table)


def written_columns(rel):
    """The foreign-key columns a relationship writes when it is set."""
    pairs = list(rel.synchronize_pairs or ()) + list(rel.secondary_synchronize_pairs or ())
    return {dest for _src, dest in pairs}


def select_relationships(mappers):
    """The relationships to set: one per group of relationships writing the same columns.

    Of a reverse pair (back_populates / backref) both sides write the same foreign keys, so
    the first by (MANYTOONE, ONETOMANY, MANYTOMANY, "Class.key") is set, the other is not.
    Viewonly relationships are never set.
    """
    rank = {MANYTOONE: 0, ONETOMANY: 1, MANYTOMANY: 2}
    candidates = []
    for mapper in mappers:
        for rel in mapper.relationships:
            if rel.parent is not mapper or rel.viewonly:
                continue
            columns = written_columns(rel)
            if columns:
                name = "%s.%s" % (mapper.class_.__name__, rel.key)
                candidates.append((rank[rel.direction], name, rel, columns))
    candidates.sort(key=lambda c: (c[0], c[1]))
    chosen, taken = [], set()
    for _rank, name, rel, columns in candidates:
        if columns & taken:
            continue
        taken |= columns
        chosen.append((name, rel))
    return chosen, taken


def annotated_pairs(rel):
    """(foreign column, referenced column) pairs of a viewonly relationship whose foreign
    columns have no ForeignKey (`foreign()` annotations, `foreign_keys=`), or None.

    Nothing writes such columns; giving them the referenced row's value, as a foreign key
    would get, lets the relationship find rows (`Document.key == foreign(Version.doc_key)`).
    """
    foreign = rel._calculated_foreign_keys
    if rel.secondary is not None or not foreign or any(c.foreign_keys for c in foreign):
        return None
    pairs = []
    for local, remote in rel.local_remote_pairs:
        if rel.direction is MANYTOONE and local in foreign:
            pairs.append((local, remote))
        elif rel.direction is ONETOMANY and remote in foreign:
            pairs.append((remote, local))
    if not pairs or {c for c, _ in pairs} != set(foreign):
        return None
    if not all(_is_table_column(c) for pair in pairs for c in pair):
        return None
    return pairs


def select_valued(mappers, taken):
    """Viewonly relationships on annotated columns that no selected relationship writes."""
    chosen = []
    candidates = []
    for mapper in mappers:
        for rel in mapper.relationships:
            if rel.parent is mapper and rel.viewonly:
                pairs = annotated_pairs(rel)
                if pairs:
                    candidates.append(("%s.%s" % (mapper.class_.__name__, rel.key), rel, pairs))
    for name, rel, pairs in sorted(candidates, key=lambda c: c[0]):
        columns = {c for c, _ in pairs}
        if columns & taken or any(c.primary_key for c in columns):
            continue
        taken |= columns
        chosen.append((name, rel, pairs))
    return chosen


def rel_applies(mapper, rel):
    """True if instances of `mapper` have the relationship `rel` (declared or inherited)."""
    return rel.key in mapper.relationships and mapper.relationships[rel.key] is rel


def unique_column_sets(table):
    """Column sets that must be unique in `table`: primary key, unique constraints and indexes."""
    sets = []
    for constraint in table.constraints:
        if isinstance(constraint, (PrimaryKeyConstraint, UniqueConstraint)):
            columns = list(constraint.columns)
            if columns:
                sets.append(columns)
    for index in table.indexes:
        if index.unique and all(isinstance(e, Column) for e in index.expressions):
            sets.append(list(index.expressions))
    for column in table.columns:
        if column.unique:
            sets.append([column])
    return sets


class Link:
    """A foreign key (of a relationship or a plain ForeignKeyConstraint) to give a target.

    `children` are the rows that hold the foreign-key columns, `refs` the rows they can
    point to; `pairs` maps each child column to the referenced column.
    """

    def __init__(self, name, children, refs, pairs, distinct, leave_one_null, rel=None):
        self.name = name
        # The relationship to set through the ORM; None: set the columns to the values.
        self.rel = rel
        self.children = children
        self.refs = refs
        self.pairs = pairs
        self.nullable = all(child.nullable for child, _ref in pairs)
        self.distinct = distinct  # a one-to-one: no two children share a target
        self.leave_one_null = leave_one_null and self.nullable
        self.choice = {}  # id(child row) -> ref row or None
        # Where the targets start: each link starts at another row, so that two foreign keys
        # of a row (billing / shipping address, an association's two keys) differ.
        self.offset = 0


class Seeder:
    def __init__(self, fixture):
        self.fixture = fixture
        self.rows = []
        self.notes = []
        self.selected, taken = select_relationships(fixture.mappers)
        self.valued = select_valued(fixture.mappers, taken)
        self.unique_sets = {}  # id(table) -> column sets
        for table in fixture.tables:
            self.unique_sets[id(table)] = unique_column_sets(table)

    # -- rows and columns ---------------------------------------------------

    def create_rows(self):
        counters = {}  # id(base mapper) -> last primary-key number
        for mapper in self.fixture.mappers:
            why = instantiable(mapper)
            if why is not None:
                self.notes.append("%s has no rows: %s" % (mapper.class_.__name__, why))
                continue
            space = id(mapper.base_mapper)
            for index in range(INSTANCES_PER_CLASS):
                counters[space] = counters.get(space, 0) + 1
                obj = new_instance(mapper)
                row = Row(counters[space], index, len(self.rows), mapper=mapper, obj=obj)
                self.rows.append(row)
        for table in self.plain_tables():
            for index in range(INSTANCES_PER_CLASS):
                self.rows.append(Row(index + 1, index, len(self.rows), table=table))

    def plain_tables(self):
        """Tables that neither a mapped class nor a selected many-to-many fills."""
        filled = set()
        for mapper in self.fixture.mappers:
            filled.update(mapper.tables)
        for _name, rel in self.selected:
            if rel.secondary is not None:
                filled.add(rel.secondary)
        return [t for t in self.fixture.tables if t not in filled]

    def written_by_relationships(self, mapper):
        """Columns of `mapper`'s rows that selected (or valued) relationships fill."""
        entries = [(rel, written_columns(rel)) for _name, rel in self.selected]
        entries += [(rel, {c for c, _ in pairs}) for _name, rel, pairs in self.valued]
        columns = set()
        for rel, written in entries:
            if rel.direction is MANYTOONE and rel_applies(mapper, rel):
                columns |= written
            elif rel.direction is ONETOMANY and rel.mapper.local_table in mapper.tables:
                columns |= written
        return columns

    def fill_plain_columns(self, row):
        for column in row.table.columns:
            if column.foreign_keys or column.computed is not None:
                continue
            if column.primary_key and _python_type(column.type) is int:
                value = row.number
            elif (
                row.index == INSTANCES_PER_CLASS - 1
                and column.nullable
                and not column.primary_key
                and not _has_default(column)
            ):
                continue  # left NULL on the third row
            else:
                value = sample_value(column, row.number)
            row.values[column] = value

    def fill_columns(self, row):
        """Primary keys and plain columns; foreign keys are left to the links."""
        if row.mapper is None:
            self.fill_plain_columns(row)
            return
        mapper = row.mapper
        skip = self.written_by_relationships(mapper)
        for prop in mapper.column_attrs:
            columns = [c for c in prop.columns if _is_table_column(c)]
            if not columns or len(columns) != len(prop.columns):
                continue  # a SQL expression (column_property(select(...)), ...)
            if any(c is mapper.polymorphic_on for c in columns):
                continue  # the discriminator: SQLAlchemy sets it
            if any(c.computed is not None for c in columns):
                continue
            keys = [c for c in columns if c in mapper.primary_key]
            if keys:
                if any(c.foreign_keys for c in keys):
                    continue  # a key taken from a foreign key
                # Integer keys are the row numbers themselves: 1, 2, 3, ...
                if _python_type(keys[0].type) is int:
                    value = row.number
                else:
                    value = sample_value(keys[0], row.number)
            else:
                if any(c.foreign_keys or c in skip for c in columns):
                    continue
                column = columns[0]
                if (
                    row.index == INSTANCES_PER_CLASS - 1
                    and all(c.nullable for c in columns)
                    and not any(_has_default(c) for c in columns)
                ):
                    continue  # left NULL on the third instance
                value = sample_value(column, row.number)
            setattr(row.obj, prop.key, value)

    # -- links --------------------------------------------------------------

    def rows_with_table(self, table):
        return [r for r in self.rows if table in r.tables]

    def relationship_links(self):
        """Links of the selected relationships (set through the ORM) and of the valued ones
        (columns set to the target's values); the selected many-to-manys apart."""
        links, many_to_many = [], []
        entries = [
            (name, rel, [(dest, src) for src, dest in rel.synchronize_pairs], True)
            for name, rel in self.selected
        ]
        entries += [(name, rel, pairs, False) for name, rel, pairs in self.valued]
        for name, rel, pairs, through_orm in entries:
            parents = [r for r in self.rows if r.mapper and rel_applies(r.mapper, rel)]
            targets = self.rows_with_table(rel.mapper.local_table)
            targets = [r for r in targets if r.mapper and r.mapper.isa(rel.mapper)]
            if rel.direction is MANYTOMANY:
                many_to_many.append((name, rel, parents, targets))
                continue
            set_rel = rel if through_orm else None
            if rel.direction is MANYTOONE:
                # The reverse is a scalar one-to-many: a one-to-one, targets must differ.
                one_to_one = any(not r.uselist for r in (rel._reverse_property or ()))
                links.append(Link(name, parents, targets, pairs, one_to_one, True, set_rel))
            else:  # ONETOMANY: the targets hold the foreign key; every target gets a parent
                links.append(Link(name, targets, parents, pairs, not rel.uselist, False, set_rel))
        return links, many_to_many

    def foreign_key_links(self):
        """Foreign keys that no selected relationship writes: their columns are set directly."""
        groups = {}  # id(constraint) -> (constraint, [rows])
        order = []
        for row in self.rows:
            mapper = row.mapper
            skip = self.written_by_relationships(mapper) if mapper is not None else set()
            for table in sorted(row.tables, key=lambda t: t.fullname):
                for fkc in sorted(table.foreign_key_constraints, key=lambda c: c.column_keys):
                    columns = list(fkc.columns)
                    if mapper is not None:
                        if any(c in skip for c in columns):
                            continue
                        if not all(c in mapper._columntoproperty for c in columns):
                            continue
                        # An inherit condition (engineer.id -> employee.id): the property
                        # that maps the column maps its target too: the key is right already.
                        if all(
                            e.column in mapper._columntoproperty[e.parent].columns
                            for e in fkc.elements
                        ):
                            continue
                    if id(fkc) not in groups:
                        groups[id(fkc)] = (fkc, [])
                        order.append(id(fkc))
                    groups[id(fkc)][1].append(row)
        links = []
        for key in order:
            fkc, children = groups[key]
            refs = self.rows_with_table(fkc.referred_table)
            pairs = [(e.parent, e.column) for e in fkc.elements]
            name = "%s(%s)" % (fkc.table.fullname, ", ".join(fkc.column_keys))
            links.append(Link(name, children, refs, pairs, distinct=False, leave_one_null=True))
        return links

    def _reaches(self, start, goal):
        stack, seen = [start], set()
        while stack:
            row = stack.pop()
            if row is goal:
                return True
            if id(row) in seen:
                continue
            seen.add(id(row))
            stack.extend(row.depends_on)
        return False

    def _violates_unique(self, child, link):
        written = {c for c, _ in link.pairs}
        for table in child.tables:
            for columns in self.unique_sets.get(id(table), ()):
                if not written & set(columns):
                    continue
                mine = [value_of(child, c) for c in columns]
                if any(v is None or v is UNKNOWN for v in mine):
                    continue
                for other in self.rows:
                    if other is child or table not in other.tables:
                        continue
                    theirs = [value_of(other, c) for c in columns]
                    if theirs == mine:
                        return True
        return False

    def choose(self, link):
        """Give every child of the link a target (or None), keeping constraints and no cycles."""
        used = set()
        children_ids = {id(r) for r in link.children}
        self_referential = any(id(r) in children_ids for r in link.refs)
        nulls = 0
        for position, child in enumerate(link.children):
            if self_referential:
                # A tree: a row points to an earlier row, the first is the root. Like a binary
                # heap: rows 2 and 3 point to row 1, rows 4 and 5 to row 2, ...
                earlier = [r for r in link.refs if r.order < child.order]
                start = (len(earlier) - 1) // 2 if earlier else 0
                candidates = earlier[start:] + earlier[:start]
            else:
                # Two children share a target (a collection of two), unless it is a
                # one-to-one.
                step = position if link.distinct else position // 2
                start = (step + link.offset) % len(link.refs) if link.refs else 0
                candidates = link.refs[start:] + link.refs[:start]
                last = position == len(link.children) - 1
                if link.leave_one_null and last and nulls == 0 and len(link.children) > 1:
                    candidates = []  # one NULL foreign key
            chosen = None
            for ref in candidates:
                if ref is child or (link.distinct and id(ref) in used):
                    continue
                if self._reaches(ref, child):
                    continue  # would be a cycle between rows
                for column, ref_column in link.pairs:
                    child.assigned[column] = (ref, ref_column)
                if self._violates_unique(child, link):
                    for column, _ in link.pairs:
                        del child.assigned[column]
                    continue
                chosen = ref
                break
            if chosen is None:
                if not link.nullable:
                    raise SeedError(
                        "%s: no target for %r keeps the constraints (NOT NULL foreign key)"
                        % (link.name, child)
                    )
                nulls += 1
                for column, _ in link.pairs:
                    child.assigned[column] = (None, None)
            else:
                used.add(id(chosen))
                child.depends_on.append(chosen)
            link.choice[id(child)] = chosen

    # -- applying -----------------------------------------------------------

    def apply_link(self, link):
        rel = link.rel
        for child in link.children:
            ref = link.choice[id(child)]
            if rel is None:  # a plain foreign key or annotated columns: set the columns
                for column, ref_column in link.pairs:
                    value = None if ref is None else value_of(ref, ref_column)
                    if value is UNKNOWN:
                        raise SeedError("%s: the target's key is not known" % link.name)
                    if child.mapper is None:
                        child.values[column] = value
                    elif value is not None:
                        setattr(child.obj, child.mapper._columntoproperty[column].key, value)
            elif ref is None:
                continue
            elif rel.direction is MANYTOONE:
                setattr(child.obj, rel.key, ref.obj)
            elif not rel.uselist:  # one-to-one from the parent's side
                setattr(ref.obj, rel.key, child.obj)
            else:
                add_to_collection(ref.obj, rel, child.obj)

    def apply_many_to_many(self, name, rel, parents, targets):
        self_referential = any(p is t for p in parents for t in targets)
        for position, parent in enumerate(parents):
            if not targets:
                break
            start = position % len(targets)
            ordered = targets[start:] + targets[:start]
            if self_referential:
                ordered = [t for t in ordered if t is not parent]
            for target in ordered[:2]:
                add_to_collection(parent.obj, rel, target.obj)

    def seed(self):
        self.create_rows()
        for row in self.rows:
            self.fill_columns(row)
        links, many_to_many = self.relationship_links()
        links += self.foreign_key_links()
        for number, link in enumerate(links):
            link.offset = number
            self.choose(link)
        for link in links:
            self.apply_link(link)
        for entry in many_to_many:
            self.apply_many_to_many(*entry)

    def insert(self, session):
        """Add the instances to the session, flush them, then insert the plain tables' rows."""
        session.add_all([row.obj for row in self.rows if row.mapper is not None])
        session.flush()
        for table in self.plain_tables():
            rows = [row for row in self.rows if row.table is table]
            # One executemany: every row names the same columns, NULL where left out.
            columns = [c for c in table.columns if any(c in row.values for row in rows)]
            params = [{c.key: row.values.get(c) for c in columns} for row in rows]
            session.execute(table.insert(), params)


def add_to_collection(owner, rel, item):
    """Add `item` to a collection relationship of `owner`, whatever its collection class."""
    collection = getattr(owner, rel.key)
    if rel.lazy == "write_only":
        collection.add(item)
    elif rel.lazy == "dynamic":
        collection.append(item)
    else:
        collection_adapter(collection).append_with_event(item)


def create(fixture_path, db_path, fixture=None):
    """Deletes DB_PATH and creates every table of the fixture in it, empty. Returns the engine."""
    fixture = fixture or load_fixture(fixture_path)
    for path in [db_path] + [schema_path(db_path, s) for s in fixture.schemas]:
        if os.path.exists(path):
            os.remove(path)
    engine = make_engine(db_path, fixture.schemas)
    try:
        for md in fixture.metadatas:
            md.create_all(engine)
    except Exception as exc:
        engine.dispose()
        raise SeedError("create_all fails: %s" % _one_line(exc)) from exc
    return engine


def seed(fixture_path, db_path):
    fixture = load_fixture(fixture_path)
    engine = create(fixture_path, db_path, fixture)
    try:
        seeder = Seeder(fixture)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seeder.seed()
            with Session(engine, autoflush=False) as session:
                try:
                    seeder.insert(session)
                    session.commit()
                except Exception as exc:
                    raise SeedError("the flush fails: %s" % _one_line(exc)) from exc
        rewrite_in_key_order(engine, fixture.tables)
        for note in seeder.notes:
            sys.stderr.write("note: %s\n" % note)
    finally:
        engine.dispose()


def rewrite_in_key_order(engine, tables):
    """Store every table's rows in primary-key order.

    The unit of work inserts a many-to-many's secondary rows in an order that follows the
    hashing of a set of states, so the order of the rows in the file would change from run to
    run. The rows are read and written back with the driver, as the database holds them.
    """
    preparer = engine.dialect.identifier_preparer
    with engine.begin() as connection:
        for table in tables:
            name = preparer.format_table(table)
            order = list(table.primary_key.columns) or list(table.columns)
            order_by = ", ".join(preparer.quote(c.name) for c in order)
            rows = connection.exec_driver_sql(
                "SELECT * FROM %s ORDER BY %s" % (name, order_by)
            ).fetchall()
            if not rows:
                continue
            connection.exec_driver_sql("DELETE FROM %s" % name)
            placeholders = ", ".join("?" for _ in rows[0])
            connection.exec_driver_sql(
                "INSERT INTO %s VALUES (%s)" % (name, placeholders), [tuple(r) for r in rows]
            )


# --------------------------------------------------------------------------
# Dumping
# --------------------------------------------------------------------------


def canonical(value):
    """A JSON value for a column value, as described in the module docstring."""
    if isinstance(value, enum.Enum):
        return value.name
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    return str(value)


def dump_rows(session, fixture):
    rows = {}
    for table in fixture.tables:
        # Enum columns are read as the string the database holds, not as Python enums.
        selected = [
            (sqlalchemy.type_coerce(c, String()) if _enum_type(c.type) else c).label(c.name)
            for c in table.columns
        ]
        order = list(table.primary_key.columns) or list(table.columns)
        result = session.execute(select(*selected).select_from(table).order_by(*order))
        rows[table.fullname] = [
            {name: canonical(value) for name, value in mapping.items()}
            for mapping in result.mappings()
        ]
    return rows


def identity_key(obj):
    return "/".join(str(v) for v in sqlalchemy.inspect(obj).identity)


def related_objects(value):
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (list, set, frozenset, tuple)):
        return list(value)
    return [value]


def dump_relations(engine, fixture):
    relations = {}
    for mapper in fixture.mappers:
        cls = mapper.class_
        for rel in mapper.relationships:
            if rel.parent is not mapper:
                continue  # inherited: listed under the declaring class
            if rel.lazy in QUERY_LOADERS:
                continue  # dynamic / write-only: a query, not a loaded collection
            # A session per relationship: each one loads its objects afresh.
            with Session(engine) as session:
                query = select(cls).options(lazyload(getattr(cls, rel.key)))
                entry = {}
                for obj in session.scalars(query).unique():
                    related = related_objects(getattr(obj, rel.key))
                    entry[identity_key(obj)] = sorted(identity_key(r) for r in related)
            relations["%s.%s" % (fixture.labels[mapper], rel.key)] = entry
    return relations


def dump(fixture_path, db_path):
    fixture = load_fixture(fixture_path)
    engine = make_engine(db_path, fixture.schemas)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Session(engine) as session:
                rows = dump_rows(session, fixture)
            relations = dump_relations(engine, fixture)
    except SeedError:
        raise
    except Exception as exc:
        raise SeedError("the dump fails: %s" % _one_line(exc)) from exc
    finally:
        engine.dispose()
    json.dump({"rows": rows, "relations": relations}, sys.stdout, sort_keys=True, indent=1)
    sys.stdout.write("\n")


def main(argv):
    if len(argv) != 4 or argv[1] not in ("seed", "create", "dump"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 1
    command, fixture_path, db_path = argv[1:]
    if command == "dump" and not os.path.exists(db_path):
        sys.stderr.write("no database at %s\n" % db_path)
        return 1
    try:
        if command == "seed":
            seed(fixture_path, db_path)
        elif command == "create":
            create(fixture_path, db_path).dispose()
        else:
            dump(fixture_path, db_path)
    except SeedError as exc:
        sys.stderr.write("%s\n" % str(exc).replace("\n", " "))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
