//! Minimum-cost one-to-one assignment (the Hungarian method, Jonker-Volgenant
//! style shortest augmenting paths, O(n^3)) on a dense rectangular matrix.

/// Assigns each row to a distinct column minimising the total cost (rows <=
/// columns is not required: the matrix is padded square). Returns, for each
/// row, its column (None when it got a padding column).
pub fn hungarian(cost: &[Vec<f64>], pad_cost: f64) -> Vec<Option<usize>> {
    let rows = cost.len();
    let cols = cost.iter().map(Vec::len).max().unwrap_or(0);
    let n = rows.max(cols);
    if n == 0 {
        return Vec::new();
    }
    let c = |i: usize, j: usize| -> f64 { cost.get(i).and_then(|r| r.get(j)).copied().unwrap_or(pad_cost) };
    // Potentials u (rows), v (columns); p[j] = row matched to column j (1-based, 0 = none).
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; n + 1];
    let mut p = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=n {
                if used[j] {
                    continue;
                }
                let cur = c(i0 - 1, j - 1) - u[i0] - v[j];
                if cur < minv[j] {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if minv[j] < delta {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![None; rows];
    for (j, &i) in p.iter().enumerate().skip(1) {
        if i >= 1 && i <= rows && j <= cols && j <= cost[i - 1].len() {
            out[i - 1] = Some(j - 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::hungarian;

    fn total(cost: &[Vec<f64>], a: &[Option<usize>]) -> f64 {
        a.iter().enumerate().filter_map(|(i, j)| j.map(|j| cost[i][j])).sum()
    }

    #[test]
    fn finds_the_optimum_where_greedy_fails() {
        // Greedy takes (0,0)=1 then (1,1)=10: 11. Optimal: (0,1)+(1,0) = 2+2 = 4.
        let cost = vec![vec![1.0, 2.0], vec![2.0, 10.0]];
        let a = hungarian(&cost, 100.0);
        assert_eq!(a, vec![Some(1), Some(0)]);
        assert_eq!(total(&cost, &a), 4.0);
    }

    #[test]
    fn rectangular_and_exhaustive_check() {
        let cost = vec![vec![4.0, 1.0, 3.0], vec![2.0, 0.0, 5.0]];
        let a = hungarian(&cost, 100.0);
        assert_eq!(total(&cost, &a), 3.0);
        // 3 rows, 1 column: one row gets the column, two get padding.
        let cost = vec![vec![5.0], vec![1.0], vec![3.0]];
        assert_eq!(hungarian(&cost, 100.0), vec![None, Some(0), None]);
        // Brute force on random 5x5 matrices.
        let mut x = 12345u64;
        for _ in 0..50 {
            let cost: Vec<Vec<f64>> = (0..5)
                .map(|_| {
                    (0..5)
                        .map(|_| {
                            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                            ((x >> 33) % 100) as f64
                        })
                        .collect()
                })
                .collect();
            let a = hungarian(&cost, 1e9);
            let mut best = f64::INFINITY;
            let mut perm = [0, 1, 2, 3, 4];
            permute(&mut perm, 0, &mut |p| best = best.min((0..5).map(|i| cost[i][p[i]]).sum()));
            assert_eq!(total(&cost, &a), best);
        }
    }

    fn permute(p: &mut [usize; 5], k: usize, f: &mut dyn FnMut(&[usize; 5])) {
        if k == p.len() {
            f(p);
            return;
        }
        for i in k..p.len() {
            p.swap(k, i);
            permute(p, k + 1, f);
            p.swap(k, i);
        }
    }
}
