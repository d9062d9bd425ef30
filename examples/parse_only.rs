//! Baseline for the benchmark: one pass over a CSV file with the `csv` crate, touching every
//! field, doing nothing else. `cargo run --release --example parse_only -- FILE`
fn main() {
    let path = std::env::args().nth(1).expect("usage: parse_only FILE");
    let start = std::time::Instant::now();
    let mut rdr = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 17)
        .from_path(&path)
        .expect("open");
    let mut rec = csv::ByteRecord::new();
    let (mut rows, mut bytes) = (0u64, 0u64);
    while rdr.read_byte_record(&mut rec).expect("read") {
        rows += 1;
        bytes += rec.iter().map(|f| f.len() as u64).sum::<u64>();
    }
    eprintln!(
        "{rows} rows, {bytes} field bytes in {:.3} s",
        start.elapsed().as_secs_f64()
    );
}
