use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    #[pooled(max_size = 4096)]
    body: Vec<u8>,
}

fn main() {}
