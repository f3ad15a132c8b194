use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    #[pooled(max_capacity = -1)]
    body: Vec<u8>,
}

fn main() {}
