#!/usr/bin/env python3
"""Generate a models file of N mapped classes, for the benchmark.

Usage: generate.py N {classic,mapped} OUT.py

Every class has six columns of mixed types, a foreign key to the previous class, and both sides
of a one-to-many with it; every tenth class also has a many-to-many with its neighbour through
an association table. The file imports cleanly under SQLAlchemy, so the same file feeds sa2rs,
`ast.parse` and a real `configure_mappers()`.
"""

import sys


def classic(n):
    out = [
        "from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, Numeric, String, Table, Text",
        "from sqlalchemy.orm import declarative_base, relationship",
        "",
        "Base = declarative_base()",
        "",
    ]
    for i in range(n):
        if i % 10 == 1:
            out += [
                f"assoc_{i} = Table(",
                f'    "assoc_{i}", Base.metadata,',
                f'    Column("left_id", ForeignKey("t{i - 1}.id"), primary_key=True),',
                f'    Column("right_id", ForeignKey("t{i}.id"), primary_key=True),',
                ")",
                "",
            ]
        out += [
            f"class C{i}(Base):",
            f'    __tablename__ = "t{i}"',
            "    id = Column(Integer, primary_key=True)",
            "    name = Column(String(80), nullable=False)",
            "    body = Column(Text)",
            "    price = Column(Numeric(10, 2))",
            "    active = Column(Boolean, default=True)",
            "    created_at = Column(DateTime)",
        ]
        if i > 0:
            out += [
                f'    prev_id = Column(Integer, ForeignKey("t{i - 1}.id"))',
                f'    prev = relationship("C{i - 1}", back_populates="next")',
            ]
        if i + 1 < n:
            out.append(f'    next = relationship("C{i + 1}", back_populates="prev")')
        if i % 10 == 1:
            out.append(f'    peers = relationship("C{i - 1}", secondary=assoc_{i})')
        out.append("")
    return "\n".join(out) + "\n"


def mapped(n):
    out = [
        "import datetime",
        "from decimal import Decimal",
        "from typing import List, Optional",
        "",
        "from sqlalchemy import Column, ForeignKey, Numeric, String, Table",
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship",
        "",
        "",
        "class Base(DeclarativeBase):",
        "    pass",
        "",
    ]
    for i in range(n):
        if i % 10 == 1:
            out += [
                f"assoc_{i} = Table(",
                f'    "assoc_{i}", Base.metadata,',
                f'    Column("left_id", ForeignKey("t{i - 1}.id"), primary_key=True),',
                f'    Column("right_id", ForeignKey("t{i}.id"), primary_key=True),',
                ")",
                "",
            ]
        out += [
            f"class C{i}(Base):",
            f'    __tablename__ = "t{i}"',
            "    id: Mapped[int] = mapped_column(primary_key=True)",
            "    name: Mapped[str] = mapped_column(String(80))",
            "    body: Mapped[Optional[str]]",
            "    price: Mapped[Optional[Decimal]] = mapped_column(Numeric(10, 2))",
            "    active: Mapped[bool] = mapped_column(default=True)",
            "    created_at: Mapped[Optional[datetime.datetime]]",
        ]
        if i > 0:
            out += [
                f'    prev_id: Mapped[Optional[int]] = mapped_column(ForeignKey("t{i - 1}.id"))',
                f'    prev: Mapped[Optional["C{i - 1}"]] = relationship(back_populates="next")',
            ]
        if i + 1 < n:
            out.append(f'    next: Mapped[List["C{i + 1}"]] = relationship(back_populates="prev")')
        if i % 10 == 1:
            out.append(f'    peers: Mapped[List["C{i - 1}"]] = relationship(secondary=assoc_{i})')
        out.append("")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("classic", "mapped"):
        sys.exit(__doc__)
    n = int(sys.argv[1])
    text = classic(n) if sys.argv[2] == "classic" else mapped(n)
    with open(sys.argv[3], "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
