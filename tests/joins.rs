//! Explicit join conditions that sa2rs does not read (`W0007`, the relationship left out and
//! everything else kept) and where their diagnostics point. Fixtures cannot hold these: the
//! differential test requires every relationship SQLAlchemy configures.

mod common;

use common::{codes, run_source};
use sa2rs::Outcome;
use serde_json::Value;

const HEADER: &str = "\
from sqlalchemy import Column, ForeignKey, Integer, String, and_
from sqlalchemy.orm import declarative_base, relationship, backref
Base = declarative_base()
";

/// `User` (with `{user_body}` appended to its body) and `Address` (a foreign key to `user`).
fn models(user_body: &str) -> String {
    format!(
        "{HEADER}
class Address(Base):
    __tablename__ = \"address\"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey(\"user.id\"))
    email = Column(String)

class User(Base):
    __tablename__ = \"user\"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    plain = relationship(\"Address\")
{user_body}
"
    )
}

fn relationship_keys(out: &Outcome) -> Vec<String> {
    let json: Value = serde_json::from_str(out.output.as_deref().expect("no errors")).unwrap();
    json["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}.{}",
                r["class"].as_str().unwrap(),
                r["key"].as_str().unwrap()
            )
        })
        .collect()
}

/// The source text the first diagnostic's primary label covers.
fn primary_text<'a>(out: &Outcome, source: &'a str) -> &'a str {
    let label = &out.diagnostics[0].labels[0];
    &source[label.range.clone()]
}

#[test]
fn unreadable_joins_leave_the_relationship_out_with_w0007() {
    let cases = [
        (
            "    x = relationship(\"Address\", primaryjoin=\"User.id == Address.user_id and Address.email != None\")",
            "User.id == Address.user_id and Address.email != None",
        ),
        (
            "    x = relationship(\"Address\", primaryjoin=\"and_(User.id == Address.user_id, Address.email.op('~')('x'))\", viewonly=True)",
            "Address.email.op('~')",
        ),
        (
            "    x = relationship(\"Address\", primaryjoin=\"name == Address.email\", viewonly=True)",
            "name",
        ),
        (
            "    x = relationship(\"Address\", primaryjoin=lambda: name == Address.email, viewonly=True)",
            "name",
        ),
        (
            "    x = relationship(\"Address\", primaryjoin=\"and_(User.id == Address.user_id, Address)\")",
            "Address",
        ),
        (
            "    x = relationship(\"Address\", primaryjoin=lambda cls: User.id == Address.user_id)",
            "lambda cls: User.id == Address.user_id",
        ),
        (
            "    x = relationship(\"Address\", primaryjoin=\"User.id == Address.user_id == Address.id\")",
            "User.id == Address.user_id == Address.id",
        ),
        (
            "    x = relationship(\"Address\", primaryjoin=\"(User.id == Address.user_id) == True\")",
            "User.id == Address.user_id",
        ),
        (
            "    x = relationship(\"Address\", primaryjoin=\"User.id is Address.user_id\")",
            "User.id is Address.user_id",
        ),
        (
            "    x = relationship(\"Address\", primaryjoin=\"and_(User.id == Address.user_id, Address.email.contains(User.name))\", viewonly=True)",
            "Address.email.contains(User.name)",
        ),
        (
            "    x = relationship(\"Address\", primaryjoin=\"User.id == Address.user_id\", backref=backref(\"y\", primaryjoin=\"Address.user_id == User.id\"))",
            "backref(\"y\", primaryjoin=\"Address.user_id == User.id\")",
        ),
    ];
    for (line, part) in cases {
        let source = models(line);
        let out = run_source(&source);
        assert_eq!(codes(&out), ["W0007"], "{line}");
        assert_eq!(primary_text(&out, &source), part, "{line}");
        assert_eq!(
            relationship_keys(&out),
            ["User.plain"],
            "only the readable relationship is in the graph: {line}"
        );
    }
}

