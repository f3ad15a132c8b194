use repool::Pooled;

#[derive(Pooled, Default)]
#[pooled(capacity = "64")]
struct Response {
    body: Vec<u8>,
}

fn main() {}
