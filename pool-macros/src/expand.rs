//! Code generation. Everything is wrapped in `const _: () = { ... };` and
//! names only `<crate>::__private::...`, so the output neither adds names to
//! the user's module nor depends on what that module has in scope.

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Index, Member};

use crate::ast::{DefaultVariant, Derive, Field, Input, Shape};
use crate::attr::{FieldReset, Setting};
use crate::ctxt::Ctxt;
use crate::generics::{self, Bounds};
use crate::valid;

pub(crate) fn derive(input: &DeriveInput, derive: Derive) -> TokenStream {
    let mut cx = Ctxt::new();
    let input = Input::from_syn(input, &mut cx);
    valid::check(&input, derive, &mut cx);
    let expander = Expander::new(&input);
    match cx.check() {
        Ok(()) => {
            let mut items = TokenStream::new();
            let derives_reset = input.attrs.manual_reset.is_none();
            let reset = derives_reset.then(|| expander.reset_parts(derive));
            if let Some(parts) = &reset {
                if parts.checks {
                    items.extend(expander.field_checks());
                }
                items.extend(expander.reset_impl(parts));
            }
            if derive == Derive::Pooled {
                items.extend(expander.pooled_impl(reset.as_ref()));
            }
            expander.wrap(items)
        }
        Err(errors) => {
            let fallback = expander.wrap(expander.fallback(derive));
            quote!(#errors #fallback)
        }
    }
}

#[derive(Default)]
struct ResetParts {
    resets: Vec<TokenStream>,
    oversized: Vec<TokenStream>,
    bounds: Bounds,
    /// Whether a field goes through [`Expander::field_checks`].
    checks: bool,
}

struct Expander<'a> {
    input: &'a Input<'a>,
    /// `::repool`, or the `crate = path`.
    krate: TokenStream,
    /// The name under which [`Expander::wrap`] imports `<krate>::__private`.
    private: Ident,
    /// `Name::<A, B, N>`, which replaces `Self` in tokens copied into places
    /// where `Self` means something else or nothing.
    self_ty: TokenStream,
}

