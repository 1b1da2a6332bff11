//! Class statements and their method resolution order: which classes of the module are
//! declarative, and Python's C3 linearization of their bases, so that the declarative scan
//! (`declarative.rs`) can walk a mapped class's MRO as SQLAlchemy does.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::{IndexMap, IndexSet};

use super::declarative::BodyDecl;
use super::{Extractor, Resolved};
use crate::source::Span;
use crate::syntax::{ClassDef, Expr, ExprKind};

/// What a class statement is to declarative mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RecordKind {
    /// Not declarative: a mixin if a mapped class inherits it.
    Plain,
    /// A declarative base (`class Base(DeclarativeBase)`): unmapped, scanned like a mixin.
    Base,
    /// `__abstract__ = True` (or `AbstractConcreteBase`): unmapped, scanned like a mixin.
    Abstract,
    Mapped,
}

/// A class of an MRO: one whose record sa2rs has (a class statement of this file, or one of
/// another input module loaded into this file's records), or one sa2rs cannot see into
/// (SQLAlchemy's own, from outside the input, a variable).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum MroItem {
    Local(usize),
    Opaque(String),
}

/// One class statement of the module.
pub(super) struct ClassRecord {
    pub name: String,
    /// `module.Name`: where the class statement is (another module's, for a loaded record).
    pub path: String,
    pub def: Arc<ClassDef>,
    pub kind: RecordKind,
    /// A Flask-SQLAlchemy model (automatic table names).
    pub flask: bool,
    /// A plain class whose bases include a name sa2rs cannot see.
    pub opaque: bool,
    /// The direct bases, with their spans.
    pub bases: Vec<(MroItem, Span)>,
    /// `cls.__mro__`, starting with the class itself.
    pub mro: Vec<MroItem>,
    /// The body, read on first use.
    pub body: Option<Arc<BodyDecl>>,
    /// What reading the body of a class of another module reported, to report on first use.
    pub pending: Vec<crate::diagnostics::Diagnostic>,
    /// A mapped class that made it into the output.
    pub kept: bool,
    /// A mapped class left out with a warning (not an error).
    pub left_out: bool,
    /// For a mapped class: every attribute name its mapping puts on the class.
    pub mapped_names: Arc<IndexSet<String>>,
    /// Its MRO is longer than sa2rs follows.
    pub too_deep: bool,
    /// A mapped class with a table of its own (not a single-table subclass).
    pub own_table: bool,
}

/// Limit on `__abstract__` chains followed to find a mapped parent.
const MAX_ABSTRACT_DEPTH: usize = 64;

/// Limit on the length of an MRO (a class hierarchy this deep is not a model file's).
pub(super) const MAX_MRO: usize = 512;

