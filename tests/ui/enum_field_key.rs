// A derived reset assigns the `#[default]` variant: a key on a variant's
// field could not be honoured.
use repool::Reset;

#[derive(Reset, Default)]
enum Body {
    #[default]
    Empty,
    Text(#[pooled(max_capacity = 4096)] String),
}

fn main() {}
