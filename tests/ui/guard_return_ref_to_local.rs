// Go: `defer pool.Put(buf); return buf.Bytes()` returns memory that the pool
// hands to the next caller. Rust refuses to return a borrow of the guard.
use repool::Pooled;

fn render(name: &str) -> &[u8] {
    let mut buf = Vec::<u8>::acquire();
    buf.extend_from_slice(b"hello, ");
    buf.extend_from_slice(name.as_bytes());
    &buf
}

fn main() {
    println!("{:?}", render("gopher"));
}
