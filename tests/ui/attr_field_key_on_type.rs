use repool::Pooled;

#[derive(Pooled, Default)]
#[pooled(max_capacity = 4096)]
struct Response {
    body: Vec<u8>,
}

fn main() {}
