// Objects go back to their pool from any thread, so a pool only holds `Send`
// types: a non-`Send` type (here one that derives only `Reset`) cannot be
// acquired, so no guard of it can ever be sent to another thread.
use std::rc::Rc;

use repool::{Pool, Reset};

#[derive(Reset, Default)]
struct Local {
    shared: Option<Rc<String>>,
}

fn main() {
    let pool = Pool::<Local>::new();
    let local = pool.acquire();
    std::thread::spawn(move || drop(local));
}
