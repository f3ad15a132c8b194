use repool::Reset;

#[derive(Reset)]
struct Tokens<'a> {
    tokens: Vec<&'a str>,
    source: &'a str,
}

fn main() {}
