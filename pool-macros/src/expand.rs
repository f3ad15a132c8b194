//! Code generation. Everything is wrapped in `const _: () = { ... };` and
//! names only `<crate>::__private::...`, so the output neither adds names to
//! the user's module nor depends on what that module has in scope.

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Generics, Lifetime, TypeParamBound};

use crate::ast::{Derive, Field, Input};
use crate::attr::Errors;
use crate::valid;

pub(crate) fn derive(input: &DeriveInput, derive: Derive) -> TokenStream {
    let mut errors = Errors::new();
    let input = Input::from_syn(input, &mut errors);
    valid::check(&input, derive, &mut errors);
    let cx = Cx::new(&input);
    match errors.finish() {
        Ok(()) => {
            let mut items = TokenStream::new();
            let reset = input.attrs.manual_reset.is_none().then(|| cx.reset_parts());
            if let Some(parts) = &reset {
                items.extend(cx.reset_impl(parts));
            }
            if derive == Derive::Pooled {
                items.extend(cx.pooled_impl(reset.as_ref()));
            }
            cx.wrap(items)
        }
        Err(error) => {
            let error = error.into_compile_error();
            let fallback = cx.wrap(cx.fallback(derive));
            quote!(#error #fallback)
        }
    }
}

#[derive(Default)]
struct ResetParts {
    resets: Vec<TokenStream>,
    oversized: Vec<TokenStream>,
    bounds: Bounds,
}

/// `where` predicates, one per bounded type: `Vec<T>: Reset + Send` rather
/// than a predicate per trait, which lints such as clippy's
/// `type_repetition_in_bounds` would report on the user's field.
#[derive(Default, Clone)]
struct Bounds {
    /// The type as written (for deduplication), the type, its span, and the
    /// traits or lifetimes it must satisfy.
    entries: Vec<(String, TokenStream, Span, Vec<TokenStream>)>,
}

impl Bounds {
    fn add(&mut self, ty: &TokenStream, span: Span, bound: TokenStream) {
        let key = ty.to_string();
        match self.entries.iter_mut().find(|entry| entry.0 == key) {
            // Two fields of one type ask the same of it once.
            Some(entry) if entry.3.iter().any(|b| b.to_string() == bound.to_string()) => {}
            Some(entry) => entry.3.push(bound),
            None => self.entries.push((key, ty.clone(), span, vec![bound])),
        }
    }

    fn predicates(&self) -> Vec<TokenStream> {
        let entries = self.entries.iter();
        entries
            .map(|(_, ty, span, bounds)| quote_spanned!(*span=> #ty: #(#bounds)+*))
            .collect()
    }
}

struct Cx<'a> {
    input: &'a Input<'a>,
    /// `::repool`, or the `crate = path`.
    krate: TokenStream,
    /// The name under which [`Cx::wrap`] imports `<krate>::__private`.
    private: Ident,
    /// Type and const parameters: a field type naming one needs a `where`
    /// predicate, since it can only be checked per instantiation.
    params: Vec<&'a Ident>,
    /// `Name::<A, B, N>`, which replaces `Self` in tokens copied into places
    /// where `Self` means something else or nothing.
    self_ty: TokenStream,
}

impl<'a> Cx<'a> {
    fn new(input: &'a Input<'a>) -> Self {
        let krate = match &input.attrs.krate {
            Some(setting) => setting.value.to_token_stream(),
            None => quote!(::repool),
        };
        let generics = input.generics;
        let mut params: Vec<&Ident> = generics.type_params().map(|p| &p.ident).collect();
        params.extend(generics.const_params().map(|p| &p.ident));
        let ident = input.ident;
        let (_, ty_generics, _) = generics.split_for_impl();
        Cx {
            input,
            krate,
            private: Ident::new("__repool_private", Span::call_site()),
            params,
            // The turbofish form is valid both as a type and in a path
            // expression such as `new = Self::fresh`.
            self_ty: {
                let turbofish = ty_generics.as_turbofish();
                quote!(#ident #turbofish)
            },
        }
    }

    /// One import of the private module instead of the full path at every
    /// use: if the crate path is wrong (a renamed dependency without
    /// `crate = path`), the user sees one error there, not one per use.
    fn wrap(&self, items: TokenStream) -> TokenStream {
        let krate = &self.krate;
        let private = &self.private;
        quote! {
            const _: () = {
                use #krate::__private as #private;
                #items
            };
        }
    }

    fn is_generic(&self) -> bool {
        !self.params.is_empty()
    }

    /// The field's type with `Self` spelled out, and whether it names a
    /// type or const parameter.
    fn field_type(&self, field: &Field) -> (TokenStream, bool) {
        let mut generic = false;
        let ty = self.respell(field.ty.to_token_stream(), &mut generic);
        (ty, generic)
    }

    fn respell(&self, tokens: TokenStream, generic: &mut bool) -> TokenStream {
        let mut out = TokenStream::new();
        for token in tokens {
            match token {
                TokenTree::Ident(ident) if ident == "Self" => {
                    *generic |= self.is_generic();
                    out.extend(self.self_ty.clone());
                }
                TokenTree::Ident(ident) => {
                    *generic |= self.params.iter().any(|param| **param == ident);
                    out.extend([TokenTree::Ident(ident)]);
                }
                TokenTree::Group(group) => {
                    let inner = self.respell(group.stream(), generic);
                    let mut respelled = Group::new(group.delimiter(), inner);
                    respelled.set_span(group.span());
                    out.extend([TokenTree::Group(respelled)]);
                }
                other => out.extend([other]),
            }
        }
        out
    }

    /// The type's generics with `'static` added to every type parameter's
    /// bounds: a pool outlives any borrow, so every instantiation of a pooled
    /// type must be `'static`.
    fn static_generics(&self) -> Generics {
        let mut generics = self.input.generics.clone();
        for param in generics.type_params_mut() {
            let span = param.ident.span();
            param.bounds.push(TypeParamBound::Lifetime(Lifetime {
                apostrophe: span,
                ident: Ident::new("static", span),
            }));
        }
        generics
    }

    /// The user's `where` predicates followed by `extra`.
    fn where_clause(&self, extra: &[TokenStream]) -> TokenStream {
        let user = self.input.generics.where_clause.iter();
        let user: Vec<_> = user.flat_map(|w| w.predicates.iter()).collect();
        if user.is_empty() && extra.is_empty() {
            return TokenStream::new();
        }
        quote!(where #(#user,)* #(#extra,)*)
    }

    /// The statements of `reset`, the terms of `is_oversized`, and the
    /// `where` predicates they need.
    fn reset_parts(&self) -> ResetParts {
        let private = &self.private;
        let mut parts = ResetParts::default();
        for field in &self.input.fields {
            if field.attrs.skip.is_some() {
                continue;
            }
            let member = &field.member;
            // Spanned at the field's type, so that a type without `Reset`
            // (and the trait's `on_unimplemented` advice) is reported on the
            // field rather than on the derive.
            let span = field.ty.span();
            let (ty, generic) = self.field_type(field);
            match &field.attrs.reset {
                Some(setting) => {
                    let path = &setting.value;
                    let arg = quote_spanned!(span=> &mut self.#member);
                    parts
                        .resets
                        .push(quote_spanned!(path.span()=> #path(#arg);));
                }
                None => {
                    // Both calls name the type, so a type without `Reset` gets
                    // one error, not one per call with differently elided
                    // lifetimes.
                    parts.resets.push(quote_spanned!(span=>
                        <#ty as #private::Reset>::reset(&mut self.#member);
                    ));
                    // A field reset by its own impl keeps that impl's limits
                    // (a nested derived struct's `max_capacity`).
                    parts.oversized.push(quote_spanned!(span=>
                        <#ty as #private::Reset>::is_oversized(&self.#member)
                    ));
                    if generic {
                        parts.bounds.add(&ty, span, quote!(#private::Reset));
                    }
                }
            }
            if let Some(setting) = &field.attrs.max_capacity {
                let max = &setting.value;
                parts.oversized.push(quote_spanned!(span=>
                    <#ty as #private::Capacity>::capacity(&self.#member) > #max
                ));
                if generic {
                    parts.bounds.add(&ty, span, quote!(#private::Capacity));
                }
            }
        }
        parts
    }

    fn reset_impl(&self, parts: &ResetParts) -> TokenStream {
        let private = &self.private;
        let ResetParts {
            resets,
            oversized,
            bounds,
        } = parts;
        let is_oversized = (!oversized.is_empty()).then(|| {
            quote! {
                #[inline]
                fn is_oversized(&self) -> #private::core::primitive::bool {
                    #(#oversized)||*
                }
            }
        });
        let ident = self.input.ident;
        let (impl_generics, ty_generics, _) = self.input.generics.split_for_impl();
        let where_clause = self.where_clause(&bounds.predicates());
        quote! {
            #[automatically_derived]
            impl #impl_generics #private::Reset for #ident #ty_generics #where_clause {
                #[inline]
                fn reset(&mut self) {
                    #(#resets)*
                }
                #is_oversized
            }
        }
    }

    /// `reset` is `None` when `Reset` is implemented by hand.
    fn pooled_impl(&self, reset: Option<&ResetParts>) -> TokenStream {
        let private = &self.private;
        let ident = self.input.ident;
        // Predicates on types that name a parameter, checked per
        // instantiation. The derived impl's own are repeated rather than
        // asking `Self: Reset`, so that an instantiation without `Reset`
        // names the field's type.
        let mut bounds = reset.map(|parts| parts.bounds.clone()).unwrap_or_default();
        let mut concrete = Vec::new();
        let mut send_checks = Vec::new();
        if self.is_generic() {
            let this = quote!(Self);
            if reset.is_none() {
                bounds.add(&this, ident.span(), quote!(#private::Reset));
            }
            if self.input.attrs.new.is_none() {
                let default = quote_spanned!(ident.span()=> #private::core::default::Default);
                bounds.add(&this, ident.span(), default);
            }
        }
        let mut seen = Vec::new();
        for field in &self.input.fields {
            let span = field.ty.span();
            let (ty, generic) = self.field_type(field);
            if generic {
                bounds.add(&ty, span, quote!(#private::core::marker::Send));
                continue;
            }
            if seen.contains(&ty.to_string()) {
                continue;
            }
            seen.push(ty.to_string());
            // A field that is not `Send` is reported at the field by the
            // check below. This predicate keeps the compiler from also
            // reporting `Self: Send` (a supertrait of `Pooled`) at the derive:
            // a predicate on a concrete type would be checked and reported as
            // well, but one under a binder it uses is only assumed. (The
            // field's type is `'static`: the type has no lifetime parameters.)
            concrete.push(quote_spanned!(span=>
                for<'__pooled> #ty: #private::core::marker::Send + '__pooled
            ));
            send_checks.push(quote_spanned!(span=>
                const _: #private::core::option::Option<PooledTypeFieldsMustBeSend<#ty>> =
                    #private::core::option::Option::None;
            ));
        }
        let mut bounds = bounds.predicates();
        bounds.extend(concrete);
        let make = match &self.input.attrs.new {
            // `new = Self::fresh` must also work in the `static` below, where
            // `Self` is not in scope.
            Some(setting) => self.respell(setting.value.to_token_stream(), &mut false),
            None => quote_spanned!(ident.span()=> #private::core::default::Default::default),
        };
        let capacity = self.input.attrs.capacity.as_ref().map(|setting| {
            let capacity = &setting.value;
            quote!(.with_capacity(#capacity))
        });
        let pool = quote!(#private::Pool::from_fn(#make) #capacity);
        let body = if self.is_generic() {
            // A `static` cannot name the type's parameters: one pool per
            // instantiation, found by type.
            quote!(#private::typed_pool::<Self>(|| #pool))
        } else {
            // `StaticPool` rather than `Pool`: a `static` of a non-`Send`
            // type would be a second error, at the derive, after the one the
            // checks below report at the field.
            quote! {
                static POOL: #private::StaticPool<#ident> = #private::StaticPool::new(#pool);
                POOL.get()
            }
        };
        // A non-generic type also gets a thread-local that remembers the
        // thread's cache in its pool, so acquire and release skip the pool
        // lookup. (A generic type cannot: its `static` would be shared by
        // every instantiation.)
        let local_cache = (!self.is_generic()).then(|| {
            quote! {
                #[inline(always)]
                fn __local_cache() -> #private::core::option::Option<
                    &'static #private::LocalKey<#private::LocalCache<Self>>,
                > {
                    // Through `::std`, not the private module: a macro behind
                    // a wrong `crate = path` would fail to expand and add a
                    // second error to the one at the path.
                    ::std::thread_local! {
                        static CACHE: #private::LocalCache<#ident> =
                            const { #private::LocalCache::new() };
                    }
                    #private::core::option::Option::Some(&CACHE)
                }
            }
        });
        // The checks are the types of `const` items, which the compiler
        // checks before function bodies: the error at the field comes first,
        // before the one a non-`Send` type also causes at the pool's `static`.
        // (`None` rather than a value, whose construction would be checked,
        // and reported, once more.)
        let send_checks = (!send_checks.is_empty()).then(|| {
            quote! {
                struct PooledTypeFieldsMustBeSend<
                    T: ?#private::core::marker::Sized + #private::core::marker::Send,
                >(#private::core::marker::PhantomData<T>);
                #(#send_checks)*
            }
        });
        let generics = self.static_generics();
        let (impl_generics, _, _) = generics.split_for_impl();
        let (_, ty_generics, _) = self.input.generics.split_for_impl();
        let where_clause = self.where_clause(&bounds);
        quote! {
            #send_checks
            #[automatically_derived]
            impl #impl_generics #private::Pooled for #ident #ty_generics #where_clause {
                #[inline]
                fn pool() -> &'static #private::Pool<Self> {
                    #body
                }
                #local_cache
            }
        }
    }

    /// Impls with empty bodies, emitted next to the errors so that the uses
    /// of the type (`Type::acquire()`) do not add errors of their own that
    /// would hide the real one. The build fails anyway, so they never run.
    fn fallback(&self, derive: Derive) -> TokenStream {
        let private = &self.private;
        let ident = self.input.ident;
        let generics = self.input.generics;
        let (impl_generics, ty_generics, _) = generics.split_for_impl();
        let mut out = TokenStream::new();
        if derive == Derive::Reset || self.input.attrs.manual_reset.is_none() {
            let where_clause = self.where_clause(&[]);
            out.extend(quote! {
                #[automatically_derived]
                impl #impl_generics #private::Reset for #ident #ty_generics #where_clause {
                    fn reset(&mut self) {}
                }
            });
        }
        // A borrowing type can never be `'static`; its impl would only add an
        // error.
        if derive == Derive::Pooled && generics.lifetimes().next().is_none() {
            let mut bounds = quote!(#private::core::marker::Send + '__pooled);
            if self.is_generic() {
                bounds.extend(quote!(+ #private::Reset));
            }
            let where_clause = self.where_clause(&[quote!(for<'__pooled> Self: #bounds)]);
            let generics = self.static_generics();
            let (impl_generics, _, _) = generics.split_for_impl();
            out.extend(quote! {
                #[automatically_derived]
                impl #impl_generics #private::Pooled for #ident #ty_generics #where_clause {
                    fn pool() -> &'static #private::Pool<Self> {
                        #private::core::unreachable!()
                    }
                }
            });
        }
        out
    }
}
