//! The packing part of the lower bound on PCN splits: inside one district, the PCN catchments that
//! lie wholly in it must be packed into its SNPs, each SNP within target ± tolerance. When no packing
//! of whole catchments exists, some catchment must be split, whatever the plan. The bound relaxes
//! contiguity (any packing counts), so it never exceeds the true minimum.
//!
//! For a district of `P` people, every SNP count `k` with `P / hi ≤ k ≤ P / lo` is tried (`lo`, `hi`:
//! the tolerance band). The people the packing may place freely (`fluid`) are those in no PCN, in a
//! PCN already split (it straddles districts or is too big for one SNP), and in the catchments the
//! bound chooses to split. Whole catchments go into `k` bins of at most `hi` people each, and the
//! bins' shortfalls below `lo` must be covered by the fluid people. The fewest catchments to split is
//! found by trying every set of 0, 1, 2, … catchments (the largest first) until one packs; a search
//! that exceeds its budget stops and the district adds nothing, so the figure stays a lower bound.

/// Search steps allowed per district before the bound gives up on it (adding 0).
const BUDGET: usize = 200_000;
/// Catchments considered per district: a district with more adds nothing (the search would be long).
const MAX_PIECES: usize = 24;
/// Catchments split tried at most per district.
const MAX_SPLIT: usize = 3;

/// Fewest whole catchments (people in each: `whole`) that must be split in a district whose other
/// people (`fluid`) may go anywhere, for some SNP count within `[lo, hi]` per SNP; 0 when unknown.
pub fn min_splits(whole: &[f64], fluid: f64, lo: f64, hi: f64) -> usize {
    if whole.len() > MAX_PIECES || lo <= 0.0 || hi < lo {
        return 0;
    }
    let total = whole.iter().sum::<f64>() + fluid;
    let (kmin, kmax) = ((total / hi).ceil().max(1.0) as usize, (total / lo).floor() as usize);
    if kmin > kmax {
        return 0; // the district cannot meet the tolerance at all: nothing to say about PCNs
    }
    let mut w = whole.to_vec();
    w.sort_by(|a, b| b.total_cmp(a));
    let mut budget = BUDGET;
    for s in 0..=MAX_SPLIT.min(w.len()) {
        let mut found = false;
        let mut unknown = false;
        for_each_subset(w.len(), s, &mut |split: &[usize]| {
            let rest: Vec<f64> = (0..w.len()).filter(|i| !split.contains(i)).map(|i| w[i]).collect();
            let free = fluid + split.iter().map(|&i| w[i]).sum::<f64>();
            for k in kmin..=kmax {
                match packs(&rest, free, k, lo, hi, &mut budget) {
                    Some(true) => found = true,
                    Some(false) => {}
                    None => unknown = true,
                }
                if found || unknown {
                    return true;
                }
            }
            false
        });
        if found {
            return s;
        }
        if unknown {
            return 0;
        }
    }
    0
}

/// Call `f` with each `s`-subset of `0..n` (lexicographic) until it returns true.
fn for_each_subset(n: usize, s: usize, f: &mut dyn FnMut(&[usize]) -> bool) {
    fn go(start: usize, n: usize, s: usize, cur: &mut Vec<usize>, f: &mut dyn FnMut(&[usize]) -> bool) -> bool {
        if cur.len() == s {
            return f(cur);
        }
        for i in start..n {
            cur.push(i);
            if go(i + 1, n, s, cur, f) {
                return true;
            }
            cur.pop();
        }
        false
    }
    go(0, n, s, &mut Vec::new(), f);
}

/// Whether the whole catchments `w` (largest first) pack into `k` SNPs of at most `hi` people whose
/// shortfalls below `lo` the `free` people can cover; `None` when the budget ran out.
fn packs(w: &[f64], free: f64, k: usize, lo: f64, hi: f64, budget: &mut usize) -> Option<bool> {
    let total = w.iter().sum::<f64>() + free;
    if total > k as f64 * hi + 1e-9 || total < k as f64 * lo - 1e-9 {
        return Some(false);
    }
    let mut load = vec![0.0; k];
    let remaining: f64 = w.iter().sum();
    dfs(w, 0, remaining, free, lo, hi, &mut load, budget)
}

#[allow(clippy::too_many_arguments)] // a recursive search's state, kept flat
fn dfs(
    w: &[f64],
    i: usize,
    remaining: f64,
    free: f64,
    lo: f64,
    hi: f64,
    load: &mut [f64],
    budget: &mut usize,
) -> Option<bool> {
    if *budget == 0 {
        return None;
    }
    *budget -= 1;
    let shortfall: f64 = load.iter().map(|l| (lo - l).max(0.0)).sum();
    // Each person still to place lowers the shortfall by at most one.
    if shortfall - remaining > free + 1e-9 {
        return Some(false);
    }
    if i == w.len() {
        return Some(true);
    }
    let mut tried: Vec<f64> = Vec::new();
    for b in 0..load.len() {
        // Bins with the same load are interchangeable: try one of them.
        if load[b] + w[i] > hi + 1e-9 || tried.iter().any(|t| (t - load[b]).abs() < 1e-9) {
            continue;
        }
        tried.push(load[b]);
        load[b] += w[i];
        let r = dfs(w, i + 1, remaining - w[i], free, lo, hi, load, budget);
        load[b] -= w[i];
        if r != Some(false) {
            return r;
        }
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::min_splits;

    #[test]
    fn hand_worked_districts() {
        // Two SNPs of 40–60k: 55k + 45k packs whole.
        assert_eq!(min_splits(&[55_000.0, 45_000.0], 0.0, 40_000.0, 60_000.0), 0);
        // 3 × 35k = 105k needs two SNPs, and no SNP of at most 60k holds two of them: one splits.
        assert_eq!(min_splits(&[35_000.0, 35_000.0, 35_000.0], 0.0, 40_000.0, 60_000.0), 1);
        // With 10k of people in no PCN, 45k + 45k + 10k packs as 45k+5k and 45k+5k.
        assert_eq!(min_splits(&[45_000.0, 45_000.0], 10_000.0, 40_000.0, 60_000.0), 0);
        // 38k + 38k + 24k = 100k into two SNPs: 38+24 = 62k > 60k, 38+38 = 76k: one split.
        assert_eq!(min_splits(&[38_000.0, 38_000.0, 24_000.0], 0.0, 40_000.0, 60_000.0), 1);
        // A district that cannot meet the tolerance at all says nothing (0).
        assert_eq!(min_splits(&[30_000.0], 0.0, 40_000.0, 60_000.0), 0);
    }

    #[test]
    fn more_snps_can_avoid_a_split() {
        // With a 32k–48k band the same 105k needs three SNPs, and 35k each packs whole.
        assert_eq!(min_splits(&[35_000.0; 3], 0.0, 32_000.0, 48_000.0), 0);
    }
}
