use repool::Pooled;

#[derive(Pooled)]
union Bits {
    int: u64,
    float: f64,
}

fn main() {}
