use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    #[pooled(skip)]
    #[pooled(max_capacity = 4096)]
    body: Vec<u8>,
}

fn main() {}
