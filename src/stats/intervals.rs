//! Confidence intervals: Wilson score intervals for the per-group rates that are proportions.
//! Formulas and references: docs/metrics.md, "Intervals".

/// The standard normal quantile Φ⁻¹(p), by Wichura's algorithm AS 241 (PPND16; relative error
/// about 1e-16). `p` must be in (0, 1). The coefficients are AS 241's, digit for digit.
#[allow(clippy::inconsistent_digit_grouping, clippy::excessive_precision)]
pub fn normal_quantile(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((2509.080_928_730_122_7 * r + 33430.575_583_588_128) * r
                + 67265.770_927_008_7)
                * r
                + 45921.953_931_549_87)
                * r
                + 13731.693_765_509_461)
                * r
                + 1971.590_950_306_551_3)
                * r
                + 133.141_667_891_784_38)
                * r
                + 3.387_132_872_796_366_5)
            / (((((((5226.495_278_852_545 * r + 28729.085_735_721_943) * r
                + 39307.895_800_092_71)
                * r
                + 21213.794_301_586_597)
                * r
                + 5394.196_021_424_751)
                * r
                + 687.187_007_492_057_9)
                * r
                + 42.313_330_701_600_91)
                * r
                + 1.0);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        (((((((7.745_450_142_783_414e-4 * r + 0.022_723_844_989_269_184) * r
            + 0.241_780_725_177_450_6)
            * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_5)
            * r
            + 5.769_497_221_460_691)
            * r
            + 4.630_337_846_156_546)
            * r
            + 1.423_437_110_749_683_5)
            / (((((((1.050_750_071_644_416_9e-9 * r + 5.475_938_084_995_345e-4) * r
                + 0.015_198_666_563_616_457)
                * r
                + 0.148_103_976_427_480_08)
                * r
                + 0.689_767_334_985_1)
                * r
                + 1.676_384_830_183_803_8)
                * r
                + 2.053_191_626_637_759)
                * r
                + 1.0)
    } else {
        let r = r - 5.0;
        (((((((2.010_334_399_292_288_1e-7 * r + 2.711_555_568_743_487_6e-5) * r
            + 0.001_242_660_947_388_078_4)
            * r
            + 0.026_532_189_526_576_124)
            * r
            + 0.296_560_571_828_504_87)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114)
            * r
            + 6.657_904_643_501_103)
            / (((((((2.044_263_103_389_939_7e-15 * r + 1.421_511_758_316_446e-7) * r
                + 1.846_318_317_510_054_8e-5)
                * r
                + 7.868_691_311_456_133e-4)
                * r
                + 0.014_875_361_290_850_615)
                * r
                + 0.136_929_880_922_735_8)
                * r
                + 0.599_832_206_555_888)
                * r
                + 1.0)
    };
    if q < 0.0 {
        -x
    } else {
        x
    }
}

/// The two-sided z for a confidence level, e.g. 0.95 → 1.959963984540054.
pub fn z_for(level: f64) -> f64 {
    normal_quantile(0.5 + level / 2.0)
}

/// Wilson score interval of a proportion p̂ observed on n trials:
/// (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n). `None` when n = 0.
pub fn wilson(p: f64, n: f64, z: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((center - half).max(0.0), (center + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles() {
        assert!((z_for(0.95) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((z_for(0.99) - 2.575_829_303_548_901).abs() < 1e-14);
        assert!((normal_quantile(0.8413447460685429) - 1.0).abs() < 1e-12);
        assert!((normal_quantile(1e-10) + 6.361_340_902_404_056).abs() < 1e-9);
        assert_eq!(normal_quantile(0.5), 0.0);
    }

    #[test]
    fn wilson_by_hand() {
        // 8 of 10 at 95%: the textbook (0.4902, 0.9433).
        let (lo, hi) = wilson(0.8, 10.0, z_for(0.95)).unwrap();
        assert!((lo - 0.490_161_6).abs() < 1e-6, "{lo}");
        assert!((hi - 0.943_317_7).abs() < 1e-6, "{hi}");
        // 0 of 20: lower bound 0, upper z²/(n+z²).
        let z = z_for(0.95);
        let (lo, hi) = wilson(0.0, 20.0, z).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - z * z / (20.0 + z * z)).abs() < 1e-15);
        assert_eq!(wilson(0.5, 0.0, z), None);
    }
}

/// The standard normal upper tail 1 − Φ(z) = erfc(z/√2)/2, with libm's erfc (musl's, error
/// under 1 ulp), so p-values agree with scipy's `norm.sf` to the last digits.
pub fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tail_tests {
    use super::*;

    #[test]
    fn normal_tail() {
        // scipy.stats.norm.sf
        for (z, want) in [
            (0.0, 0.5),
            (1.0, 0.158_655_253_931_457_05),
            (1.959_963_984_540_054, 0.025),
            (3.0, 0.001_349_898_031_630_094_6),
            (-1.0, 0.841_344_746_068_543),
        ] {
            let got = normal_sf(z);
            assert!(((got - want) / want).abs() < 1e-14, "{z}: {got} vs {want}");
        }
    }
}
