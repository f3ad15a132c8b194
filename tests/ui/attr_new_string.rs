use repool::Pooled;

#[derive(Pooled)]
#[pooled(new = "Response::fresh")]
struct Response {
    body: Vec<u8>,
}

impl Response {
    fn fresh() -> Self {
        Response {
            body: Vec::with_capacity(4096),
        }
    }
}

fn main() {}
