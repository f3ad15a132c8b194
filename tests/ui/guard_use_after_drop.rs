// Go: using a buffer after `pool.Put(buf)`; another goroutine may own it now.
use repool::Pooled;

fn main() {
    let mut buf = Vec::<u8>::acquire();
    buf.extend_from_slice(b"hello");
    drop(buf);
    buf.push(b'!');
}
