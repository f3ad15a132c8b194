// `max_capacity` needs the field's type to implement `repool::Capacity`.
use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    #[pooled(max_capacity = 4096)]
    status: u16,
}

fn main() {}
