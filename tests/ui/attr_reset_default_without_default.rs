use std::fs::File;

use repool::Reset;

#[derive(Reset)]
struct Log {
    lines: Vec<String>,
    #[pooled(reset = default)]
    file: File,
}

fn main() {}
