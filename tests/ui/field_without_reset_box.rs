// A field behind a forwarding impl (`Box<T: Reset>`) is named as written,
// not by the type inside the box.
use std::fs::File;

use repool::Reset;

#[derive(Reset)]
struct Log {
    lines: Vec<String>,
    file: Box<File>,
}

fn main() {}
