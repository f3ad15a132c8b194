//! The error collector that every phase (attributes, shape, checks) writes
//! to. A mistake does not stop the derive: the user sees every mistake of one
//! input in one build, each at its own span, instead of fixing them one
//! rebuild at a time.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// Every error found in one derive input, reported together by
/// [`Ctxt::check`].
///
/// Nothing makes sure at run time that `check` is called (serde's `Ctxt`
/// panics on drop if it was not): a panic in a proc macro is reported as
/// "proc-macro derive panicked", with no span, which is worse than the errors
/// it would save. Instead the one `Ctxt` of a derive is created and checked in
/// `expand::derive`, and both it and the result of `check` are `#[must_use]`.
#[must_use = "errors in a `Ctxt` are reported only by `Ctxt::check`"]
pub(crate) struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Ctxt { errors: Vec::new() }
    }

    pub(crate) fn error(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// An error over all of `tokens` (a whole attribute or expression), where
    /// [`Ctxt::error`] would underline only their first token.
    pub(crate) fn error_spanned(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    /// An error from syn's own parsing, which already carries its span.
    pub(crate) fn syn_error(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// `Err` holds one `compile_error!` per error, in the order they were
    /// found, as one token stream to emit in place of the derive's output.
    #[must_use = "the errors are reported only if the `Err` is emitted"]
    pub(crate) fn check(self) -> Result<(), TokenStream> {
        let mut errors = self.errors.into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined.into_compile_error())
    }
}
