//! Parsing of the `#[pooled(...)]` attributes: one `Option` per key, each
//! remembering the span of its key so later checks can point at it.
//!
//! A mistake is recorded and parsing goes on, so that one build shows every
//! mistake; only input that is not even a list of `key` / `key = expr` stops
//! the attribute it is in.

use std::collections::HashSet;

use proc_macro2::{Span, TokenTree};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, ExprPath, ExprUnary, Lit, LitStr, Meta, Path, Token, UnOp};

use crate::ctxt::Ctxt;

/// A key's value, with the span of the key that set it.
pub(crate) struct Setting<T> {
    pub(crate) key: Span,
    pub(crate) value: T,
}

/// `#[pooled(...)]` on the type.
#[derive(Default)]
pub(crate) struct ContainerAttrs {
    pub(crate) capacity: Option<Setting<Expr>>,
    pub(crate) new: Option<Setting<ExprPath>>,
    /// `name = "..."`: what `repool::pools()` lists the pool as.
    pub(crate) name: Option<Setting<Expr>>,
    pub(crate) krate: Option<Setting<Path>>,
    /// `reset = manual`: `Reset` is implemented by hand, derive only the pool.
    pub(crate) manual_reset: Option<Span>,
}

/// `#[pooled(...)]` on a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) skip: Option<Span>,
    pub(crate) reset: Option<Setting<FieldReset>>,
    pub(crate) max_capacity: Option<Setting<Expr>>,
}

/// What a field's `reset = ...` names.
pub(crate) enum FieldReset {
    /// `reset = default`: assign `Default::default()`. The bare identifier
    /// is the keyword; a function of that name is reached by any longer path
    /// (`self::default`), so no function is out of reach.
    Default(Span),
    /// `reset = path::to::fn`, called with `&mut field`.
    Path(ExprPath),
}

impl FieldAttrs {
    /// The span of every key that was given, for "has no effect here" errors.
    pub(crate) fn keys(&self) -> impl Iterator<Item = (&'static str, Span)> {
        let skip = self.skip.map(|span| ("skip", span));
        let reset = self.reset.as_ref().map(|s| ("reset", s.key));
        let max = self.max_capacity.as_ref().map(|s| ("max_capacity", s.key));
        skip.into_iter().chain(reset).chain(max)
    }
}

const CONTAINER_KEYS: &str =
    "`capacity = N`, `new = path`, `name = \"...\"`, `crate = path`, `reset = manual`";
const FIELD_KEYS: &str = "`skip`, `reset = default`, `reset = path`, `max_capacity = N`";

/// Calls `f` with each key of every `#[pooled(...)]` in `attrs` and its
/// span, once the checks shared by types and fields have passed (a list,
/// an identifier, not given twice); `place` and `keys` go into their
/// messages. A parse error `f` returns is recorded and ends that attribute.
fn for_each_key(
    attrs: &[Attribute],
    cx: &mut Ctxt,
    place: &str,
    keys: &str,
    mut f: impl FnMut(&ParseNestedMeta<'_>, &str, Span, &mut Ctxt) -> syn::Result<()>,
) {
    let mut seen = HashSet::new();
    for attr in pooled(attrs) {
        if !is_list(attr, cx, keys) {
            continue;
        }
        let parsed = attr.parse_nested_meta(|meta| {
            let Some(key) = key(&meta, &mut seen, cx, place, keys)? else {
                return Ok(());
            };
            f(&meta, &key, meta.path.span(), cx)
        });
        if let Err(error) = parsed {
            cx.syn_error(error);
        }
    }
}

pub(crate) fn container(attrs: &[Attribute], cx: &mut Ctxt) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for_each_key(
        attrs,
        cx,
        "on a type",
        CONTAINER_KEYS,
        |meta, key, span, cx| {
            match key {
                "capacity" => {
                    let value = value(meta, "capacity = 64", cx)?;
                    let value = value.and_then(|v| integer(v, "capacity", cx));
                    out.capacity = value.map(|value| Setting { key: span, value });
                }
                "new" => {
                    let value = value(meta, "new = Type::fresh", cx)?;
                    let expected = "the path of a function, e.g. `new = Type::fresh`";
                    let value = value.and_then(|v| fn_path(v, "new", expected, cx));
                    out.new = value.map(|value| Setting { key: span, value });
                }
                "name" => {
                    let value = value(meta, "name = \"sessions\"", cx)?;
                    let value = value.and_then(|v| name(v, cx));
                    out.name = value.map(|value| Setting { key: span, value });
                }
                "crate" => {
                    let value = value(meta, "crate = ::my_facade::repool", cx)?;
                    let value = value.and_then(|v| crate_path(v, cx));
                    out.krate = value.map(|value| Setting { key: span, value });
                }
                "reset" => {
                    let value = value(meta, "reset = manual", cx)?;
                    match value {
                        Some(Expr::Path(p)) if is_ident(&p, "manual") => {
                            out.manual_reset = Some(span);
                        }
                        Some(other) => cx.error_spanned(
                            other,
                            "on a type, `reset` only takes `manual`, meaning `Reset` is \
                             implemented by hand; to reset one field with a function, put \
                             `#[pooled(reset = path)]` on that field",
                        ),
                        None => {}
                    }
                }
                "skip" | "max_capacity" => {
                    cx.error(
                        span,
                        format_args!(
                            "`{key}` is a field attribute: put `#[pooled({key}{})]` on a field, \
                             not on the type",
                            if key == "skip" { "" } else { " = N" },
                        ),
                    );
                    skip_value(meta)?;
                }
                _ => unknown(meta, key, cx, "on a type", CONTAINER_KEYS)?,
            }
            Ok(())
        },
    );
    out
}

