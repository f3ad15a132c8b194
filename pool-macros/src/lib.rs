//! Implementation detail of repool's `#[derive(Pooled)]` and `#[derive(Reset)]`.
