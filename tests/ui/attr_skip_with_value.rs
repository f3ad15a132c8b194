use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    body: Vec<u8>,
    #[pooled(skip = true)]
    id: u64,
}

fn main() {}
