// After `Guard::detach` the object is yours and the guard is gone.
use repool::{Guard, Pooled};

fn main() {
    let buf = Vec::<u8>::acquire();
    let owned: Vec<u8> = Guard::detach(buf);
    println!("{}", buf.len());
    drop(owned);
}
