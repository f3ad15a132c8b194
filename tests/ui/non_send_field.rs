// Objects go back to their pool from any thread, so a pooled type must be
// `Send`. `#[derive(Reset)]` alone accepts this type.
use std::rc::Rc;

use repool::Pooled;

#[derive(Pooled, Default)]
struct Session {
    buf: Vec<u8>,
    user: Option<Rc<String>>,
}

fn main() {}
