//! Bound inference: which field types need a `where` predicate, and the
//! predicates and generics of the derived impls.
//!
//! A field type that names a type or const parameter can only be checked per
//! instantiation, so what the impl asks of it goes into the `where` clause. A
//! concrete type is checked once, at the field, and needs no predicate.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::{Generics, Lifetime, TypeParamBound};

/// The type and const parameters of the input: the names that make a field's
/// type checkable only per instantiation.
pub(crate) struct Params<'a> {
    idents: Vec<&'a Ident>,
}

impl<'a> Params<'a> {
    pub(crate) fn new(generics: &'a Generics) -> Self {
        let mut idents: Vec<&Ident> = generics.type_params().map(|p| &p.ident).collect();
        idents.extend(generics.const_params().map(|p| &p.ident));
        Params { idents }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.idents.is_empty()
    }

    /// Whether `tokens` name a parameter. `Self` counts in a generic type,
    /// since it stands for the type applied to its parameters.
    pub(crate) fn named_in(&self, tokens: TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            TokenTree::Ident(ident) if ident == "Self" => !self.is_empty(),
            TokenTree::Ident(ident) => self.idents.iter().any(|param| **param == ident),
            TokenTree::Group(group) => self.named_in(group.stream()),
            TokenTree::Punct(_) | TokenTree::Literal(_) => false,
        })
    }
}

/// `where` predicates, one per bounded type: `Vec<T>: Reset + Send` rather
/// than a predicate per trait, which lints such as clippy's
/// `type_repetition_in_bounds` would report on the user's field.
#[derive(Default, Clone)]
pub(crate) struct Bounds {
    types: Vec<TypeBounds>,
}

#[derive(Clone)]
struct TypeBounds {
    /// `ty` as written: token streams cannot be compared, their text can.
    key: String,
    ty: TokenStream,
    /// Where an unmet bound is reported: the first field that asked for one.
    span: Span,
    /// Traits and lifetimes, in the order they were first asked for.
    bounds: Vec<TokenStream>,
}

impl Bounds {
    pub(crate) fn add(&mut self, ty: &TokenStream, span: Span, bound: TokenStream) {
        let key = ty.to_string();
        let Some(entry) = self.types.iter_mut().find(|entry| entry.key == key) else {
            let ty = ty.clone();
            let bounds = vec![bound];
            self.types.push(TypeBounds {
                key,
                ty,
                span,
                bounds,
            });
            return;
        };
        // Two fields of one type ask the same of it once.
        let bound_key = bound.to_string();
        if !entry.bounds.iter().any(|b| b.to_string() == bound_key) {
            entry.bounds.push(bound);
        }
    }

    pub(crate) fn predicates(&self) -> Vec<TokenStream> {
        let predicate =
            |TypeBounds {
                 ty, span, bounds, ..
             }: &TypeBounds| { quote_spanned!(*span=> #ty: #(#bounds)+*) };
        self.types.iter().map(predicate).collect()
    }
}

/// The type's generics with `'static` added to every type parameter's
/// bounds: a pool outlives any borrow, so every instantiation of a pooled
/// type must be `'static`.
pub(crate) fn with_static(generics: &Generics) -> Generics {
    let mut generics = generics.clone();
    for param in generics.type_params_mut() {
        let span = param.ident.span();
        param.bounds.push(TypeParamBound::Lifetime(Lifetime {
            apostrophe: span,
            ident: Ident::new("static", span),
        }));
    }
    generics
}

/// The user's `where` predicates, which every impl of the type repeats,
/// followed by `extra`.
pub(crate) fn where_clause(generics: &Generics, extra: &[TokenStream]) -> TokenStream {
    let user = generics.where_clause.iter();
    let user: Vec<_> = user.flat_map(|w| w.predicates.iter()).collect();
    if user.is_empty() && extra.is_empty() {
        return TokenStream::new();
    }
    quote!(where #(#user,)* #(#extra,)*)
}
