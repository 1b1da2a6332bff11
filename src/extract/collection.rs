//! `lazy=` and `collection_class=` of a `relationship(...)` or `backref(...)`.

use super::{Extractor, Resolved};
use crate::diagnostics as diag;
use crate::ir::{CollectionClass, Lazy, LoadingDecl, Spanned};
use crate::syntax::{Expr, ExprKind};

impl Extractor<'_> {
    /// Reads `lazy=` or `collection_class=` (`option`) into `loading`; `false` when the value is
    /// not read (it is then recorded as written, with a warning).
    pub(super) fn loading_arg(
        &mut self,
        option: &str,
        e: &Expr,
        loading: &mut LoadingDecl,
    ) -> bool {
        match option {
            "lazy" => {
                let text = match &e.kind {
                    ExprKind::Str(s) => Some(s.as_str()),
                    ExprKind::Bool(true) => Some("True"),
                    ExprKind::Bool(false) => Some("False"),
                    ExprKind::NoneLit => Some("None"),
                    _ => None,
                };
                match text.and_then(Lazy::from_literal) {
                    Some(lazy) => {
                        loading.lazy = Some(Spanned::new(lazy, e.span));
                        true
                    }
                    None => {
                        match text {
                            // `LoaderStrategyException` when mappers are configured.
                            Some(t) => self.diags.push(diag::unknown_loader(e.span, t)),
                            None => self.diags.push(diag::not_literal(e.span, "`lazy=`")),
                        }
                        false
                    }
                }
            }
            _ => {
                let class = self.collection_class(e);
                loading.collection_class = Some(Spanned::new(class, e.span));
                true
            }
        }
    }

    /// What `collection_class=` names.
    fn collection_class(&mut self, e: &Expr) -> CollectionClass {
        let written = || self.files.slice(e.span).to_owned();
        match &e.kind {
            ExprKind::Name(n) if self.scope.binding(n).is_none() => match n.as_str() {
                "list" => return CollectionClass::List,
                "set" => return CollectionClass::Set,
                "dict" => return CollectionClass::PlainDict,
                _ => {}
            },
            ExprKind::Call { func, args, .. } => {
                let keyed = match self.scope.resolve_sqla(func) {
                    Some(Resolved::Sqla(n)) => n,
                    _ => return CollectionClass::Other(written()),
                };
                let Some(arg) = args.first() else {
                    return CollectionClass::Other(written());
                };
                let key = match keyed.as_str() {
                    "attribute_keyed_dict" | "attribute_mapped_collection" => arg
                        .as_str()
                        .map_or_else(|| self.files.slice(arg.span).to_owned(), str::to_owned),
                    // `Note.kind`, `Note.__table__.c.kind`, `note_table.c.kind`.
                    "column_keyed_dict" | "column_mapped_collection" => match &arg.kind {
                        ExprKind::Attribute { attr, .. } => attr.clone(),
                        _ => self.files.slice(arg.span).to_owned(),
                    },
                    "keyfunc_mapping" | "mapped_collection" => {
                        self.files.slice(arg.span).to_owned()
                    }
                    _ => return CollectionClass::Other(written()),
                };
                return CollectionClass::KeyedDict { key };
            }
            _ => {}
        }
        CollectionClass::Other(written())
    }
}
