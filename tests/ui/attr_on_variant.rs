use repool::{Pooled, Reset};

#[derive(Pooled)]
#[pooled(reset = manual, new = Message::empty)]
enum Message {
    #[pooled(skip)]
    Text(String),
    Binary(Vec<u8>),
}

impl Message {
    fn empty() -> Self {
        Message::Text(String::new())
    }
}

impl Reset for Message {
    fn reset(&mut self) {
        match self {
            Message::Text(text) => text.clear(),
            Message::Binary(bytes) => bytes.clear(),
        }
    }
}

fn main() {}
