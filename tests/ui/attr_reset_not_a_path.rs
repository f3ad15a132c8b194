use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    #[pooled(reset = |body: &mut Vec<u8>| body.clear())]
    body: Vec<u8>,
}

fn main() {}
