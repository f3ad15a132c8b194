//! Checks that need the whole input: shapes the derives refuse, and keys that
//! are well-formed alone but contradict the derive or each other.

use crate::ast::{Derive, Input, Shape};
use crate::ctxt::Ctxt;

pub(crate) fn check(input: &Input, derive: Derive, cx: &mut Ctxt) {
    check_container(input, derive, cx);
    check_shape(input, derive, cx);
    check_fields(input, derive, cx);
}

fn check_container(input: &Input, derive: Derive, cx: &mut Ctxt) {
    if derive != Derive::Reset {
        return;
    }
    let attrs = &input.attrs;
    let pool_keys = [
        ("capacity", attrs.capacity.as_ref().map(|s| s.key)),
        ("new", attrs.new.as_ref().map(|s| s.key)),
        ("name", attrs.name.as_ref().map(|s| s.key)),
    ];
    for (key, span) in pool_keys {
        if let Some(span) = span {
            cx.error(
                span,
                format_args!(
                    "`{key}` configures the pool of `#[derive(Pooled)]`, and `#[derive(Reset)]` \
                     has no pool: derive `Pooled` instead (it implements `Reset` too), or \
                     remove `{key}`"
                ),
            );
        }
    }
    if let Some(span) = attrs.manual_reset {
        cx.error(
            span,
            "`reset = manual` says `Reset` is implemented by hand, which contradicts \
             `#[derive(Reset)]`: remove one of them",
        );
    }
}

fn check_shape(input: &Input, derive: Derive, cx: &mut Ctxt) {
    let manual = input.attrs.manual_reset.is_some();
    // With `reset = manual` the shape only matters to the user's own impl.
    let then_pool = match derive {
        Derive::Pooled => "; `#[pooled(reset = manual)]` then derives only the pool",
        Derive::Reset => "",
    };
    match input.shape {
        Shape::Struct | Shape::Enum(_, Some(_)) => {}
        Shape::Enum(span, None) if !manual => cx.error(
            span,
            format_args!(
                "{} resets an enum to its `#[default]` variant, and `{}` has none: mark a \
                 unit variant `#[default]` and derive `Default` (the reset then drops the \
                 allocations of the variant that was active), or implement `Reset` by hand to \
                 keep them (e.g. clear the buffers of the active variant){then_pool}",
                derive.name(),
                input.ident,
            ),
        ),
        Shape::Union(span) if !manual => cx.error(
            span,
            format_args!(
                "{} does not support unions: which field is active is unknown, so no field \
                 can be reset safely; implement `Reset` by hand{then_pool}",
                derive.name(),
            ),
        ),
        Shape::Enum(..) | Shape::Union(_) => {}
    }
    if derive == Derive::Pooled {
        for lifetime in input.generics.lifetimes() {
            cx.error(
                lifetime.lifetime.span(),
                "`#[derive(Pooled)]` does not support lifetime parameters: pooled objects live \
                 in a `'static` pool and outlive every borrow; store owned data instead \
                 (`String`, `Vec<T>`, `Option<Arc<T>>`)",
            );
        }
    }
}

fn check_fields(input: &Input, derive: Derive, cx: &mut Ctxt) {
    for field in &input.fields {
        let attrs = &field.attrs;
        if input.attrs.manual_reset.is_some() {
            for (key, span) in attrs.keys() {
                cx.error(
                    span,
                    format_args!(
                        "`{key}` has no effect with `#[pooled(reset = manual)]`: the \
                         hand-written `Reset` impl decides how this field is reset{}",
                        if key == "max_capacity" {
                            " (implement `Reset::is_oversized` there to limit its capacity)"
                        } else {
                            ""
                        },
                    ),
                );
            }
            continue;
        }
        if let Shape::Enum(..) = input.shape {
            for (key, span) in attrs.keys() {
                cx.error(
                    span,
                    format_args!(
                        "`{key}` has no effect on a field of an enum: a derived reset assigns \
                         the `#[default]` variant, whichever variant is active; to reset \
                         variants' fields in place, implement `Reset` by hand{}",
                        match derive {
                            Derive::Pooled => " and write `#[pooled(reset = manual)]`",
                            Derive::Reset => "",
                        }
                    ),
                );
            }
            continue;
        }
        if attrs.skip.is_none() {
            continue;
        }
        if let Some(reset) = &attrs.reset {
            cx.error(
                reset.key,
                "`reset` conflicts with `skip`: a skipped field is left as is; remove one of them",
            );
        }
        if let Some(max) = &attrs.max_capacity {
            cx.error(
                max.key,
                "`max_capacity` conflicts with `skip`: a skipped field is left as is and its \
                 capacity is not checked; remove one of them",
            );
        }
    }
}
