// Keys that take a number accept any constant expression; its type is checked
// where it is used.
use repool::Pooled;

const LIMIT: u32 = 4096;

#[derive(Pooled, Default)]
struct Response {
    #[pooled(max_capacity = LIMIT)]
    body: Vec<u8>,
}

fn main() {}
