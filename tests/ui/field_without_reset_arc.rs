use std::sync::Arc;

use repool::Pooled;

#[derive(Pooled, Default)]
struct Request {
    body: Vec<u8>,
    config: Arc<String>,
}

fn main() {}
