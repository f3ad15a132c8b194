// A slice of a pooled buffer must not outlive the scope that holds the guard.
use repool::Pooled;

fn main() {
    let head: &[u8];
    {
        let mut buf = Vec::<u8>::acquire();
        buf.extend_from_slice(b"GET / HTTP/1.1");
        head = &buf[..3];
    }
    println!("{head:?}");
}
