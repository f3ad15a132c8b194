// On the type, `reset` only says `manual`; a reset function goes on a field.
use repool::Pooled;

#[derive(Pooled, Default)]
#[pooled(reset = Response::clear)]
struct Response {
    body: Vec<u8>,
}

impl Response {
    fn clear(&mut self) {
        self.body.clear();
    }
}

fn main() {}
