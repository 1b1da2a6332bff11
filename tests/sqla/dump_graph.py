#!/usr/bin/env python3
"""Dump the relationship graph that real SQLAlchemy configures for model files.

Usage: python tests/sqla/dump_graph.py [--enums] [--ddl DIALECT] FILE.py [FILE.py ...]

Prints one JSON object to stdout that maps each path, exactly as given on the
command line, to either {"graph": G} or {"error": "ExceptionClassName: message"}.
With --enums, a graph result also has "enums": {"table.column": [stored values]}
for every Enum column (and ARRAY of Enum), the values SQLAlchemy stores.
With --ddl sqlite|postgresql, a graph result also has "ddl": the statements
`metadata.create_all()` runs for that dialect (through a mock engine, in
order), or "ddl_error" when SQLAlchemy's DDL compiler raises.
G has the shape described in graph-json.md (the same shape as
`sa2rs --emit graph-json`), so the two can be compared field by field.

Each file is loaded in its own forked child process: a mapper that fails to
configure poisons `configure_mappers()` for every registry in the process, and
two fixture files may define the same class names. The child imports the file,
configures every mapper, resolves every foreign key (as `create_all` would),
and sends its result back through a pipe. Warnings are recorded and written to
stderr; anything the file prints goes to stderr too, so stdout stays JSON.

This is the reference side of sa2rs's differential test. It needs SQLAlchemy
(and optionally flask-sqlalchemy) installed; sa2rs itself never runs Python.
"""

import gc
import importlib.util
import json
import os
import pkgutil
import re
import select
import signal
import sys
import time
import traceback
import warnings

import sqlalchemy
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import Mapper, configure_mappers, registry as Registry

try:
    from flask_sqlalchemy import SQLAlchemy as FlaskSQLAlchemy
except Exception:  # flask-sqlalchemy is optional
    FlaskSQLAlchemy = None

# Loading model files must not litter their directories with __pycache__.
sys.dont_write_bytecode = True

# A file that hangs (or a configuration that loops) must not hang the harness.
PER_FILE_TIMEOUT_SECONDS = 60

# Set by --enums and --ddl (before the children are forked, so they inherit them).
DUMP_ENUMS = False
DUMP_DDL = None
MAX_PARALLEL = max(1, min(8, os.cpu_count() or 1))


# --------------------------------------------------------------------------
# Child side: load one file and describe its graph.
# --------------------------------------------------------------------------


def _error_string(exc):
    message = str(exc)
    first_line = message.splitlines()[0] if message else ""
    return "%s: %s" % (type(exc).__name__, first_line)


def _module_name(path):
    """A module name that cannot clash with an installed module.

    Each child process loads exactly one file, so the name is unique there; it
    does not depend on the file's position on the command line, because it shows
    up in SQLAlchemy's messages (`<class '_sa2rs_model_x.Parent'>`).
    """
    stem = os.path.splitext(os.path.basename(path))[0]
    stem = re.sub(r"\W", "_", stem)
    return "_sa2rs_model_%s" % stem


def _load_package(path):
    """Import a package directory and every module below it (sorted), as an app would."""
    path = os.path.abspath(path)
    parent, name = os.path.split(path)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    package = importlib.import_module(name)
    modules = [package]
    for info in sorted(pkgutil.walk_packages(package.__path__, name + "."), key=lambda i: i.name):
        modules.append(importlib.import_module(info.name))
    return modules


def _load_module(path):
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    name = _module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot load %s as a Python module" % path)
    module = importlib.util.module_from_spec(spec)
    # SQLAlchemy resolves string annotations through sys.modules[cls.__module__].
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class _Collected:
    """Registries, metadata and mappers reachable from a module, in discovery order."""

    def __init__(self):
        self.registries = []
        self.metadatas = []
        self.mappers = []

    def add_registry(self, reg):
        if isinstance(reg, Registry) and not any(r is reg for r in self.registries):
            self.registries.append(reg)
            self.add_metadata(reg.metadata)

    def add_metadata(self, md):
        if isinstance(md, MetaData) and not any(m is md for m in self.metadatas):
            self.metadatas.append(md)

    def add_mapper(self, mapper):
        if isinstance(mapper, Mapper) and not any(m is mapper for m in self.mappers):
            self.mappers.append(mapper)


def _safe_getattr(obj, name):
    try:
        return getattr(obj, name, None)
    except Exception:
        return None


