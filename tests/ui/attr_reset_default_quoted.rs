use repool::Pooled;

#[derive(Pooled, Default)]
struct Request {
    #[pooled(reset = "default")]
    method: u8,
}

fn main() {}
