//! `JOURNEYMAP_TIMINGS=1` prints how long each pipeline step took, on stderr: the way to see
//! where a slow build spends its time. Every layer may time its steps, so this sits at the
//! bottom with the diagnostics.

/// Runs a step and, with `JOURNEYMAP_TIMINGS` set, prints its duration.
pub fn timed<T>(step: &str, f: impl FnOnce() -> T) -> T {
    let start = std::time::Instant::now();
    let out = f();
    if enabled() {
        eprintln!("timing: {step}: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    }
    out
}

pub fn enabled() -> bool {
    std::env::var_os("JOURNEYMAP_TIMINGS").is_some()
}