def _collect_roots(module, collected):
    for value in list(vars(module).values()):
        if isinstance(value, type):
            try:
                mapper = sqlalchemy.inspect(value, raiseerr=False)
            except sqlalchemy.orm.exc.UnmappedClassError:
                # An AbstractConcreteBase subclass: mapped by configure_mappers() only.
                mapper = None
            if isinstance(mapper, Mapper):
                collected.add_registry(mapper.registry)
            else:
                # A declarative base (declarative_base(), DeclarativeBase subclass,
                # registry.generate_base()) or flask-sqlalchemy's db.Model.
                collected.add_registry(_safe_getattr(value, "registry"))
                collected.add_metadata(_safe_getattr(value, "metadata"))
        elif isinstance(value, MetaData):
            collected.add_metadata(value)
        elif isinstance(value, Registry):
            collected.add_registry(value)
        elif isinstance(value, Table):
            collected.add_metadata(value.metadata)
        elif FlaskSQLAlchemy is not None and isinstance(value, FlaskSQLAlchemy):
            for md in _safe_getattr(value, "metadatas") or {}:
                collected.add_metadata(value.metadatas[md])
            collected.add_metadata(_safe_getattr(value, "metadata"))
            model = _safe_getattr(value, "Model")
            collected.add_registry(_safe_getattr(model, "registry"))
            collected.add_metadata(_safe_getattr(model, "metadata"))


def _collect_mappers(collected):
    for reg in list(collected.registries):
        for mapper in reg.mappers:
            collected.add_mapper(mapper)
            if isinstance(mapper.local_table, Table):
                collected.add_metadata(mapper.local_table.metadata)


def _column_ref(column):
    table = column.table
    table_name = _safe_getattr(table, "fullname") or _safe_getattr(table, "name")
    if table_name is None:
        table_name = str(table)
    return "%s.%s" % (table_name, column.name)


def _table_classes(mappers):
    """Map id(table) to the class name of the base-most mapper whose local table it is."""
    best = {}
    for mapper in mappers:
        table = mapper.local_table
        if not isinstance(table, Table):
            continue
        depth = len(list(mapper.iterate_to_root()))
        current = best.get(id(table))
        if current is None or depth < current[0]:
            best[id(table)] = (depth, mapper.class_.__name__)
    return {key: name for key, (_, name) in best.items()}


def _describe_tables(collected):
    classes = _table_classes(collected.mappers)
    tables = {}
    for md in collected.metadatas:
        for table in md.tables.values():
            if table.fullname in tables:
                continue
            columns = []
            for column in table.columns:
                columns.append(
                    {
                        "name": column.name,
                        "type": type(column.type).__name__,
                        "nullable": bool(column.nullable),
                        "primary_key": bool(column.primary_key),
                        "foreign_keys": sorted(
                            fk.target_fullname for fk in column.foreign_keys
                        ),
                    }
                )
            tables[table.fullname] = {
                "class": classes.get(id(table)),
                "columns": columns,
            }
    return {key: tables[key] for key in sorted(tables)}


def _back_populates(rel):
    reverse = sorted(r.key for r in (rel._reverse_property or ()))
    if reverse:
        return reverse[0]
    return rel.back_populates or None


def _secondary_name(rel):
    secondary = rel.secondary
    if secondary is None:
        return None
    name = _safe_getattr(secondary, "fullname") or _safe_getattr(secondary, "name")
    return name if name is not None else str(secondary)


def _describe_relationships(collected):
    rels = []
    for mapper in collected.mappers:
        for rel in mapper.relationships:
            if rel.parent is not mapper:
                continue  # inherited: listed once, under the declaring class
            rels.append(
                {
                    "class": mapper.class_.__name__,
                    "key": rel.key,
                    "target": rel.mapper.class_.__name__,
                    "direction": rel.direction.name,
                    "uselist": bool(rel.uselist),
                    "secondary": _secondary_name(rel),
                    "back_populates": _back_populates(rel),
                    "local_remote_pairs": [
                        [_column_ref(local), _column_ref(remote)]
                        for local, remote in rel.local_remote_pairs
                    ],
                }
            )
    rels.sort(key=lambda r: (r["class"], r["key"]))
    return rels


def _describe_enums(collected):
    enums = {}
    for md in collected.metadatas:
        for table in md.tables.values():
            for column in table.columns:
                sql_type = column.type
                if isinstance(sql_type, sqlalchemy.ARRAY):
                    sql_type = sql_type.item_type
                if isinstance(sql_type, sqlalchemy.Enum):
                    enums[_column_ref(column)] = list(sql_type.enums)
    return {key: enums[key] for key in sorted(enums)}


def _describe_ddl(collected, dialect):
    """The statements create_all() runs for `dialect`, compiled, in order."""
    from sqlalchemy import create_mock_engine

    url = {"sqlite": "sqlite://", "postgresql": "postgresql://"}[dialect]
    statements = []

    def execute(sql, *multiparams, **params):
        statements.append(str(sql.compile(dialect=engine.dialect)).strip())

    engine = create_mock_engine(url, execute)
    for md in collected.metadatas:
        md.create_all(engine, checkfirst=False)
    return statements


