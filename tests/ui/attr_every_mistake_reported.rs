// All mistakes are reported in one build, not one per build.
use repool::Pooled;

#[derive(Pooled, Default)]
#[pooled(capacity = "64", capacity = 8, size = 1)]
struct Response {
    #[pooled(skip, reset = Vec::clear)]
    body: Vec<u8>,
    #[pooled(max_capacity = -1, new = Vec::new)]
    headers: Vec<String>,
}

fn main() {}
