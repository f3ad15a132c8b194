// A reference into the pooled object must not outlive its guard: after the
// drop the object is reset and may be handed to someone else.
use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    body: Vec<u8>,
}

fn main() {
    let mut response = Response::acquire();
    response.body.extend_from_slice(b"hello");
    let body = &response.body;
    drop(response);
    println!("{body:?}");
}
