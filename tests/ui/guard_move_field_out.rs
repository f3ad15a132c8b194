// Moving a field out would leave the pooled object half empty; take it with
// `std::mem::take` (the object keeps a fresh, empty value) or detach the guard.
use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    body: Vec<u8>,
}

fn main() {
    let response = Response::acquire();
    let body: Vec<u8> = response.body;
    drop(body);
}
