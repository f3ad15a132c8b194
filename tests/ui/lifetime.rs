use repool::Pooled;

#[derive(Pooled, Default)]
struct Tokens<'a> {
    tokens: Vec<&'a str>,
}

fn main() {}