def describe_file(path):
    """Load one file in this (child) process and return {"graph": G} or {"error": ...}."""
    # Warnings keep Python's filters (SAWarning is not an error here); they are
    # only recorded, so that they reach stderr labelled with the file.
    with warnings.catch_warnings(record=True) as caught:
        try:
            if os.path.isdir(path):
                modules = _load_package(path)
            else:
                modules = [_load_module(path)]
            collected = _Collected()
            for module in modules:
                _collect_roots(module, collected)
            configure_mappers()
            _collect_mappers(collected)
            # Resolve every foreign key, as create_all would: this raises
            # NoReferencedTableError / NoReferencedColumnError for a dangling key,
            # and gives a type-less Column(ForeignKey(...)) its target's type.
            for md in collected.metadatas:
                for table in md.tables.values():
                    for fk in table.foreign_keys:
                        fk.column
            result = {
                "graph": {
                    "tables": _describe_tables(collected),
                    "relationships": _describe_relationships(collected),
                }
            }
            if DUMP_ENUMS:
                result["enums"] = _describe_enums(collected)
            if DUMP_DDL:
                try:
                    result["ddl"] = _describe_ddl(collected, DUMP_DDL)
                except Exception as exc:
                    result["ddl_error"] = _error_string(exc)
        except BaseException as exc:  # SystemExit, SyntaxError, ... all count
            result = {"error": _error_string(exc)}
            if os.environ.get("SA2RS_DUMP_TRACEBACK"):
                traceback.print_exc(file=sys.stderr)
    for w in caught:
        sys.stderr.write(
            "%s: %s: %s\n" % (path, w.category.__name__, str(w.message).splitlines()[0])
        )
    return result


def _child_main(path, write_fd):
    # SQLAlchemy's declarative class registry holds classes by weak reference,
    # so a class shadowed by a later class of the same name lives only until the
    # next garbage collection: with the collector on, whether
    # relationship("Name") sees one class or two depends on allocation timing.
    # Without it, every class defined by the file stays visible, every time.
    gc.disable()
    # Anything the model file prints must not reach the parent's JSON on stdout.
    try:
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        result = describe_file(path)
        payload = json.dumps(result).encode("utf-8")
    except BaseException as exc:
        payload = json.dumps({"error": _error_string(exc)}).encode("utf-8")
    view = memoryview(payload)
    while view:
        written = os.write(write_fd, view)
        view = view[written:]
    os.close(write_fd)


# --------------------------------------------------------------------------
# Parent side: fork one child per file, a few at a time.
# --------------------------------------------------------------------------


def _spawn(path):
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_fd)
            _child_main(path, write_fd)
        except BaseException:
            code = 1
        finally:
            try:
                sys.stderr.flush()
            except Exception:
                pass
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _finish(pid, chunks, timed_out):
    if timed_out:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return {
            "error": "TimeoutError: loading took longer than %d seconds"
            % PER_FILE_TIMEOUT_SECONDS
        }
    data = b"".join(chunks)
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        if os.WIFSIGNALED(status):
            how = "killed by signal %d" % os.WTERMSIG(status)
        else:
            how = "exited with status %d" % os.WEXITSTATUS(status)
        return {"error": "ChildProcessError: child %s without a result" % how}


def dump(paths):
    results = {}
    pending = list(paths)
    running = {}  # read_fd -> (path, pid, chunks, deadline)
    while pending or running:
        while pending and len(running) < MAX_PARALLEL:
            path = pending.pop(0)
            pid, read_fd = _spawn(path)
            running[read_fd] = (path, pid, [], time.monotonic() + PER_FILE_TIMEOUT_SECONDS)
        now = time.monotonic()
        timeout = max(0.0, min(entry[3] for entry in running.values()) - now)
        readable, _, _ = select.select(list(running), [], [], timeout)
        for fd in readable:
            path, pid, chunks, _ = running[fd]
            data = os.read(fd, 65536)
            if data:
                chunks.append(data)
                continue
            os.close(fd)
            del running[fd]
            results[path] = _finish(pid, chunks, timed_out=False)
        now = time.monotonic()
        for fd in [fd for fd, entry in running.items() if entry[3] <= now]:
            path, pid, chunks, _ = running.pop(fd)
            os.close(fd)
            results[path] = _finish(pid, chunks, timed_out=True)
    # Keep the command-line order (duplicates collapse onto one key).
    return {path: results[path] for path in dict.fromkeys(paths)}


def main(argv):
    global DUMP_ENUMS, DUMP_DDL
    args = argv[1:]
    while args and args[0] in ("--enums", "--ddl"):
        if args[0] == "--enums":
            DUMP_ENUMS = True
            args = args[1:]
        elif len(args) > 1 and args[1] in ("sqlite", "postgresql"):
            DUMP_DDL = args[1]
            args = args[2:]
        else:
            sys.stderr.write("--ddl takes sqlite or postgresql\n")
            return 2
    if not args or args[0] in ("-h", "--help"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    json.dump(dump(args), sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
