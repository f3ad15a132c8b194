// Without `new = path`, fresh objects are built with `Default::default`.
use repool::Pooled;

#[derive(Pooled)]
struct Response {
    body: Vec<u8>,
}

fn main() {}
