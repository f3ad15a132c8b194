//! The error a derived type's field gets when its type has no `Reset`.
//!
//! The derives do not ask `FieldType: Reset` directly: rustc would report the
//! innermost type that fails (`File` for a `Box<File>` field, through the
//! forwarding impl for `Box<T>`), follow it with a list of unrelated types
//! that do implement `Reset`, and could not say whether the field's type has
//! `Default`. Instead, for each field whose type names no parameter, the
//! generated code
//!
//! 1. resets the field through [`FieldCheck`], whose methods are picked by
//!    autoref specialization: [`Resets`] (the type's `Reset`) if the type
//!    has one, else [`HasDefault`] if it has `Default`, else [`Neither`].
//!    The last two do nothing and only return their kind;
//! 2. asks `FieldType: ResetDefaultField<Kind>` and
//!    `FieldType: ResetField<Kind>`. Each fails for one kind only, with the
//!    message for that case, which names the field's type as written.
//!
//! Both are asked in paths, not in bounds, so the error has no "required by
//! a bound in" note pointing here; `#[diagnostic::do_not_recommend]` on
//! their impls keeps rustc from listing or suggesting them.

use std::fmt;
use std::marker::PhantomData;

use crate::reset::Reset;

/// The receiver of the field checks: `(&&FieldCheck::<T>::NEW)` finds
/// [`Resets`]'s methods if `T: Reset`, else [`HasDefault`]'s if
/// `T: Default`, else [`Neither`]'s. Not public API.
///
/// ```
/// use pool_runtime::__private::{FieldCheck, FieldResets as _, Resets};
///
/// let mut v = vec![1];
/// let _: Resets = (&&FieldCheck::<Vec<i32>>::NEW).__repool_reset_field(&mut v);
/// assert!(v.is_empty());
/// ```
pub struct FieldCheck<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized> FieldCheck<T> {
    /// The only value.
    pub const NEW: Self = FieldCheck(PhantomData);
}

// By hand: a derive would ask `T: Debug`.
impl<T: ?Sized> fmt::Debug for FieldCheck<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FieldCheck")
    }
}

/// The field's type implements `Reset`, which resets it.
#[derive(Clone, Copy, Debug)]
pub struct Resets;

/// The field's type has `Default` and no `Reset`.
#[derive(Clone, Copy, Debug)]
pub struct HasDefault;

/// The field's type has neither `Reset` nor `Default`.
#[derive(Clone, Copy, Debug)]
pub struct Neither;

/// The first choice of [`FieldCheck`]: the field's own `Reset`.
pub trait FieldResets<T: ?Sized> {
    /// Resets `field`.
    fn __repool_reset_field(&self, field: &mut T) -> Resets;
    /// Asks `field`.
    fn __repool_is_oversized(&self, field: &T) -> bool;
}

impl<T: Reset + ?Sized> FieldResets<T> for &FieldCheck<T> {
    #[inline(always)]
    fn __repool_reset_field(&self, field: &mut T) -> Resets {
        field.reset();
        Resets
    }

    #[inline(always)]
    fn __repool_is_oversized(&self, field: &T) -> bool {
        field.is_oversized()
    }
}

/// The second choice of [`FieldCheck`], for a type with `Default`: nothing,
/// since [`ResetDefaultField`] then fails the build.
pub trait FieldHasDefault<T: ?Sized> {
    /// Only returns the kind.
    #[inline(always)]
    fn __repool_reset_field(&self, _: &mut T) -> HasDefault {
        HasDefault
    }
    /// Never asked: the build fails.
    #[inline(always)]
    fn __repool_is_oversized(&self, _: &T) -> bool {
        false
    }
}

impl<T: Default> FieldHasDefault<T> for &&FieldCheck<T> {}

/// The last choice of [`FieldCheck`]: nothing, since [`ResetField`] then
/// fails the build.
pub trait FieldHasNeither<T: ?Sized> {
    /// Only returns the kind.
    #[inline(always)]
    fn __repool_reset_field(&self, _: &mut T) -> Neither {
        Neither
    }
    /// Never asked: the build fails.
    #[inline(always)]
    fn __repool_is_oversized(&self, _: &T) -> bool {
        false
    }
}

impl<T: ?Sized> FieldHasNeither<T> for FieldCheck<T> {}

/// Fails for a field whose type has neither `Reset` nor `Default`
/// (`Kind` = [`Neither`]), with the advice for it. Not public API.
///
/// ```
/// use pool_runtime::__private::{ResetField, Resets};
///
/// <Vec<u8> as ResetField<_>>::check(Resets);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be reset for reuse by a pool",
    label = "`{Self}` does not implement `Reset`",
    note = "mark the field `#[pooled(skip)]` to leave it as is, or \
            `#[pooled(reset = path::to::fn)]` to reset it with a `fn(&mut {Self})`",
    note = "for a type of your own: `#[derive(Reset)]` (a struct, or an enum with a `#[default]` \
            variant), or implement `repool::Reset` by hand",
    note = "a shared pointer cannot be emptied: hold it as `Option<Arc<T>>`, which reset sets to \
            `None`, so the idle object does not keep the shared value alive"
)]
pub trait ResetField<Kind> {
    /// Compiles only for the kinds that reset.
    #[inline(always)]
    fn check(_: Kind) {}
}

#[diagnostic::do_not_recommend]
impl<T: ?Sized> ResetField<Resets> for T {}

#[diagnostic::do_not_recommend]
impl<T: ?Sized> ResetField<HasDefault> for T {}

/// Fails for a field whose type has `Default` but no `Reset`
/// (`Kind` = [`HasDefault`]), suggesting `#[pooled(reset = default)]`. Not
/// public API.
///
/// ```
/// use pool_runtime::__private::{Neither, ResetDefaultField};
///
/// <std::fs::File as ResetDefaultField<_>>::check(Neither);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be reset for reuse by a pool",
    label = "`{Self}` does not implement `Reset`",
    note = "`{Self}` implements `Default`: mark the field `#[pooled(reset = default)]` to assign \
            `Default::default()` at every reset (dropping what the field held)",
    note = "or mark it `#[pooled(skip)]` to leave it as is, or `#[pooled(reset = path::to::fn)]` \
            to reset it with a `fn(&mut {Self})`",
    note = "for a type of your own: `#[derive(Reset)]` (a struct, or an enum with a `#[default]` \
            variant), or implement `repool::Reset` by hand",
    note = "a shared pointer cannot be emptied: hold it as `Option<Arc<T>>`, which reset sets to \
            `None`, so the idle object does not keep the shared value alive"
)]
pub trait ResetDefaultField<Kind> {
    /// Compiles only for the kinds that reset or fail elsewhere.
    #[inline(always)]
    fn check(_: Kind) {}
}

#[diagnostic::do_not_recommend]
impl<T: ?Sized> ResetDefaultField<Resets> for T {}

#[diagnostic::do_not_recommend]
impl<T: ?Sized> ResetDefaultField<Neither> for T {}