pub(crate) fn field(attrs: &[Attribute], cx: &mut Ctxt) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for_each_key(
        attrs,
        cx,
        "on a field",
        FIELD_KEYS,
        |meta, key, span, cx| {
            match key {
                "skip" => {
                    if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                        cx.error(span, "`skip` takes no value: write `#[pooled(skip)]`");
                        skip_value(meta)?;
                    } else {
                        out.skip = Some(span);
                    }
                }
                "reset" => {
                    let expected = "`default`, or the path of a `fn(&mut FieldType)`, \
                                    e.g. `reset = path::to::fn`";
                    let value = value(meta, "reset = default", cx)?;
                    let value = value.and_then(|v| match v {
                        Expr::Path(p) if is_ident(&p, "default") => {
                            Some(FieldReset::Default(p.path.segments[0].ident.span()))
                        }
                        Expr::Lit(ExprLit {
                            lit: Lit::Str(s), ..
                        }) if s.value() == "default" => quoted_path(&s, "reset", cx),
                        v => fn_path(v, "reset", expected, cx).map(FieldReset::Path),
                    });
                    out.reset = value.map(|value| Setting { key: span, value });
                }
                "max_capacity" => {
                    let value = value(meta, "max_capacity = 4096", cx)?;
                    let value = value.and_then(|v| integer(v, "max_capacity", cx));
                    out.max_capacity = value.map(|value| Setting { key: span, value });
                }
                "capacity" | "new" | "name" | "crate" => {
                    cx.error(
                        span,
                        format_args!(
                            "`{key}` is a type attribute: put `#[pooled({key} = ...)]` on the \
                             type, next to the derive, not on a field"
                        ),
                    );
                    skip_value(meta)?;
                }
                _ => unknown(meta, key, cx, "on a field", FIELD_KEYS)?,
            }
            Ok(())
        },
    );
    out
}

/// Variants take no keys; say so rather than ignoring them.
pub(crate) fn variant(attrs: &[Attribute], cx: &mut Ctxt) {
    for attr in pooled(attrs) {
        cx.error_spanned(
            attr,
            "`#[pooled(...)]` has no effect on an enum variant: a derived reset sets the enum \
             to its `#[default]` variant",
        );
    }
}

/// The `#[default]` of `#[derive(Default)]` (or of another derive that
/// registers it), which marks the variant a derived reset returns to.
pub(crate) fn is_default_variant(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| attr.path().is_ident("default"))
}

/// `#[pooled]` and `#[pooled = ...]` are errors that say which keys exist.
fn is_list(attr: &Attribute, cx: &mut Ctxt, allowed: &str) -> bool {
    if let Meta::List(_) = attr.meta {
        return true;
    }
    cx.error_spanned(
        attr,
        format_args!("expected `#[pooled(...)]` with one or more of {allowed}"),
    );
    false
}

fn pooled(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|attr| attr.path().is_ident("pooled"))
}

/// The key's name, or `None` (error recorded, value skipped) when it is a
/// duplicate or not a plain identifier.
fn key(
    meta: &ParseNestedMeta,
    seen: &mut HashSet<String>,
    cx: &mut Ctxt,
    place: &str,
    allowed: &str,
) -> syn::Result<Option<String>> {
    let Some(ident) = meta.path.get_ident() else {
        cx.error_spanned(
            &meta.path,
            format_args!("unknown `pooled` attribute {place}; expected one of {allowed}",),
        );
        skip_value(meta)?;
        return Ok(None);
    };
    let key = ident.to_string();
    if !seen.insert(key.clone()) {
        cx.error(ident.span(), format_args!("duplicate `{key}` attribute"));
        skip_value(meta)?;
        return Ok(None);
    }
    Ok(Some(key))
}

