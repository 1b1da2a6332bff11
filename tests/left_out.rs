//! Classes whose `__tablename__` sa2rs cannot compute: each is left out with a warning that
//! says so (`W0600`), and so are its subclasses (`W0601`); relationships to it (`W0602`) and
//! foreign keys that may point at its table (`W0603`) are reported, not failed. Fixtures cannot
//! hold these: the differential test requires every class SQLAlchemy maps.

mod common;

use common::codes;
use sa2rs::{Emit, Input, Outcome};
use serde_json::Value;

fn run(inputs: Vec<Input>) -> Outcome {
    sa2rs::run(inputs, Emit::GraphJson)
}

fn module(name: &str, source: &str) -> Input {
    Input {
        name: format!("app/{name}.py"),
        module: format!("app.{name}"),
        is_package: false,
        bytes: source.as_bytes().to_vec(),
    }
}

fn tables(out: &Outcome) -> Vec<String> {
    let json: Value =
        serde_json::from_str(out.output.as_deref().expect("no errors")).expect("JSON");
    json["tables"]
        .as_object()
        .expect("tables")
        .keys()
        .cloned()
        .collect()
}

const MODELS: &str = "
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import relationship

from app.base import Base


class IncidentType(Base):
    id = Column(Integer, primary_key=True)


class SpecialType(IncidentType):
    __tablename__ = \"special_type\"
    id = Column(Integer, ForeignKey(\"incident_type.id\"), primary_key=True)


class Incident(Base):
    __tablename__ = \"incident\"
    id = Column(Integer, primary_key=True)
    incident_type_id = Column(Integer, ForeignKey(\"incident_type.id\"))
    incident_type = relationship(\"IncidentType\")
";

fn base(body: &str) -> String {
    format!(
        "
import inflection
from sqlalchemy.orm import DeclarativeBase, declared_attr


class Base(DeclarativeBase):
{body}
"
    )
}

#[test]
fn a_name_computed_by_code_sa2rs_does_not_run() {
    let body = "    @declared_attr.directive
    def __tablename__(cls):
        return inflection.underscore(cls.__name__)
";
    let out = run(vec![module("base", &base(body)), module("models", MODELS)]);
    assert_eq!(codes(&out), ["W0600", "W0601", "W0603", "W0602"]);
    assert_eq!(tables(&out), ["incident"]);
    let text = sa2rs::diagnostics::render_plain(&out.files, &out.diagnostics);
    assert!(
        text.contains("class `IncidentType` is left out")
            && text.contains("calls `inflection.underscore(...)`, which sa2rs does not run")
            && text.contains("class `SpecialType` is left out: its mapped parent `IncidentType`"),
        "{text}"
    );
}

#[test]
fn a_loop_is_not_evaluated() {
    let body = "    @declared_attr.directive
    def __tablename__(cls):
        out = ''
        for c in cls.__name__:
            out = out + c.lower()
        return out
";
    let out = run(vec![module("base", &base(body)), module("models", MODELS)]);
    let text = sa2rs::diagnostics::render_plain(&out.files, &out.diagnostics);
    assert!(text.contains("uses a `for` statement"), "{text}");
    assert!(!out.has_errors(), "{text}");
}

#[test]
fn a_plain_function_is_not_a_name() {
    let body = "    def __tablename__(cls):
        return cls.__name__.lower()
";
    let out = run(vec![module("base", &base(body)), module("models", MODELS)]);
    let text = sa2rs::diagnostics::render_plain(&out.files, &out.diagnostics);
    assert!(
        text.contains("a plain function, not a `@declared_attr`"),
        "{text}"
    );
}

#[test]
fn a_name_that_is_no_literal() {
    let source = "
import os
from sqlalchemy import Column, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Setting(Base):
    __tablename__ = os.environ['SETTINGS_TABLE']
    id = Column(Integer, primary_key=True)


class Other(Base):
    __tablename__ = 'other'
    id = Column(Integer, primary_key=True)
";
    let out = run(vec![Input::standalone(
        "models.py",
        source.as_bytes().to_vec(),
    )]);
    let text = sa2rs::diagnostics::render_plain(&out.files, &out.diagnostics);
    assert_eq!(codes(&out), ["W0600"], "{text}");
    assert!(
        text.contains("is read from the environment at run time"),
        "{text}"
    );
    assert_eq!(tables(&out), ["other"]);
}

/// An Alembic migration script declares its own `Base` and tables that the application's
/// models declare too: it is left out (`W0014`, once for all of them), as the application never
/// imports it, instead of failing with a table defined twice.
#[test]
fn alembic_migration_scripts_are_left_out() {
    let models = "
from sqlalchemy import Column, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Plugin(Base):
    __tablename__ = 'plugin'
    id = Column(Integer, primary_key=True)
";
    let migration = "
from alembic import op
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

revision = 'abc123'
Base = declarative_base()


class Plugin(Base):
    __tablename__ = 'plugin'
    id = Column(Integer, primary_key=True)
    slug = Column(String)


def upgrade():
    op.add_column('plugin', Column('slug', String))
";
    let out = run(vec![
        module("models", models),
        module("versions_1", migration),
        module("versions_2", migration),
    ]);
    assert_eq!(codes(&out), ["W0014"]);
    assert_eq!(
        out.diagnostics[0].message,
        "2 Alembic migration scripts left out (`app/versions_1.py`, ...)"
    );
    assert_eq!(tables(&out), ["plugin"]);
    // A module the models import is not a migration, whatever it imports.
    let helper = "import alembic\nfrom sqlalchemy import Integer\nID = Integer\n";
    let uses = models.replace(
        "Base = declarative_base()",
        "from app.helper import ID\nBase = declarative_base()",
    );
    let out = run(vec![module("models", &uses), module("helper", helper)]);
    assert!(codes(&out).is_empty(), "{:?}", codes(&out));
    // A single input is read whatever it imports.
    let out = run(vec![module("versions_1", migration)]);
    assert!(codes(&out).is_empty(), "{:?}", codes(&out));
    assert_eq!(tables(&out), ["plugin"]);
}
