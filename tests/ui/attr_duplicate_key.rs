use repool::Pooled;

#[derive(Pooled, Default)]
#[pooled(capacity = 64)]
#[pooled(capacity = 128)]
struct Response {
    body: Vec<u8>,
}

fn main() {}
