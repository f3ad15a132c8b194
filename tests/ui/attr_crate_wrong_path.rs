// `crate = path` is where the generated code finds repool.
use repool::Pooled;

#[derive(Pooled, Default)]
#[pooled(crate = not_repool)]
struct Response {
    body: Vec<u8>,
}

fn main() {}
