use repool::Reset;

#[derive(Reset)]
enum Message {
    Text(String),
    Binary(Vec<u8>),
}

fn main() {}
