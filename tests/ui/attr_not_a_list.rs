use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    #[pooled]
    body: Vec<u8>,
}

fn main() {}
