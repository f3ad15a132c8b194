// std's `#[derive(Default)]` takes `#[default]` on unit variants only; its
// error is the only one (the derived reset builds such a variant through
// `Default`, which other derives that read `#[default]` do support).
use repool::Reset;

#[derive(Reset, Default)]
enum Body {
    #[default]
    Text(String),
    Empty,
}

fn main() {}
