use repool::Pooled;

#[derive(Pooled, Default)]
#[pooled(capacty = 64)]
struct Response {
    body: Vec<u8>,
}

fn main() {
    // Not an error of its own: after a mistake the derive still implements
    // the traits, so only the mistake is reported.
    let _response = Response::acquire();
}
