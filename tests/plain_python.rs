//! Bases and class attributes from libraries unrelated to SQLAlchemy are plain Python: no
//! warning. Those sa2rs cannot rule out (a package it does not know) keep theirs. Fixtures cannot
//! hold these: the differential test's venv has no Flask-Login.

mod common;

use common::{codes, run_source};

const MODELS: &str = "
from flask_login import UserMixin
from pydantic import ConfigDict
from sqlalchemy import Column, Integer
from sqlalchemy.orm import declarative_base

from {package} import AuditMixin, make_settings

Base = declarative_base()


class User(UserMixin, AuditMixin, Base):
    __tablename__ = 'user_account'
    id = Column(Integer, primary_key=True)
    model_config = ConfigDict(extra='ignore')
    settings = make_settings()
";

#[test]
fn library_mixins_and_attributes() {
    let out = run_source(&MODELS.replace("{package}", "myapp.audit"));
    let text = sa2rs::diagnostics::render_plain(&out.files, &out.diagnostics);
    // `UserMixin` and `ConfigDict` are plain; `AuditMixin` and `make_settings` of an unknown
    // package may declare columns.
    assert_eq!(codes(&out), ["W0003", "W0006"], "{text}");
    assert!(text.contains("mixin `myapp.audit.AuditMixin`"), "{text}");
    assert!(text.contains("`User.settings`"), "{text}");
}
