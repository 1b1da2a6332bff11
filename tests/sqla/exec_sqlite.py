#!/usr/bin/env python3
"""Execute DDL scripts in fresh in-memory SQLite databases.

Reads a JSON object {name: {"ddl": SQL, "schemas": [schema, ...]}} on stdin;
each script runs in its own database, with every schema attached as another
in-memory database and foreign keys enforced. Prints a JSON object mapping
each name to null (it ran) or the error SQLite raised, then checks that every
table the script creates is there (sqlite_master).
"""

import json
import re
import sqlite3
import sys


def run(ddl, schemas):
    db = sqlite3.connect(":memory:")
    try:
        db.execute("PRAGMA foreign_keys = ON")
        for schema in schemas:
            db.execute("ATTACH DATABASE ':memory:' AS \"%s\"" % schema.replace('"', '""'))
        db.executescript(ddl)
        created = len(re.findall(r"^CREATE TABLE ", ddl, re.M))
        found = 0
        for schema in ["main"] + list(schemas):
            quoted = '"%s"' % schema.replace('"', '""')
            found += db.execute(
                # (`sqlite_sequence` is SQLite's own, made for an AUTOINCREMENT column.)
                "SELECT count(*) FROM %s.sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'" % quoted
            ).fetchone()[0]
        if found != created:
            return "%d CREATE TABLE statements made %d tables" % (created, found)
        return None
    except sqlite3.Error as exc:
        return "%s: %s" % (type(exc).__name__, exc)
    finally:
        db.close()


def main():
    scripts = json.load(sys.stdin)
    json.dump({name: run(s["ddl"], s["schemas"]) for name, s in scripts.items()}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
