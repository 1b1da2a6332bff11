//! Class attributes and mixins that are plain Python, not SQLAlchemy constructs: declarative
//! leaves them on the class, and so does sa2rs, silently (`model_config = ConfigDict(...)`,
//! `log = logging.getLogger(__name__)`, `class User(UserMixin, db.Model)` with Flask-Login's
//! `UserMixin`). A call sa2rs cannot see into and cannot rule out (a
//! function of the input, a name bound nowhere, a package it does not know) may build a column:
//! that one is reported.

use super::{Extractor, Resolved};

/// Packages whose calls never build a SQLAlchemy construct: Python's standard library and
/// well-known libraries that models import for other purposes.
const PLAIN_PACKAGES: &[&str] = &[
    // standard library
    "abc",
    "collections",
    "contextlib",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "functools",
    "hashlib",
    "itertools",
    "json",
    "logging",
    "math",
    "operator",
    "os",
    "pathlib",
    "random",
    "re",
    "secrets",
    "string",
    "threading",
    "time",
    "types",
    "typing",
    "typing_extensions",
    "uuid",
    "weakref",
    // libraries
    "attr",
    "attrs",
    "babel",
    "flask",
    "flask_babel",
    "flask_login",
    "itsdangerous",
    "jinja2",
    "markupsafe",
    "marshmallow",
    "passlib",
    "pydantic",
    "pydantic_settings",
    "pytz",
    "werkzeug",
    "wtforms",
];

impl Extractor<'_> {
    /// Whether a class attribute's call, to the callee `resolved`, is plain Python: a builtin,
    /// or a function or class of a package that has nothing to do with SQLAlchemy and is not
    /// part of the input.
    pub(super) fn plain_python(&self, resolved: Option<&Resolved>) -> bool {
        match resolved {
            Some(Resolved::Python(_)) => true,
            Some(Resolved::Imported(path)) => {
                let root = path.split('.').next().unwrap_or(path);
                PLAIN_PACKAGES.contains(&root) && !self.index.has_package(root)
            }
            _ => false,
        }
    }
}