#[test]
fn back_populates_naming_a_relationship_left_out_is_not_an_error() {
    let source = models(
        "    x = relationship(\"Address\", primaryjoin=\"User.id == Address.user_id and True\", back_populates=\"y\")",
    )
    .replace(
        "    email = Column(String)\n",
        "    email = Column(String)\n    y = relationship(\"User\", back_populates=\"x\")\n",
    );
    let out = run_source(&source);
    assert_eq!(codes(&out), ["W0007"]);
    assert_eq!(relationship_keys(&out), ["Address.y", "User.plain"]);
}

#[test]
fn spans_point_into_the_string_or_at_the_whole_literal() {
    let exact =
        models("    x = relationship(\"Address\", primaryjoin=\"User.idd == Address.user_id\")");
    let out = run_source(&exact);
    assert_eq!(codes(&out), ["E0107"]);
    assert_eq!(primary_text(&out, &exact), "User.idd");

    let escaped = models(
        "    x = relationship(\"Address\", primaryjoin=\"User.idd\\x20== Address.user_id\")",
    );
    let out = run_source(&escaped);
    assert_eq!(codes(&out), ["E0107"]);
    assert_eq!(
        primary_text(&out, &escaped),
        "\"User.idd\\x20== Address.user_id\""
    );

    let multiline = models(
        "    x = relationship(\"Address\", primaryjoin=\"\"\"and_(\n        User.id == Adress.user_id)\"\"\")",
    );
    let out = run_source(&multiline);
    assert_eq!(codes(&out), ["E0300"]);
    assert_eq!(primary_text(&out, &multiline), "Adress");
}

#[test]
fn deeply_nested_join_strings_do_not_crash() {
    let deep = format!(
        "    x = relationship(\"Address\", primaryjoin=\"{}User.id == Address.user_id{}\")",
        "and_(".repeat(500),
        ")".repeat(500)
    );
    let out = run_source(&models(&deep));
    assert!(!out.has_errors(), "{:?}", codes(&out));
    assert_eq!(relationship_keys(&out), ["User.plain"]);
}

#[test]
fn a_readable_join_is_in_the_graph() {
    let source = models(
        "    x = relationship(\"Address\", primaryjoin=\"and_(User.id == Address.user_id, Address.email != None)\", viewonly=True)",
    );
    let out = run_source(&source);
    assert!(codes(&out).is_empty(), "{:?}", codes(&out));
    assert_eq!(relationship_keys(&out), ["User.plain", "User.x"]);
}

#[test]
fn a_bare_builtin_name_is_a_value_as_in_python() {
    // `id` is Python's `id()`, bound as a parameter: no foreign key column is left to join on.
    for pj in ["\"id == Address.user_id\"", "lambda: id == Address.user_id"] {
        let source = models(&format!(
            "    x = relationship(\"Address\", primaryjoin={pj})"
        ));
        let out = run_source(&source);
        assert_eq!(codes(&out), ["E0303"], "{pj}");
    }
    // In the class body, `id` is the column declared above.
    let source = models("    x = relationship(\"Address\", primaryjoin=id == Address.user_id)");
    let out = run_source(&source);
    assert!(codes(&out).is_empty(), "{:?}", codes(&out));
}

#[test]
fn a_class_body_join_sees_only_names_bound_above_it() {
    // `user_id: Mapped[int]` maps a column but binds no name in the class body: Python would
    // not find it, so sa2rs does not read it as the column.
    let source = "\
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = \"user\"
    id: Mapped[int] = mapped_column(primary_key=True)

class Address(Base):
    __tablename__ = \"address\"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    owner_id: Mapped[int] = mapped_column(ForeignKey(\"user.id\"))
    user = relationship(User, primaryjoin=user_id == User.id)
    owner = relationship(User, primaryjoin=owner_id == User.id)
    later = relationship(User, primaryjoin=later_id == User.id, viewonly=True)
    later_id: Mapped[int] = mapped_column(ForeignKey(\"user.id\"))
";
    let out = run_source(source);
    assert_eq!(codes(&out), ["W0007", "W0007"]);
    let texts: Vec<&str> = out
        .diagnostics
        .iter()
        .map(|d| &source[d.labels[0].range.clone()])
        .collect();
    assert_eq!(texts, ["user_id", "later_id"]);
    assert_eq!(relationship_keys(&out), ["Address.owner"]);
}
