use repool::{Pooled, Reset};

#[derive(Pooled, Default)]
#[pooled(reset = manual)]
struct Response {
    #[pooled(max_capacity = 4096)]
    body: Vec<u8>,
}

impl Reset for Response {
    fn reset(&mut self) {
        self.body.clear();
    }
}

fn main() {}
