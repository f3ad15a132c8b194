// `#[derive(Pooled)]` already implements `Reset`.
use repool::{Pooled, Reset};

#[derive(Reset, Pooled, Default)]
struct Response {
    body: Vec<u8>,
}

fn main() {}