impl Extractor<'_> {
    /// Records a class statement and computes its MRO. Returns its index.
    pub(super) fn record_class(
        &mut self,
        c: &Arc<ClassDef>,
        kind: RecordKind,
        flask: bool,
    ) -> usize {
        let bases: Vec<(MroItem, Span)> =
            c.bases.iter().map(|b| (self.mro_item(b), b.span)).collect();
        let mut mro = self.c3(&bases.iter().map(|(b, _)| b.clone()).collect::<Vec<_>>());
        let too_deep = mro.len() >= MAX_MRO;
        if too_deep {
            mro.truncate(MAX_MRO);
        }
        let index = self.records.len();
        let mut full = vec![MroItem::Local(index)];
        full.extend(mro);
        self.records.push(ClassRecord {
            name: c.name.clone(),
            path: format!("{}.{}", self.module, c.name),
            def: Arc::clone(c),
            kind,
            flask,
            opaque: false,
            bases,
            mro: full,
            body: None,
            pending: Vec::new(),
            kept: false,
            left_out: false,
            mapped_names: Default::default(),
            too_deep,
            own_table: false,
        });
        self.record_by_name.insert(c.name.clone(), index);
        self.class_aliases.shift_remove(&c.name);
        index
    }

    /// Binds `names` as aliases of the class `value` names when it names one (`X = A`, or
    /// `Y = X` for such an alias), or of the declarative base it names; unbinds them from a
    /// class otherwise. The class is the one bound when the
    /// assignment runs, so an alias never refers to itself.
    pub(super) fn bind_class_alias(&mut self, names: &[&str], value: &Expr) {
        let class = value.as_name().and_then(|n| self.class_named(n));
        // `Model = Base`: another name for a declarative base.
        if let Some(kind) = value.as_name().and_then(|n| self.bases.get(n)).copied() {
            for name in names {
                self.bases.insert((*name).to_owned(), kind);
            }
        }
        for name in names {
            match &class {
                Some(class) => {
                    self.class_aliases.insert((*name).to_owned(), class.clone());
                }
                None => {
                    self.class_aliases.shift_remove(*name);
                }
            }
        }
    }

    /// The class statement a module-level name is bound to now: a class of that name, or an
    /// alias of one.
    fn class_named(&self, name: &str) -> Option<String> {
        match self.class_aliases.get(name) {
            Some(class) => Some(class.clone()),
            None => self
                .record_by_name
                .contains_key(name)
                .then(|| name.to_owned()),
        }
    }

    /// A class base as the module binds it: `Local(A)` for an alias `X = A` of a class.
    pub(super) fn resolve_base(&self, base: &Expr) -> Option<Resolved> {
        match base.as_name().and_then(|n| self.class_aliases.get(n)) {
            Some(class) => Some(Resolved::Local(class.clone())),
            None => self.scope.resolve(base),
        }
    }

    fn mro_item(&mut self, base: &Expr) -> MroItem {
        // `Mixin[int]`: a generic class's `__mro_entries__` is the class itself.
        if let ExprKind::Subscript { value, .. } = &base.kind {
            return self.mro_item(value);
        }
        match self.resolve_base(base) {
            Some(Resolved::Local(n)) => match self.record_by_name.get(&n) {
                Some(&i) => MroItem::Local(i),
                None => MroItem::Opaque(n),
            },
            // A class of another input module is scanned like one of this module.
            Some(Resolved::Imported(n)) => match self.remote_record(&n) {
                Some(i) => MroItem::Local(i),
                None => MroItem::Opaque(n),
            },
            Some(Resolved::Sqla(n) | Resolved::Python(n)) => MroItem::Opaque(n),
            Some(Resolved::Unbound(n)) => MroItem::Opaque(n),
            None => MroItem::Opaque(self.files.slice(base.span).to_owned()),
        }
    }

    /// Python's C3 linearization of the bases' MROs (without the class itself). An inconsistent
    /// hierarchy, which Python refuses, falls back to depth-first order.
    fn c3(&self, bases: &[MroItem]) -> Vec<MroItem> {
        let mro_of = |b: &MroItem| match b {
            MroItem::Local(i) => self.records[*i].mro.clone(),
            other => vec![other.clone()],
        };
        if let [only] = bases {
            return mro_of(only);
        }
        let mut seqs: Vec<VecDeque<MroItem>> = bases.iter().map(|b| mro_of(b).into()).collect();
        seqs.push(bases.iter().cloned().collect());
        // How many sequences hold each item outside their head: a head is a candidate when
        // no tail holds it.
        let mut in_tails: IndexMap<MroItem, usize> = IndexMap::default();
        for s in &seqs {
            for x in s.iter().skip(1) {
                *in_tails.entry(x.clone()).or_default() += 1;
            }
        }
        let mut out: Vec<MroItem> = Vec::new();
        loop {
            seqs.retain(|s| !s.is_empty());
            if seqs.is_empty() {
                return out;
            }
            let head = seqs
                .iter()
                .map(|s| &s[0])
                .find(|h| in_tails.get(*h).copied().unwrap_or(0) == 0)
                .cloned();
            let Some(head) = head else {
                for b in bases.iter().flat_map(mro_of) {
                    if !out.contains(&b) {
                        out.push(b);
                    }
                }
                return out;
            };
            for s in &mut seqs {
                if s.front() == Some(&head) {
                    s.pop_front();
                    if let Some(next) = s.front() {
                        if let Some(n) = in_tails.get_mut(next) {
                            *n = n.saturating_sub(1);
                        }
                    }
                }
            }
            out.push(head);
        }
    }

    /// `_resolve_for_abstract_or_classical`: a mapped base, or the mapped base an `__abstract__`
    /// base inherits.
    pub(super) fn mapped_base(&self, item: &MroItem, depth: usize) -> Option<usize> {
        let MroItem::Local(i) = item else {
            return None;
        };
        let r = &self.records[*i];
        match r.kind {
            RecordKind::Mapped if r.kept => Some(*i),
            RecordKind::Abstract if depth < MAX_ABSTRACT_DEPTH => r
                .bases
                .iter()
                .find_map(|(b, _)| self.mapped_base(b, depth + 1)),
            _ => None,
        }
    }
}
