// A generic pooled type needs `Send` only of the fields that need it; here the
// field holds a `T`, so `T` must be `Send`.
use std::rc::Rc;

use repool::Pooled;

#[derive(Pooled, Default)]
struct Batch<T> {
    items: Vec<T>,
}

fn main() {
    let _batch = Batch::<Rc<u8>>::acquire();
}
