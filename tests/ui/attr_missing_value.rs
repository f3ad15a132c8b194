use repool::Pooled;

#[derive(Pooled, Default)]
#[pooled(capacity)]
struct Response {
    body: Vec<u8>,
}

fn main() {}
