// `#[derive(Reset)]` alone has no pool to size.
use repool::Reset;

#[derive(Reset, Default)]
#[pooled(capacity = 64)]
struct Response {
    body: Vec<u8>,
}

fn main() {}