impl<'a> Expander<'a> {
    fn new(input: &'a Input<'a>) -> Self {
        let krate = match &input.attrs.krate {
            Some(setting) => setting.value.to_token_stream(),
            None => quote!(::repool),
        };
        let ident = input.ident;
        let (_, ty_generics, _) = input.generics.split_for_impl();
        Expander {
            input,
            krate,
            private: Ident::new("__repool_private", Span::call_site()),
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
        !self.input.params.is_empty()
    }

    /// The field's type with `Self` spelled out.
    fn field_type(&self, field: &Field) -> TokenStream {
        self.respell(field.ty.to_token_stream())
    }

    fn respell(&self, tokens: TokenStream) -> TokenStream {
        let mut out = TokenStream::new();
        for token in tokens {
            match token {
                TokenTree::Ident(ident) if ident == "Self" => out.extend(self.self_ty.clone()),
                TokenTree::Group(group) => {
                    let inner = self.respell(group.stream());
                    let mut respelled = Group::new(group.delimiter(), inner);
                    respelled.set_span(group.span());
                    out.extend([TokenTree::Group(respelled)]);
                }
                other => out.extend([other]),
            }
        }
        out
    }

    /// The statements of `reset`, the terms of `is_oversized`, and the
    /// `where` predicates they need.
    fn reset_parts(&self, derive: Derive) -> ResetParts {
        let private = &self.private;
        // A non-generic pooled type's `static` pool is nameable from its
        // `Reset` impl: `Pool::set_max_capacity` then replaces every
        // field's `max_capacity` at run time (one relaxed load).
        let runtime_max = derive == Derive::Pooled && !self.is_generic();
        let mut parts = ResetParts::default();
        if let Shape::Enum(_, Some(variant)) = &self.input.shape {
            parts
                .resets
                .push(self.enum_reset(variant, &mut parts.bounds));
            return parts;
        }
        for field in &self.input.fields {
            if field.attrs.skip.is_some() {
                continue;
            }
            let member = &field.member;
            // Spanned at the field's type, so that a type without `Reset`
            // (and the `on_unimplemented` advice) is reported on the field
            // rather than on the derive.
            let span = field.ty.span();
            let this = receiver(span);
            let ty = self.field_type(field);
            match &field.attrs.reset {
                Some(Setting {
                    value: FieldReset::Path(path),
                    ..
                }) => {
                    // Every token of the argument resolves at the call
                    // site: a mismatched type is reported on the whole
                    // `&mut self.field`, whose span rustc joins only from
                    // tokens of one hygiene.
                    let at = Span::call_site().located_at(span);
                    let member =
                        respan_member(member, Span::call_site().located_at(member_span(member)));
                    let arg = quote_spanned!(at=> &mut #this.#member);
                    parts
                        .resets
                        .push(quote_spanned!(path.span()=> #path(#arg);));
                }
                Some(Setting {
                    value: FieldReset::Default(keyword),
                    ..
                }) => {
                    // Spanned at `default`, the private module's name too: a
                    // type without `Default` is reported where the attribute
                    // asks for it.
                    let mut at_keyword = private.clone();
                    at_keyword.set_span(*keyword);
                    let default = quote_spanned!(*keyword=> #at_keyword::core::default::Default);
                    let this = receiver(*keyword);
                    parts.resets.push(quote_spanned!(*keyword=>
                        #this.#member = #default::default();
                    ));
                    if field.generic {
                        parts.bounds.add(&ty, *keyword, default);
                    }
                }
                None if field.generic => {
                    // Checked per instantiation, through the `where` clause.
                    // Both calls name the type, so a type without `Reset` gets
                    // one error, not one per call with differently elided
                    // lifetimes.
                    parts.resets.push(quote_spanned!(span=>
                        <#ty as #private::Reset>::reset(&mut #this.#member);
                    ));
                    // A field reset by its own impl keeps that impl's limits
                    // (a nested derived struct's `max_capacity`).
                    parts.oversized.push(quote_spanned!(span=>
                        <#ty as #private::Reset>::is_oversized(&#this.#member)
                    ));
                    parts.bounds.add(&ty, span, quote!(#private::Reset));
                }
                None => {
                    // Through `FieldCheck`, so that a type without `Reset`
                    // gets the error that fits it, once: `is_oversized` then
                    // finds a method that asks nothing.
                    parts.checks = true;
                    let check = quote_spanned!(span=> (&&#private::FieldCheck::<#ty>::NEW));
                    // The member too, or the error would span from the
                    // field's name to its type's first token.
                    let member = respan_member(member, span);
                    parts.resets.push(quote_spanned!(span=> {
                        let kind = #check.__repool_reset_field(&mut #this.#member);
                        <#ty as #private::ResetDefaultField<_>>::check(kind);
                        <#ty as #private::ResetField<_>>::check(kind);
                    }));
                    parts.oversized.push(quote_spanned!(span=>
                        #check.__repool_is_oversized(&#this.#member)
                    ));
                }
            }
            if let Some(setting) = &field.attrs.max_capacity {
                let max = &setting.value;
                let max = if runtime_max {
                    // Typed by a `const` of its own, so a value of the wrong
                    // type is reported as plainly as a literal comparison.
                    let value = self.respell(max.to_token_stream());
                    quote_spanned!(span=> {
                        const MAX: #private::core::primitive::usize = #value;
                        <Self as #private::Pooled>::pool().max_capacity().unwrap_or(MAX)
                    })
                } else {
                    quote!(#max)
                };
                parts.oversized.push(quote_spanned!(span=>
                    <#ty as #private::Capacity>::capacity(&#this.#member) > #max
                ));
                if field.generic {
                    parts.bounds.add(&ty, span, quote!(#private::Capacity));
                }
            }
        }
        parts
    }

    /// An enum's reset: the `#[default]` variant, assigned whichever variant
    /// is active (its fields, and their allocations, are dropped).
    fn enum_reset(&self, variant: &DefaultVariant, bounds: &mut Bounds) -> TokenStream {
        let private = &self.private;
        let ident = variant.ident;
        if variant.unit {
            return quote!(*self = Self::#ident;);
        }
        let default = quote!(#private::core::default::Default);
        if self.is_generic() {
            bounds.add(&quote!(Self), ident.span(), default.clone());
        }
        let this = receiver(ident.span());
        quote_spanned!(ident.span()=> *#this = <Self as #default>::default();)
    }

    /// Brings the methods of `__private::FieldCheck` into scope, for the
    /// fields checked through it (see the runtime's `diagnostic.rs`).
    fn field_checks(&self) -> TokenStream {
        let private = &self.private;
        quote! {
            use #private::{FieldHasDefault as _, FieldHasNeither as _, FieldResets as _};
        }
    }

    fn reset_impl(&self, parts: &ResetParts) -> TokenStream {
        let private = &self.private;
        let ResetParts {
            resets,
            oversized,
            bounds,
            ..
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
        let where_clause = generics::where_clause(self.input.generics, &bounds.predicates());
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
            let ty = self.field_type(field);
            if field.generic {
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
            Some(setting) => self.respell(setting.value.to_token_stream()),
            None => quote_spanned!(ident.span()=> #private::core::default::Default::default),
        };
        let capacity = self.input.attrs.capacity.as_ref().map(|setting| {
            let capacity = &setting.value;
            quote!(.with_capacity(#capacity))
        });
        let name = self.input.attrs.name.as_ref().map(|setting| {
            let name = &setting.value;
            quote!(.with_name(#name))
        });
        let pool = quote!(#private::Pool::from_fn(#make) #capacity #name);
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
        let static_generics = generics::with_static(self.input.generics);
        let (impl_generics, _, _) = static_generics.split_for_impl();
        let (_, ty_generics, _) = self.input.generics.split_for_impl();
        let where_clause = generics::where_clause(self.input.generics, &bounds);
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
        let user_generics = self.input.generics;
        let (impl_generics, ty_generics, _) = user_generics.split_for_impl();
        let mut out = TokenStream::new();
        if derive == Derive::Reset || self.input.attrs.manual_reset.is_none() {
            let where_clause = generics::where_clause(user_generics, &[]);
            out.extend(quote! {
                #[automatically_derived]
                impl #impl_generics #private::Reset for #ident #ty_generics #where_clause {
                    fn reset(&mut self) {}
                }
            });
        }
        // A borrowing type can never be `'static`; its impl would only add an
        // error.
        if derive == Derive::Pooled && user_generics.lifetimes().next().is_none() {
            let mut bounds = quote!(#private::core::marker::Send + '__pooled);
            if self.is_generic() {
                bounds.extend(quote!(+ #private::Reset));
            }
            let predicate = quote!(for<'__pooled> Self: #bounds);
            let where_clause = generics::where_clause(user_generics, &[predicate]);
            let static_generics = generics::with_static(user_generics);
            let (impl_generics, _, _) = static_generics.split_for_impl();
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

/// `member` with its span replaced, for code whose error should underline
/// one place only.
fn member_span(member: &Member) -> Span {
    match member {
        Member::Named(ident) => ident.span(),
        Member::Unnamed(index) => index.span,
    }
}

fn respan_member(member: &Member, span: Span) -> Member {
    match member {
        Member::Named(ident) => {
            let mut ident = ident.clone();
            ident.set_span(span);
            Member::Named(ident)
        }
        Member::Unnamed(index) => Member::Unnamed(Index {
            index: index.index,
            span,
        }),
    }
}

/// `self` as the generated methods' bodies name it, located at `at` for
/// diagnostics but resolved at the call site, like the receiver in their
/// signatures. With `at`'s own hygiene it would not resolve where `at` is a
/// token of a `macro_rules!` invocation, as in a field type `$vec<u8>`
/// (E0424).
fn receiver(at: Span) -> Ident {
    Ident::new("self", Span::call_site().located_at(at))
}
