use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    #[pooled(max_capacity = 4096, max_capacity = 8192)]
    body: Vec<u8>,
}

fn main() {}
