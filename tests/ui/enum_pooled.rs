use repool::Pooled;

#[derive(Pooled)]
enum Message {
    Text(String),
    Binary(Vec<u8>),
}

fn main() {
    // Not an error of its own: only the enum is reported.
    let _message = Message::acquire();
}