fn unknown(
    meta: &ParseNestedMeta,
    key: &str,
    cx: &mut Ctxt,
    place: &str,
    allowed: &str,
) -> syn::Result<()> {
    cx.error(
        meta.path.span(),
        format_args!("unknown `pooled` attribute `{key}` {place}; expected one of {allowed}"),
    );
    skip_value(meta)
}

/// Parses `= <expr>`, or records that the key needs a value.
fn value(meta: &ParseNestedMeta, example: &str, cx: &mut Ctxt) -> syn::Result<Option<Expr>> {
    if meta.input.peek(Token![=]) {
        return meta.value()?.parse().map(Some);
    }
    cx.error(
        meta.path.span(),
        format_args!("expected a value: `#[pooled({example})]`"),
    );
    skip_value(meta)?;
    Ok(None)
}

/// Consumes whatever follows a rejected key, so the keys after it are still
/// parsed and checked.
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        meta.input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// A `usize` for `capacity` / `max_capacity`. Literals are checked here;
/// other expressions (a `const`, `4 * 1024`) are left to the compiler, which
/// reports a type mismatch at the expression itself.
fn integer(expr: Expr, key: &str, cx: &mut Ctxt) -> Option<Expr> {
    let message = match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => {
            if !matches!(int.suffix(), "" | "usize") {
                format!(
                    "`{key}` is a `usize`: write `{key} = {}`",
                    int.base10_digits()
                )
            } else if int.base10_parse::<usize>().is_err() {
                format!("`{key}` = {int} does not fit in a `usize`")
            } else {
                return Some(expr);
            }
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => {
            format!(
                "`{key}` takes an integer, not a string: write `{key} = {}`",
                s.value()
            )
        }
        Expr::Lit(_) => format!("`{key}` takes an integer (a `usize`), e.g. `{key} = 64`"),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_), ..
        }) => {
            format!("`{key}` is a count of elements and cannot be negative")
        }
        _ => return Some(expr),
    };
    cx.error_spanned(expr, message);
    None
}

/// The pool's name: a string literal, or an expression (a `const`) left to
/// the compiler, which wants a `&'static str` there.
fn name(expr: Expr, cx: &mut Ctxt) -> Option<Expr> {
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(_), ..
        }) => Some(expr),
        Expr::Lit(ExprLit { lit, .. }) => {
            let written = lit.to_token_stream();
            cx.error_spanned(
                lit,
                format_args!("`name` takes a string: write `name = \"{written}\"`"),
            );
            None
        }
        _ => Some(expr),
    }
}

/// Whether `path` is the bare identifier `ident`, a keyword of a key's
/// value (`manual`, `default`); `::default` or `self::default` is a path.
fn is_ident(path: &ExprPath, ident: &str) -> bool {
    path.attrs.is_empty() && path.qself.is_none() && path.path.is_ident(ident)
}

/// A path to a function, for `new` and a field's `reset`; `expected` says
/// what the key takes when it is something else.
fn fn_path(expr: Expr, key: &str, expected: &str, cx: &mut Ctxt) -> Option<ExprPath> {
    match expr {
        Expr::Path(path) if path.attrs.is_empty() => Some(path),
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => quoted_path(&s, key, cx),
        other => {
            cx.error_spanned(other, format_args!("`{key}` takes {expected}"));
            None
        }
    }
}

/// A path written as a string, as older derives took it: says to drop the
/// quotes.
fn quoted_path<T>(s: &LitStr, key: &str, cx: &mut Ctxt) -> Option<T> {
    cx.error(
        s.span(),
        format_args!(
            "`{key}` takes a path, not a string: write `{key} = {}` without quotes",
            s.value()
        ),
    );
    None
}

/// The path at which the user's crate reaches repool, e.g. a re-export.
fn crate_path(expr: Expr, cx: &mut Ctxt) -> Option<Path> {
    match expr {
        Expr::Path(path) if path.attrs.is_empty() && path.qself.is_none() => Some(path.path),
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => quoted_path(&s, "crate", cx),
        other => {
            cx.error_spanned(
                other,
                "`crate` takes the path at which repool is reachable, e.g. \
                 `crate = ::my_facade::repool`",
            );
            None
        }
    }
}
