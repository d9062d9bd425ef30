//! Segments compared (docs/kpis.md): how sure a segment's conversion rate is (the 95 %
//! Wilson score interval, which stays inside [0, 1] and behaves at 0 and n successes where
//! the normal interval does not) and whether it differs from everyone else's (the pooled
//! two-proportion z-test, two-sided).

/// z for a two-sided 95 % interval: Φ⁻¹(0.975).
pub const Z95: f64 = 1.959963984540054;

/// The Wilson interval of `successes` out of `n`; `None` when `n` is 0.
pub fn wilson(successes: u64, n: u64) -> Option<[f64; 2]> {
    if n == 0 {
        return None;
    }
    let (x, n) = (successes as f64, n as f64);
    let p = x / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // Rounding can put a bound a hair outside [0, 1] at p = 0 or 1.
    Some([(centre - half).max(0.0), (centre + half).min(1.0)])
}

/// The two-sided p-value of the pooled two-proportion z-test of x1/n1 against x2/n2;
/// `None` when a side is empty or the pooled rate is 0 or 1 (no variance to test against).
pub fn two_proportion_p(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<f64> {
    if n1 == 0 || n2 == 0 || (x1 + x2 == 0) || (x1 + x2 == n1 + n2) {
        return None;
    }
    let (x1, n1, x2, n2) = (x1 as f64, n1 as f64, x2 as f64, n2 as f64);
    let pooled = (x1 + x2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let z = (x1 / n1 - x2 / n2) / se;
    // 2 × (1 − Φ(|z|)) = erfc(|z| / √2), without the cancellation of 1 − Φ for large z.
    Some(libm::erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wilson_worked_examples() {
        // Newcombe (1998), Statistics in Medicine 17, table I: 81/263 → 0.2553 – 0.3662,
        // 15/148 → 0.0624 – 0.1605, 0/20 → 0 – 0.1611, 1/29 → 0.0061 – 0.1718.
        for (x, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let [l, h] = wilson(x, n).unwrap();
            assert!(close(l, lo, 5e-5) && close(h, hi, 5e-5), "{x}/{n}: {l} {h}");
        }
        assert_eq!(wilson(0, 0), None);
        let [l, h] = wilson(20, 20).unwrap();
        assert!(h == 1.0 && close(l, 0.8389, 5e-5), "{l}");
    }

    #[test]
    fn z_test_worked_examples() {
        // 45/100 vs 56/100: pooled 0.505, z = −1.5557, p = 0.1198 (any statistics text).
        let p = two_proportion_p(45, 100, 56, 100).unwrap();
        assert!(close(p, 0.119_78, 5e-5), "{p}");
        // Symmetric in the sides.
        assert_eq!(two_proportion_p(56, 100, 45, 100), Some(p));
        // 30/50 vs 20/50: pooled 0.5, se = 0.1, z = 2, p = 0.0455.
        let p = two_proportion_p(30, 50, 20, 50).unwrap();
        let z: f64 = 0.2 / (0.25f64 * (2.0 / 50.0)).sqrt();
        assert!(close(p, libm::erfc(z / std::f64::consts::SQRT_2), 1e-15));
        assert!(close(p, 0.0455, 5e-5), "{p}");
        // Equal rates: p = 1.
        assert_eq!(two_proportion_p(10, 100, 20, 200), Some(1.0));
    }

    #[test]
    fn p_value_null_rules() {
        assert_eq!(two_proportion_p(0, 0, 5, 10), None);
        assert_eq!(two_proportion_p(5, 10, 0, 0), None);
        assert_eq!(two_proportion_p(0, 10, 0, 30), None);
        assert_eq!(two_proportion_p(10, 10, 30, 30), None);
        assert!(two_proportion_p(0, 10, 1, 30).is_some());
    }
}
