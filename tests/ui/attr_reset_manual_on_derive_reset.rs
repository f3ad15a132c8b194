use repool::Reset;

#[derive(Reset, Default)]
#[pooled(reset = manual)]
struct Response {
    body: Vec<u8>,
}

fn main() {}
