// Go: calling `pool.Put(buf)` twice hands one object to two users.
use repool::Pooled;

fn main() {
    let buf = String::acquire();
    drop(buf);
    drop(buf);
}
