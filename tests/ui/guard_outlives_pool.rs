// A guard from a pool you own borrows that pool: the pool cannot be dropped
// while an object is still out.
use repool::Pool;

fn main() {
    let buf;
    {
        let pool = Pool::<Vec<u8>>::new();
        buf = pool.acquire();
    }
    println!("{}", buf.len());
}
