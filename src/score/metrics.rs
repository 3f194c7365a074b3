//! Pure metric functions, each checked against a hand-worked example. Definitions in docs/METRICS.md.

use std::collections::BTreeMap;

/// Polsby–Popper compactness 4πA / P² (1 for a circle, ~0.785 for a square).
pub fn polsby_popper(area: f64, perimeter: f64) -> f64 {
    if perimeter <= 0.0 {
        return 0.0;
    }
    4.0 * std::f64::consts::PI * area / (perimeter * perimeter)
}

/// Population-weighted quantile (q in 0..=1) of values: the smallest value whose cumulative weight
/// reaches q of the total.
pub fn weighted_quantile(values: &[(f64, f64)], q: f64) -> f64 {
    let mut v: Vec<(f64, f64)> = values.iter().copied().filter(|x| x.1 > 0.0).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|x| x.1).sum();
    let mut acc = 0.0;
    for (x, w) in &v {
        acc += w;
        if acc >= q * total - 1e-9 {
            return *x;
        }
    }
    v.last().unwrap().0
}

/// Population-weighted mean.
pub fn weighted_mean(values: &[(f64, f64)]) -> f64 {
    let w: f64 = values.iter().map(|x| x.1).sum();
    if w <= 0.0 {
        return f64::NAN;
    }
    values.iter().map(|x| x.0 * x.1).sum::<f64>() / w
}

/// Concentration index of `x` over a deprivation ranking: rows are (x, population, IMD rank with
/// 1 = most deprived). Fractional rank runs from the most deprived (0) to the least deprived (1);
/// CI = 2·Σ wᵢ (xᵢ − μ)(rᵢ − ½) / μ. Negative: x is concentrated among the more deprived.
pub fn concentration_index(rows: &[(f64, f64, f64)]) -> f64 {
    let mut v: Vec<(f64, f64, f64)> = rows.iter().copied().filter(|r| r.1 > 0.0).collect();
    v.sort_by(|a, b| a.2.total_cmp(&b.2));
    let total: f64 = v.iter().map(|r| r.1).sum();
    if total <= 0.0 {
        return f64::NAN;
    }
    let mu = v.iter().map(|r| r.0 * r.1).sum::<f64>() / total;
    if mu == 0.0 {
        return 0.0;
    }
    let mut cum = 0.0;
    let mut s = 0.0;
    for (x, w, _) in &v {
        let r = (cum + w / 2.0) / total;
        cum += w;
        s += (w / total) * (x - mu) * (r - 0.5);
    }
    2.0 * s / mu
}

/// Coterminosity of footprints with a boundary layer. Input: (footprint, unit, population) rows.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Coterminosity {
    /// Share of population living in footprints with ≥ 99% of their population in one unit.
    pub share_in_whole_footprints: f64,
    /// Per footprint: its main unit and the share of its population there.
    pub per_footprint: BTreeMap<String, (String, f64)>,
    /// Per unit: pieces (footprints with people in it) and the minimum possible ⌈pop / target⌉.
    pub unit_splits: BTreeMap<String, (usize, usize)>,
    /// Σ max(0, pieces − minimum) over units.
    pub excess_splits: usize,
}

/// Compute coterminosity from (footprint, unit, population) rows and a footprint target.
pub fn coterminosity(rows: &[(String, String, f64)], target: f64) -> Coterminosity {
    let mut by_fp: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
    let mut by_unit: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
    for (f, u, p) in rows {
        *by_fp.entry(f).or_default().entry(u).or_default() += p;
        *by_unit.entry(u).or_default().entry(f).or_default() += p;
    }
    let total: f64 = rows.iter().map(|r| r.2).sum();
    let mut whole = 0.0;
    let mut per_footprint = BTreeMap::new();
    for (f, units) in &by_fp {
        let t: f64 = units.values().sum();
        let (mu, mp) = units.iter().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0))).unwrap();
        let share = if t > 0.0 { mp / t } else { 1.0 };
        if share >= 0.99 {
            whole += t;
        }
        per_footprint.insert(f.to_string(), (mu.to_string(), share));
    }
    let mut unit_splits = BTreeMap::new();
    let mut excess = 0;
    for (u, fps) in &by_unit {
        let pop: f64 = fps.values().sum();
        let pieces = fps.values().filter(|p| **p > 0.0).count();
        let min = ((pop / target).ceil() as usize).max(1);
        excess += pieces.saturating_sub(min);
        unit_splits.insert(u.to_string(), (pieces, min));
    }
    Coterminosity {
        share_in_whole_footprints: if total > 0.0 { whole / total } else { 1.0 },
        per_footprint,
        unit_splits,
        excess_splits: excess,
    }
}

