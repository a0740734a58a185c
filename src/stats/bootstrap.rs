//! The bootstrap driver every engine uses: replicate r draws from its own ChaCha8 stream
//! (seed, r), replicates run in parallel and come back in replicate order, so the output is
//! identical whatever the number of threads; percentile intervals as numpy's `percentile`
//! (linear interpolation).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Runs `f` for replicates 0..reps in parallel, replicate r with the generator seeded by `seed`
/// on stream r; the results in replicate order.
pub fn replicates<T, F>(reps: usize, seed: u64, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, &mut ChaCha8Rng) -> T + Sync,
{
    (0..reps)
        .into_par_iter()
        .map(|r| {
            let mut rng = stream(seed, r as u64);
            f(r, &mut rng)
        })
        .collect()
}

/// The generator of stream `r` under `seed`.
pub fn stream(seed: u64, r: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(r);
    rng
}

/// The central percentile interval at `level` (e.g. 0.95) of `values`, which it sorts:
/// (q_{(1−level)/2}, q_{(1+level)/2}). `values` must not be empty.
pub fn percentile_interval(values: &mut [f64], level: f64) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let alpha = (1.0 - level) / 2.0;
    (percentile(values, alpha), percentile(values, 1.0 - alpha))
}

/// The q-quantile of sorted values with linear interpolation (numpy's default `linear`).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn percentiles_like_numpy() {
        // numpy.percentile([1, 2, 3, 4], [2.5, 50, 97.5]) = 1.075, 2.5, 3.925
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 1.0), 4.0);
        assert!((percentile(&v, 0.025) - 1.075).abs() < 1e-12);
        assert!((percentile(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!((percentile(&v, 0.975) - 3.925).abs() < 1e-12);
        let mut w = vec![4.0, 1.0, 3.0, 2.0];
        let (lo, hi) = percentile_interval(&mut w, 0.95);
        assert!((lo - 1.075).abs() < 1e-12 && (hi - 3.925).abs() < 1e-12);
    }

    #[test]
    fn replicates_are_ordered_and_seeded() {
        let a: Vec<u64> = replicates(64, 7, |_, rng| rng.random());
        let b: Vec<u64> = replicates(64, 7, |_, rng| rng.random());
        assert_eq!(a, b);
        assert_eq!(a[5], stream(7, 5).random::<u64>());
        assert_ne!(a[0], a[1]);
    }
}
