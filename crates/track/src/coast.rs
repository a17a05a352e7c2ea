//! Nearest coastline: distance from a point to the closest coastline edge
//! (or to any set of edges: the same index serves a route network).
//!
//! Edges are bucketed on two grids (lists of edge ids per cell): a dense
//! quarter-degree grid over the globe and a 0.05 degree grid kept only inside
//! the quarter-degree cells that hold edges (found by two array reads, not a
//! hash probe: a search visits tens of cells). A query searches rings of fine cells outward until no
//! unsearched cell can hold anything nearer, falling back to the coarse grid
//! for points far from any coast. Distances are measured
//! in a local east/north projection around the query (exact to well under a
//! percent within a few hundred kilometres, which is where thresholds like
//! "20 nm from shore" live), and the nearest point found is then measured
//! along the great circle.

use sealane_core::geo::{EARTH_RADIUS_M, M_PER_DEG, distance_m};

use crate::region::{Ring, for_cells_of};

/// A grid of edge lists: dense over the globe (coarse), or (fine) in blocks of
/// `FINE_PER_COARSE`² cells, one block per coarse cell that holds edges.
#[derive(Debug)]
struct Grid {
    cell_deg: f64,
    nx: usize,
    ny: usize,
    /// Dense: cell `c` holds `ids[starts[c]..starts[c + 1]]`.
    starts: Vec<u32>,
    /// Blocked: the block of each coarse cell (`NO_BLOCK` when it holds no edges),
    /// and per block the `(start, end)` of each of its cells in `ids`. Finding a
    /// cell is two array reads, not a hash probe: a search visits tens of cells.
    block_of: Vec<u32>,
    ranges: Vec<(u32, u32)>,
    ids: Vec<u32>,
}

/// Fine cells per coarse cell, along each axis.
const FINE_PER_COARSE: usize = 5;
const COARSE_DEG: f64 = 0.25;
const NO_BLOCK: u32 = u32::MAX;

impl Grid {
    fn build(edges: &[[f32; 4]], cell_deg: f64, blocked: bool) -> Grid {
        let (nx, ny) = ((360.0 / cell_deg).round() as usize, (180.0 / cell_deg).round() as usize);
        let cells_of = |e: &[f32; 4], f: &mut dyn FnMut(usize)| {
            let seg = [e[0] as f64, e[1] as f64, e[2] as f64, e[3] as f64];
            for_cells_of(&seg, -180.0, -90.0, cell_deg, cell_deg, nx, ny, f);
        };
        if blocked {
            let k = FINE_PER_COARSE;
            let (cnx, cny) = (nx / k, ny / k);
            let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(edges.len() * 2);
            for (i, e) in edges.iter().enumerate() {
                cells_of(e, &mut |c| pairs.push((c as u32, i as u32)));
            }
            pairs.sort_unstable();
            let mut block_of = vec![NO_BLOCK; cnx * cny];
            let mut ranges: Vec<(u32, u32)> = Vec::new();
            let mut i = 0;
            while i < pairs.len() {
                let c = pairs[i].0 as usize;
                let a = i;
                while i < pairs.len() && pairs[i].0 as usize == c {
                    i += 1;
                }
                let (x, y) = (c % nx, c / nx);
                let coarse = (y / k) * cnx + x / k;
                if block_of[coarse] == NO_BLOCK {
                    block_of[coarse] = (ranges.len() / (k * k)) as u32;
                    ranges.resize(ranges.len() + k * k, (0, 0));
                }
                ranges[block_of[coarse] as usize * k * k + (y % k) * k + x % k] = (a as u32, i as u32);
            }
            let ids = pairs.into_iter().map(|(_, i)| i).collect();
            return Grid { cell_deg, nx, ny, starts: Vec::new(), block_of, ranges, ids };
        }
        // Two passes: count per cell, then fill.
        let mut starts = vec![0u32; nx * ny + 1];
        for e in edges {
            cells_of(e, &mut |c| starts[c + 1] += 1);
        }
        for c in 1..starts.len() {
            starts[c] += starts[c - 1];
        }
        let mut fill = starts.clone();
        let mut ids = vec![0u32; starts[nx * ny] as usize];
        for (i, e) in edges.iter().enumerate() {
            cells_of(e, &mut |c| {
                ids[fill[c] as usize] = i as u32;
                fill[c] += 1;
            });
        }
        Grid { cell_deg, nx, ny, starts, block_of: Vec::new(), ranges: Vec::new(), ids }
    }

    /// The edges in cell (x, y) (x already wrapped into `0..nx`). Takes the
    /// coordinates, not a cell number: splitting a number back into them would
    /// cost two divisions per cell visited.
    #[inline]
    fn edges_at(&self, x: usize, y: usize) -> &[u32] {
        if self.starts.is_empty() {
            let k = FINE_PER_COARSE;
            let block = self.block_of[(y / k) * (self.nx / FINE_PER_COARSE) + x / k];
            if block == NO_BLOCK {
                return &[];
            }
            let (a, b) = self.ranges[block as usize * k * k + (y % k) * k + x % k];
            &self.ids[a as usize..b as usize]
        } else {
            let c = y * self.nx + x;
            &self.ids[self.starts[c] as usize..self.starts[c + 1] as usize]
        }
    }
}

