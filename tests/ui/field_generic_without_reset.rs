// For a generic field the check is made per instantiation, so the error is at
// the use; its notes point at the field that needs `Reset`.
use std::sync::Arc;

use repool::Pooled;

#[derive(Pooled, Default)]
struct Shared<T> {
    items: Vec<u8>,
    current: Arc<T>,
}

fn main() {
    let _shared = Shared::<String>::acquire();
}
