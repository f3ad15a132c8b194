use repool::Pooled;

#[derive(Pooled, Default)]
#[pooled(name = 5)]
struct Session {
    id: Vec<u8>,
}

fn main() {}
