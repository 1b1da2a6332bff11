//! Collections and loaders: `uselist`, `collection_class` and `lazy`, as SQLAlchemy's
//! `RelationshipProperty.declarative_scan` (annotations), `_post_init` (`uselist` from the
//! direction) and `_WriteOnlyLoader.init_class_attribute` (query-only loaders) decide them.

use crate::diagnostics::{self as diag, Diagnostic};
use crate::graph::{Direction, Holds, Loading};
use crate::ir::{Collection, CollectionClass, Lazy, LoadingDecl, RelationshipDecl, Spanned};

/// What the annotation and `collection_class=` settle before the direction is known
/// (`declarative_scan`).
pub(super) struct Scanned {
    /// `Some(false)` when a scalar `Mapped[X]` annotation forces a scalar.
    forced_uselist: Option<bool>,
    lazy: Option<Spanned<Lazy>>,
    collection: Option<CollectionClass>,
}

/// `declarative_scan`: the collection class an annotation implies (unless `collection_class=`
/// is given), the scalar a non-collection annotation forces, and the loader `WriteOnlyMapped` /
/// `DynamicMapped` set (over `lazy=`). `Err` where SQLAlchemy raises `ArgumentError`.
pub(super) fn scan(rel: &RelationshipDecl, class: &str) -> Result<Scanned, Diagnostic> {
    let key = &rel.attr.value;
    let given = rel.loading.collection_class.as_ref();
    if let Some(Spanned {
        value: CollectionClass::PlainDict,
        span,
    }) = given
    {
        return Err(diag::dict_without_key(*span, class, key));
    }
    let mut scanned = Scanned {
        forced_uselist: None,
        lazy: rel.loading.lazy.clone(),
        collection: given.map(|c| c.value.clone()),
    };
    let Some(ann) = &rel.annotation else {
        return Ok(scanned);
    };
    if ann.lazy.is_some() {
        scanned.lazy = ann.lazy.clone();
    }
    if scanned.collection.is_none() {
        if let Some(c) = &ann.collection {
            scanned.collection = Some(match &c.value {
                Collection::List => CollectionClass::List,
                Collection::Set => CollectionClass::Set,
                Collection::Dict => return Err(diag::dict_without_key(c.span, class, key)),
                Collection::Abstract(name) => {
                    return Err(diag::abstract_collection(c.span, class, key, name))
                }
            });
        }
    }
    if scanned.collection.is_none() && ann.lazy.is_none() {
        scanned.forced_uselist = Some(false);
    }
    default_factory(rel, &scanned, ann.lazy.is_some(), class)?;
    Ok(scanned)
}

/// `declarative_scan`: a dataclass `default_factory=` of an annotated relationship must be
/// exactly its collection class (`list` for write-only and dynamic ones), or the plain
/// `dict` a keyed dict collection acts as.
fn default_factory(
    rel: &RelationshipDecl,
    scanned: &Scanned,
    query_only: bool,
    class: &str,
) -> Result<(), Diagnostic> {
    let Some((_, given)) = rel.options.iter().find(|(k, _)| k == "default_factory") else {
        return Ok(());
    };
    let expected: &[&str] = match (&scanned.collection, query_only) {
        (_, true) => &["list"],
        (None, false) => &[],
        (Some(CollectionClass::List), _) => &["list"],
        (Some(CollectionClass::Set), _) => &["set"],
        (Some(CollectionClass::KeyedDict { .. }), _) => &["dict"],
        // A custom class: sa2rs cannot tell what it acts as.
        (Some(CollectionClass::Other(_) | CollectionClass::PlainDict), _) => return Ok(()),
    };
    if expected.contains(&given.trim()) {
        return Ok(());
    }
    let expected = match expected.first() {
        Some(e) => format!("`{e}`"),
        None => "not given: the relationship holds one row".to_owned(),
    };
    Err(diag::default_factory_mismatch(
        rel.attr.span,
        class,
        &rel.attr.value,
        given,
        &expected,
    ))
}

/// `uselist`: what `declarative_scan` forced, else the explicit value, else
/// `direction is not MANYTOONE` (`_post_init`).
pub(super) fn uselist(scanned: &Scanned, explicit: Option<bool>, direction: Direction) -> bool {
    scanned
        .forced_uselist
        .or(explicit)
        .unwrap_or(direction != Direction::ManyToOne)
}

/// The loader and what the attribute holds; `Err` for a dynamic or write-only loader on a
/// scalar or many-to-one relationship (`InvalidRequestError` when mappers are configured).
pub(super) fn loading(
    scanned: &Scanned,
    uselist: bool,
    direction: Direction,
    at: (&str, &str, crate::source::Span),
) -> Result<Loading, Diagnostic> {
    let lazy = scanned.lazy.as_ref().map_or(Lazy::Select, |l| l.value);
    if lazy.is_query_only() && (!uselist || direction == Direction::ManyToOne) {
        let span = scanned.lazy.as_ref().map_or(at.2, |l| l.span);
        let why = match direction {
            Direction::ManyToOne => "is many-to-one",
            _ => "holds one row (`uselist=False`)",
        };
        let what = format!("lazy=\"{}\"", lazy.sqla_name());
        return Err(diag::query_loader_on_scalar(span, at.0, at.1, &what, why));
    }
    let holds = match (&scanned.collection, lazy) {
        _ if !uselist => Holds::Scalar,
        (_, Lazy::WriteOnly) => Holds::WriteOnly,
        (_, Lazy::Dynamic) => Holds::Dynamic,
        (None | Some(CollectionClass::List), _) => Holds::List,
        (Some(CollectionClass::Set), _) => Holds::Set,
        (Some(CollectionClass::KeyedDict { key }), _) => Holds::KeyedDict { key: key.clone() },
        (Some(CollectionClass::Other(text)), _) => Holds::Other(text.clone()),
        // Refused by `scan`.
        (Some(CollectionClass::PlainDict), _) => Holds::Other("dict".to_owned()),
    };
    Ok(Loading { lazy, holds })
}

/// What a `backref(...)`'s own `lazy=` / `collection_class=` settle (it has no annotation).
pub(super) fn scan_backref(
    loading: &LoadingDecl,
    class: &str,
    key: &str,
) -> Result<Scanned, Diagnostic> {
    if let Some(Spanned {
        value: CollectionClass::PlainDict,
        span,
    }) = &loading.collection_class
    {
        return Err(diag::dict_without_key(*span, class, key));
    }
    Ok(Scanned {
        forced_uselist: None,
        lazy: loading.lazy.clone(),
        collection: loading.collection_class.as_ref().map(|c| c.value.clone()),
    })
}
