use std::fs::File;

use repool::Pooled;

#[derive(Pooled)]
#[pooled(new = Log::open)]
struct Log {
    lines: Vec<String>,
    file: File,
}

impl Log {
    fn open() -> Self {
        Log {
            lines: Vec::new(),
            file: File::open("/dev/null").unwrap(),
        }
    }
}

fn main() {}
