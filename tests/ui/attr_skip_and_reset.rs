use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    #[pooled(skip, reset = Vec::clear)]
    body: Vec<u8>,
}

fn main() {}
