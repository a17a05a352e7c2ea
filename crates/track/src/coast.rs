//! Nearest coastline: distance from a point to the closest coastline edge.
//!
//! Edges are bucketed on a global grid (a compressed list of edge ids per
//! cell, built in one pass) and a query searches rings of cells outward
//! until no unsearched cell can hold anything nearer. Distances are measured
//! in a local east/north projection around the query (exact to well under a
//! percent within a few hundred kilometres, which is where thresholds like
//! "20 nm from shore" live), and the nearest point found is then measured
//! along the great circle.

use sealane_core::geo::{M_PER_DEG, distance_m};

use crate::region::{Ring, for_cells_of};

const CELL_DEG: f64 = 0.5;
const NX: usize = (360.0 / CELL_DEG) as usize;
const NY: usize = (180.0 / CELL_DEG) as usize;

/// Coastline edges indexed for nearest queries.
#[derive(Debug)]
pub struct CoastIndex {
    /// (lon0, lat0, lon1, lat1).
    edges: Vec<[f32; 4]>,
    /// Cell `c` holds `ids[starts[c]..starts[c + 1]]`.
    starts: Vec<u32>,
    ids: Vec<u32>,
}

impl CoastIndex {
    /// Indexes every edge of `rings`.
    pub fn new(rings: &[Ring]) -> CoastIndex {
        let mut edges = Vec::new();
        for r in rings {
            for i in 0..r.len() {
                let (a, b) = (r[i], r[(i + 1) % r.len()]);
                if a != b {
                    edges.push([a.0 as f32, a.1 as f32, b.0 as f32, b.1 as f32]);
                }
            }
        }
        // Two passes: count per cell, then fill.
        let mut counts = vec![0u32; NX * NY + 1];
        let cells_of = |e: &[f32; 4], f: &mut dyn FnMut(usize)| {
            let seg = [e[0] as f64, e[1] as f64, e[2] as f64, e[3] as f64];
            for_cells_of(&seg, -180.0, -90.0, CELL_DEG, CELL_DEG, NX, NY, f);
        };
        for e in &edges {
            cells_of(e, &mut |c| counts[c + 1] += 1);
        }
        for c in 1..counts.len() {
            counts[c] += counts[c - 1];
        }
        let mut fill = counts.clone();
        let mut ids = vec![0u32; counts[NX * NY] as usize];
        for (i, e) in edges.iter().enumerate() {
            cells_of(e, &mut |c| {
                ids[fill[c] as usize] = i as u32;
                fill[c] += 1;
            });
        }
        CoastIndex { edges, starts: counts, ids }
    }

