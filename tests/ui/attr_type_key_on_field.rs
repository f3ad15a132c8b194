use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    #[pooled(capacity = 64)]
    body: Vec<u8>,
}

fn main() {}
