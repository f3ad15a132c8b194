//! Implementation detail of repool's `#[derive(Pooled)]` and `#[derive(Reset)]`.
//!
//! The user-facing documentation (every attribute, with examples) is on the
//! re-exports in the `repool` crate; use the derives through `repool`, whose
//! hidden `__private` module is the only path the generated code names.

mod ast;
mod attr;
mod ctxt;
mod expand;
mod generics;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

// No doc comments on the entry points: rustdoc appends them to the docs of
// repool's re-exports, which are the user-facing documentation.

#[proc_macro_derive(Reset, attributes(pooled))]
pub fn derive_reset(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, ast::Derive::Reset).into()
}

#[proc_macro_derive(Pooled, attributes(pooled))]
pub fn derive_pooled(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, ast::Derive::Pooled).into()
}
