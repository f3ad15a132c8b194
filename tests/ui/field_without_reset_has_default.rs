// A type with `Default` but no `Reset` gets `reset = default` suggested.
use repool::Pooled;

#[derive(Default)]
enum Method {
    #[default]
    Get,
    Post,
}

#[derive(Pooled, Default)]
struct Request {
    method: Method,
    body: Vec<u8>,
}

fn main() {
    let _ = Method::Post;
}