/// Coastline edges indexed for nearest queries.
#[derive(Debug)]
pub struct CoastIndex {
    /// (lon0, lat0, lon1, lat1).
    edges: Vec<[f32; 4]>,
    /// Quarter-degree cells over the globe: any distance.
    coarse: Grid,
    /// 0.05 degree cells where there are edges: distances up to a few tens of
    /// kilometres (every threshold question) without scanning hundreds of edges.
    fine: Grid,
}

/// Rings of fine cells searched before falling back to the coarse grid.
const FINE_RINGS: i64 = 8;

impl CoastIndex {
    /// Indexes every edge of `rings` (closed).
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
        CoastIndex::from_edges(edges)
    }

    /// Indexes every segment of open polylines (a route network, rivers).
    pub fn from_polylines(lines: &[Ring]) -> CoastIndex {
        let mut edges = Vec::new();
        for l in lines {
            for w in l.windows(2) {
                if w[0] != w[1] {
                    edges.push([w[0].0 as f32, w[0].1 as f32, w[1].0 as f32, w[1].1 as f32]);
                }
            }
        }
        CoastIndex::from_edges(edges)
    }

    fn from_edges(edges: Vec<[f32; 4]>) -> CoastIndex {
        let coarse = Grid::build(&edges, COARSE_DEG, false);
        let fine = Grid::build(&edges, COARSE_DEG / FINE_PER_COARSE as f64, true);
        CoastIndex { edges, coarse, fine }
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
        self.distance_capped_m(lat, lon, f64::INFINITY)
    }

    /// As [`CoastIndex::distance_m`], but searching only out to `cap_m`: beyond it,
    /// `cap_m` is returned (a lower bound). Threshold questions ("at least 5 km
    /// inland?") need no more, and cost a few cells instead of a search to the coast.
    pub fn distance_capped_m(&self, lat: f64, lon: f64, cap_m: f64) -> f64 {
        if self.edges.is_empty() || !lat.is_finite() || !lon.is_finite() {
            return if self.edges.is_empty() { cap_m } else { f64::INFINITY };
        }
        let found = match self.search(&self.fine, lat, lon, cap_m, FINE_RINGS) {
            Some(found) => found,
            None => self.search(&self.coarse, lat, lon, cap_m, i64::MAX).unwrap_or((f64::INFINITY, (lat, lon))),
        };
        if found.0.is_infinite() {
            return cap_m;
        }
        distance_m(lat, lon, found.1.0, found.1.1).min(cap_m)
    }

    /// Searches rings of `grid` cells outward; `None` when `max_ring` rings did not settle it.
    fn search(&self, grid: &Grid, lat: f64, lon: f64, cap_m: f64, max_ring: i64) -> Option<(f64, (f64, f64))> {
        let (nx, ny) = (grid.nx as i64, grid.ny as i64);
        let cx = (((lon + 180.0) / grid.cell_deg).floor() as i64).rem_euclid(nx);
        let cy = (((lat + 90.0) / grid.cell_deg).floor() as i64).clamp(0, ny - 1);
        let (kx, ky) = (M_PER_DEG * lat.to_radians().cos().max(1e-6), M_PER_DEG);
        let cos_lat = lat.to_radians().cos();
        let mut best = f64::INFINITY;
        let mut best_point = (lat, lon);
        let mut r = 0i64;
        loop {
            // A cell of ring r is r - 1 whole cells away in latitude or in longitude.
            // In latitude that is (r - 1) cells of distance; in longitude, at least the
            // distance to the meridian that far east or west, asin(cos(lat) sin(dlon)).
            let gap_deg = (r as f64 - 1.0).max(0.0) * grid.cell_deg;
            let by_lat = gap_deg * M_PER_DEG;
            let by_lon = EARTH_RADIUS_M * (cos_lat * gap_deg.min(90.0).to_radians().sin()).asin();
            if by_lat.min(by_lon) > best.min(cap_m) {
                return Some((best, best_point));
            }
            // Every cell visited.
            if 2 * r >= nx && cy - r < 0 && cy + r >= ny {
                return Some((best, best_point));
            }
            if r > max_ring {
                return None;
            }
            let mut visit = |x: i64, y: i64| {
                if y < 0 || y >= ny {
                    return;
                }
                // One add or subtract wraps x for rings up to half way round
                // (`rem_euclid` divides: once per cell visited, it showed).
                let x = if x < 0 {
                    x + nx
                } else if x >= nx {
                    x - nx
                } else {
                    x
                };
                let x = if (0..nx).contains(&x) { x } else { x.rem_euclid(nx) };
                for &id in grid.edges_at(x as usize, y as usize) {
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
            r += 1;
        }
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
        // Capped searches agree below the cap and return it above.
        for &(lat, lon) in &[(11.0, 11.0), (10.0, 14.0), (-16.3, -179.99)] {
            let d = idx.distance_m(lat, lon);
            assert_eq!(idx.distance_capped_m(lat, lon, d * 2.0), d);
            assert_eq!(idx.distance_capped_m(lat, lon, d / 2.0), d / 2.0);
        }
    }
}