    /// Number of edges.
    pub fn len(&self) -> usize {
        self.edges.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Distance from (lat, lon) to the nearest edge, metres (infinite when there are none).
    pub fn distance_m(&self, lat: f64, lon: f64) -> f64 {
        if self.edges.is_empty() || !lat.is_finite() || !lon.is_finite() {
            return f64::INFINITY;
        }
        let cx = (((lon + 180.0) / CELL_DEG).floor() as i64).rem_euclid(NX as i64);
        let cy = (((lat + 90.0) / CELL_DEG).floor() as i64).clamp(0, NY as i64 - 1);
        let ky = M_PER_DEG;
        let mut best = f64::INFINITY;
        let mut best_point = (lat, lon);
        let max_ring = NX.max(NY) as i64;
        for r in 0..=max_ring {
            // Nothing in ring r is nearer than the r - 1 cells between it and the query.
            let worst_lat = (lat.abs() + (r as f64 + 1.0) * CELL_DEG).min(89.99);
            let lower = (r as f64 - 1.0).max(0.0) * CELL_DEG * M_PER_DEG * worst_lat.to_radians().cos();
            if lower > best {
                break;
            }
            let kx = M_PER_DEG * lat.to_radians().cos().max(1e-6);
            let mut visit = |x: i64, y: i64| {
                if y < 0 || y >= NY as i64 {
                    return;
                }
                let c = (y as usize) * NX + x.rem_euclid(NX as i64) as usize;
                for &id in &self.ids[self.starts[c] as usize..self.starts[c + 1] as usize] {
                    let (d, p) = nearest_on_edge(&self.edges[id as usize], lat, lon, kx, ky);
                    if d < best {
                        best = d;
                        best_point = p;
                    }
                }
            };
            if r == 0 {
                visit(cx, cy);
            } else {
                for x in cx - r..=cx + r {
                    visit(x, cy - r);
                    visit(x, cy + r);
                }
                for y in cy - r + 1..cy + r {
                    visit(cx - r, y);
                    visit(cx + r, y);
                }
            }
            if r as usize > NX / 2 && cy - r < 0 && cy + r >= NY as i64 {
                break;
            }
        }
        if best.is_infinite() {
            return best;
        }
        distance_m(lat, lon, best_point.0, best_point.1)
    }
}

/// Projected distance from (lat, lon) to an edge, and the edge's nearest point.
fn nearest_on_edge(e: &[f32; 4], lat: f64, lon: f64, kx: f64, ky: f64) -> (f64, (f64, f64)) {
    let (mut x0, y0, mut x1, y1) = (e[0] as f64, e[1] as f64, e[2] as f64, e[3] as f64);
    // Bring the edge to the query's side of the antimeridian.
    if x0 - lon > 180.0 {
        x0 -= 360.0;
        x1 -= 360.0;
    } else if lon - x0 > 180.0 {
        x0 += 360.0;
        x1 += 360.0;
    }
    let (ax, ay) = ((x0 - lon) * kx, (y0 - lat) * ky);
    let (bx, by) = ((x1 - lon) * kx, (y1 - lat) * ky);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (px, py) = (ax + t * dx, ay + t * dy);
    ((px * px + py * py).sqrt(), (lat + py / ky, lon + px / kx))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every edge, measured the same way: the reference.
    fn brute(rings: &[Ring], lat: f64, lon: f64) -> f64 {
        let kx = M_PER_DEG * lat.to_radians().cos().max(1e-6);
        let mut best = (f64::INFINITY, (lat, lon));
        for r in rings {
            for i in 0..r.len() {
                let (a, b) = (r[i], r[(i + 1) % r.len()]);
                let e = [a.0 as f32, a.1 as f32, b.0 as f32, b.1 as f32];
                let found = nearest_on_edge(&e, lat, lon, kx, M_PER_DEG);
                if found.0 < best.0 {
                    best = found;
                }
            }
        }
        distance_m(lat, lon, best.1.0, best.1.1)
    }

    #[test]
    fn finds_the_nearest_edge_across_cells_poles_and_the_antimeridian() {
        let rings: Vec<Ring> = vec![
            vec![(10.0, 10.0), (12.0, 10.5), (11.0, 13.0)],
            vec![(179.8, -16.0), (179.95, -16.2), (179.9, -16.5)],
            vec![(-179.9, 65.0), (-179.5, 65.5), (-179.7, 66.0)],
            vec![(0.0, 85.0), (40.0, 86.0), (80.0, 85.5)],
        ];
        let idx = CoastIndex::new(&rings);
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut checked = 0;
        for _ in 0..2000 {
            // Half near the rings, half anywhere.
            let (lat, lon) = if checked % 2 == 0 {
                let r = &rings[(next() * rings.len() as f64) as usize];
                let v = r[(next() * r.len() as f64) as usize];
                ((v.1 + (next() - 0.5) * 4.0).clamp(-89.0, 89.0), v.0 + (next() - 0.5) * 4.0)
            } else {
                (-80.0 + next() * 168.0, -180.0 + next() * 360.0)
            };
            let lon = if lon > 180.0 {
                lon - 360.0
            } else if lon < -180.0 {
                lon + 360.0
            } else {
                lon
            };
            let (got, want) = (idx.distance_m(lat, lon), brute(&rings, lat, lon));
            // Within a few hundred km (where shore thresholds live) it is exact to the
            // projection; far away it only has to be far.
            if want < 500_000.0 {
                assert!((got - want).abs() <= want * 0.01 + 1e-6, "({lat}, {lon}): {got} vs {want}");
            } else {
                assert!(got >= want * 0.8, "({lat}, {lon}): {got} vs {want}");
            }
            checked += 1;
        }
        assert_eq!(checked, 2000);
        // Across the antimeridian: a point at -179.99 is a few km from the edge at 179.95.
        let d = idx.distance_m(-16.2, -179.99);
        assert!(d < 10_000.0, "{d}");
        assert!(CoastIndex::new(&[]).distance_m(0.0, 0.0).is_infinite());
    }
}
