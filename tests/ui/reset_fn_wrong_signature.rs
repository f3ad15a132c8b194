use repool::Pooled;

#[derive(Pooled, Default)]
struct Response {
    #[pooled(reset = clear_text)]
    body: Vec<u8>,
}

fn clear_text(text: &mut String) {
    text.clear();
}

fn main() {}