/// Integrity of groups (e.g. PCNs) across footprints from (group, footprint, mass) rows: per group the
/// share in its main footprint, the number of groups with < 99% in one footprint, and the
/// mass-weighted mean share.
pub fn group_integrity(rows: &[(String, String, f64)]) -> (BTreeMap<String, (String, f64)>, usize, f64) {
    let mut by: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
    for (g, f, m) in rows {
        *by.entry(g).or_default().entry(f).or_default() += m;
    }
    let mut per = BTreeMap::new();
    let (mut split, mut num, mut den) = (0, 0.0, 0.0);
    for (g, fps) in by {
        let t: f64 = fps.values().sum();
        let (mf, mm) = fps.iter().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0))).unwrap();
        let share = if t > 0.0 { mm / t } else { 1.0 };
        if share < 0.99 {
            split += 1;
        }
        num += mm;
        den += t;
        per.insert(g.to_string(), (mf.to_string(), share));
    }
    (per, split, if den > 0.0 { num / den } else { 1.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polsby_popper_square_and_circle() {
        assert!((polsby_popper(1.0, 4.0) - std::f64::consts::PI / 4.0).abs() < 1e-12);
        let r: f64 = 3.0;
        let pi = std::f64::consts::PI;
        assert!((polsby_popper(pi * r * r, 2.0 * pi * r) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn quantile_and_mean_hand_worked() {
        // Distances 1, 2, 10 km with populations 50, 40, 10: mean 2.3; P90 reached at 2 (90 of 100).
        let v = [(1.0, 50.0), (2.0, 40.0), (10.0, 10.0)];
        assert!((weighted_mean(&v) - 2.3).abs() < 1e-12);
        assert_eq!(weighted_quantile(&v, 0.9), 2.0);
        assert_eq!(weighted_quantile(&v, 0.95), 10.0);
    }

    #[test]
    fn concentration_index_hand_worked() {
        // Two equal groups: most deprived x = 3, least deprived x = 1. μ = 2; r = 0.25, 0.75.
        // CI = 2·[0.5·(1)(−0.25) + 0.5·(−1)(0.25)] / 2 = −0.25.
        let ci = concentration_index(&[(3.0, 100.0, 1.0), (1.0, 100.0, 2.0)]);
        assert!((ci + 0.25).abs() < 1e-12, "{ci}");
        assert!(concentration_index(&[(5.0, 1.0, 1.0), (5.0, 1.0, 2.0)]).abs() < 1e-12);
    }

    #[test]
    fn coterminosity_hand_worked() {
        // Footprint A: 100 in unit X. Footprint B: 60 in X, 40 in Y. Target 100.
        let rows = vec![
            ("A".to_string(), "X".to_string(), 100.0),
            ("B".to_string(), "X".to_string(), 60.0),
            ("B".to_string(), "Y".to_string(), 40.0),
        ];
        let c = coterminosity(&rows, 100.0);
        assert!((c.share_in_whole_footprints - 0.5).abs() < 1e-12);
        assert_eq!(c.per_footprint["B"], ("X".to_string(), 0.6));
        // X has 160 people → minimum 2 pieces, has 2; Y has 40 → minimum 1, has 1.
        assert_eq!(c.unit_splits["X"], (2, 2));
        assert_eq!(c.excess_splits, 0);
    }

    #[test]
    fn group_integrity_hand_worked() {
        // PCN P: 80 in A, 20 in B (split, 80%); PCN Q: 50 in B (whole). Weighted mean 130/150.
        let rows = vec![
            ("P".to_string(), "A".to_string(), 80.0),
            ("P".to_string(), "B".to_string(), 20.0),
            ("Q".to_string(), "B".to_string(), 50.0),
        ];
        let (per, split, mean) = group_integrity(&rows);
        assert_eq!(split, 1);
        assert_eq!(per["P"], ("A".to_string(), 0.8));
        assert!((mean - 130.0 / 150.0).abs() < 1e-12);
    }
}
