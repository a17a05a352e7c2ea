//! Point-in-polygon for large polygon sets (land, zones) in a few array reads.
//!
//! The region's bounding box is cut into a grid. A cell no edge crosses is
//! wholly inside or wholly outside; a cell some edges cross keeps those
//! edges and whether its centre is inside, and a query counts how many of its
//! edges the segment from the centre to the point crosses (each crossing flips
//! inside and outside). Cells crossed by many edges are cut again into a finer
//! grid, so a query near an intricate coast still tests only a few edges.
//!
//! Rings are combined with the even-odd rule, so holes and multipolygons need
//! no special treatment. Coordinates are degrees (lon, lat); polygons must not
//! cross the antimeridian (split them, as Natural Earth does).

/// A polygon ring: (lon, lat) vertices; closing is implied.
pub type Ring = Vec<(f64, f64)>;

/// One edge, (x0, y0, x1, y1) in degrees.
type Seg = [f64; 4];

/// Each cell's reference point sits this far (fractions of the cell) from its
/// centre, so that it does not fall on the round-number edges people draw
/// zones with: a reference exactly on an edge would make its status ambiguous.
const REF_X: f64 = 0.5 + 0.013_717;
const REF_Y: f64 = 0.5 + 0.017_291;

/// Above this many edges a cell is cut into a finer grid.
const MAX_EDGES_PER_CELL: usize = 24;
/// A subdivided cell becomes `SUB x SUB` cells.
const SUB: usize = 8;
/// Levels of subdivision below the top grid.
const MAX_DEPTH: u32 = 4;

#[derive(Debug)]
enum Cell {
    Out,
    In,
    Edges { ref_in: bool, edges: Box<[Seg]> },
    Sub(Box<Grid>),
}

#[derive(Debug)]
struct Grid {
    x0: f64,
    y0: f64,
    dx: f64,
    dy: f64,
    nx: usize,
    ny: usize,
    cells: Vec<Cell>,
}

/// A set of polygons indexed for point queries.
#[derive(Debug)]
pub struct RegionIndex {
    grid: Grid,
    bbox: [f64; 4],
    edges: usize,
}

impl RegionIndex {
    /// Indexes `rings` (even-odd) on a top grid of cells about `cell_deg` wide.
    pub fn new(rings: &[Ring], cell_deg: f64) -> RegionIndex {
        let mut edges: Vec<Seg> = Vec::new();
        let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for ring in rings {
            if ring.len() < 3 {
                continue;
            }
            for i in 0..ring.len() {
                let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
                if a == b {
                    continue;
                }
                edges.push([a.0, a.1, b.0, b.1]);
                bbox = [bbox[0].min(a.0), bbox[1].min(a.1), bbox[2].max(a.0), bbox[3].max(a.1)];
            }
        }
        if edges.is_empty() {
            let grid = Grid { x0: 0.0, y0: 0.0, dx: 1.0, dy: 1.0, nx: 1, ny: 1, cells: vec![Cell::Out] };
            return RegionIndex { grid, bbox, edges: 0 };
        }
        // Pad so that no vertex lies exactly on the outer boundary.
        let pad = cell_deg * 1e-3;
        let (x0, y0) = (bbox[0] - pad, bbox[1] - pad);
        let nx = (((bbox[2] + pad - x0) / cell_deg).ceil() as usize).max(1);
        let ny = (((bbox[3] + pad - y0) / cell_deg).ceil() as usize).max(1);
        let (dx, dy) = ((bbox[2] + pad - x0) / nx as f64, (bbox[3] + pad - y0) / ny as f64);
        let n_edges = edges.len();
        let grid = build_top(&edges, x0, y0, dx, dy, nx, ny);
        RegionIndex { grid, bbox, edges: n_edges }
    }

    /// Whether (lon, lat) is inside the region.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        if !(lon >= self.bbox[0] && lon <= self.bbox[2] && lat >= self.bbox[1] && lat <= self.bbox[3]) {
            return false;
        }
        let mut g = &self.grid;
        loop {
            let cx = (((lon - g.x0) / g.dx) as usize).min(g.nx - 1);
            let cy = (((lat - g.y0) / g.dy) as usize).min(g.ny - 1);
            match &g.cells[cy * g.nx + cx] {
                Cell::Out => return false,
                Cell::In => return true,
                Cell::Edges { ref_in, edges } => {
                    let c = (g.x0 + (cx as f64 + REF_X) * g.dx, g.y0 + (cy as f64 + REF_Y) * g.dy);
                    return *ref_in ^ (crossings(c, (lon, lat), edges) & 1 == 1);
                }
                Cell::Sub(sub) => g = sub,
            }
        }
    }

    /// Bounding box (west, south, east, north).
    pub fn bbox(&self) -> [f64; 4] {
        self.bbox
    }

    /// Number of edges indexed.
    pub fn edge_count(&self) -> usize {
        self.edges
    }
}

/// The top grid: reference point statuses by a scanline per row.
fn build_top(edges: &[Seg], x0: f64, y0: f64, dx: f64, dy: f64, nx: usize, ny: usize) -> Grid {
    // Edges crossing each cell.
    let mut per_cell: Vec<Vec<u32>> = vec![Vec::new(); nx * ny];
    for (i, e) in edges.iter().enumerate() {
        for_cells_of(e, x0, y0, dx, dy, nx, ny, |c| per_cell[c].push(i as u32));
    }
    // x of every edge crossing each row's reference line, sorted: references left of
    // an odd number of them are inside.
    let mut per_row: Vec<Vec<f64>> = vec![Vec::new(); ny];
    for e in edges {
        let (ylo, yhi) = (e[1].min(e[3]), e[1].max(e[3]));
        // One row early: rounding must not skip a row whose centre is exactly ylo.
        let r0 = (((ylo - y0) / dy - REF_Y - 1.0).ceil().max(0.0)) as usize;
        let mut r = r0;
        while r < ny {
            let yc = y0 + (r as f64 + REF_Y) * dy;
            if yc >= yhi {
                break;
            }
            if half_open_crosses(e, yc) {
                per_row[r].push(e[0] + (yc - e[1]) / (e[3] - e[1]) * (e[2] - e[0]));
            }
            r += 1;
        }
    }
    let mut cells = Vec::with_capacity(nx * ny);
    for (cy, xs) in per_row.iter_mut().enumerate() {
        xs.sort_unstable_by(f64::total_cmp);
        let mut k = 0;
        for cx in 0..nx {
            let xc = x0 + (cx as f64 + REF_X) * dx;
            while k < xs.len() && xs[k] < xc {
                k += 1;
            }
            let ref_in = k % 2 == 1;
            let mine: Vec<Seg> = per_cell[cy * nx + cx].iter().map(|&i| edges[i as usize]).collect();
            let cell_x0 = x0 + cx as f64 * dx;
            let cell_y0 = y0 + cy as f64 * dy;
            cells.push(make_cell(mine, ref_in, cell_x0, cell_y0, dx, dy, 0));
        }
    }
    Grid { x0, y0, dx, dy, nx, ny, cells }
}

/// A cell from the edges crossing it and its reference point's status, subdividing when crowded.
fn make_cell(edges: Vec<Seg>, ref_in: bool, x0: f64, y0: f64, dx: f64, dy: f64, depth: u32) -> Cell {
    if edges.is_empty() {
        return if ref_in { Cell::In } else { Cell::Out };
    }
    if edges.len() <= MAX_EDGES_PER_CELL || depth >= MAX_DEPTH {
        return Cell::Edges { ref_in, edges: edges.into_boxed_slice() };
    }
    let centre = (x0 + dx * REF_X, y0 + dy * REF_Y);
    let (sdx, sdy) = (dx / SUB as f64, dy / SUB as f64);
    let mut per_cell: Vec<Vec<Seg>> = vec![Vec::new(); SUB * SUB];
    for e in &edges {
        for_cells_of(e, x0, y0, sdx, sdy, SUB, SUB, |c| per_cell[c].push(*e));
    }
    let mut cells = Vec::with_capacity(SUB * SUB);
    for (c, mine) in per_cell.into_iter().enumerate() {
        let (cx, cy) = (c % SUB, c / SUB);
        let sub_centre = (x0 + (cx as f64 + REF_X) * sdx, y0 + (cy as f64 + REF_Y) * sdy);
        let inside = ref_in ^ (crossings(centre, sub_centre, &edges) & 1 == 1);
        cells.push(make_cell(mine, inside, x0 + cx as f64 * sdx, y0 + cy as f64 * sdy, sdx, sdy, depth + 1));
    }
    Cell::Sub(Box::new(Grid { x0, y0, dx: sdx, dy: sdy, nx: SUB, ny: SUB, cells }))
}

/// Calls `f` with the index of every grid cell the edge passes through.
#[allow(clippy::too_many_arguments)]
pub(crate) fn for_cells_of(
    e: &Seg,
    x0: f64,
    y0: f64,
    dx: f64,
    dy: f64,
    nx: usize,
    ny: usize,
    mut f: impl FnMut(usize),
) {
    let clamp_x = |v: f64| (((v - x0) / dx).floor().max(0.0) as usize).min(nx - 1);
    let clamp_y = |v: f64| (((v - y0) / dy).floor().max(0.0) as usize).min(ny - 1);
    let (cx0, cx1) = (clamp_x(e[0].min(e[2])), clamp_x(e[0].max(e[2])));
    let (cy0, cy1) = (clamp_y(e[1].min(e[3])), clamp_y(e[1].max(e[3])));
    for cy in cy0..=cy1 {
        for cx in cx0..=cx1 {
            // Only cells the segment really touches (a long diagonal edge's box holds many it misses).
            if (cx0 == cx1 && cy0 == cy1) || segment_meets_rect(e, x0 + cx as f64 * dx, y0 + cy as f64 * dy, dx, dy) {
                f(cy * nx + cx);
            }
        }
    }
}

/// Liang–Barsky: does the segment meet the closed rectangle (slightly grown)?
fn segment_meets_rect(e: &Seg, rx: f64, ry: f64, w: f64, h: f64) -> bool {
    let eps = (w + h) * 1e-9;
    let (xmin, ymin, xmax, ymax) = (rx - eps, ry - eps, rx + w + eps, ry + h + eps);
    let (px, py) = (e[0], e[1]);
    let (ddx, ddy) = (e[2] - e[0], e[3] - e[1]);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [(-ddx, px - xmin), (ddx, xmax - px), (-ddy, py - ymin), (ddy, ymax - py)] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

/// Whether the edge crosses the horizontal line `y` (half-open in y, so a vertex
/// on the line counts once).
fn half_open_crosses(e: &Seg, y: f64) -> bool {
    (e[1] <= y) != (e[3] <= y)
}

/// How many of `edges` the segment p→q properly crosses.
fn crossings(p: (f64, f64), q: (f64, f64), edges: &[Seg]) -> u32 {
    let mut n = 0;
    for e in edges {
        let d1 = orient(p, q, (e[0], e[1]));
        let d2 = orient(p, q, (e[2], e[3]));
        // Half-open on the edge's endpoints, as in the scanline: an endpoint on
        // the query segment counts for one of the two edges that share it.
        if (d1 > 0.0) == (d2 > 0.0) {
            continue;
        }
        let d3 = orient((e[0], e[1]), (e[2], e[3]), p);
        let d4 = orient((e[0], e[1]), (e[2], e[3]), q);
        if (d3 > 0.0) != (d4 > 0.0) {
            n += 1;
        }
    }
    n
}

fn orient(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
    (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain ray casting over every edge: the reference.
    fn brute(rings: &[Ring], x: f64, y: f64) -> bool {
        let mut inside = false;
        for r in rings {
            for i in 0..r.len() {
                let (a, b) = (r[i], r[(i + 1) % r.len()]);
                if (a.1 <= y) != (b.1 <= y) && x < a.0 + (y - a.1) / (b.1 - a.1) * (b.0 - a.0) {
                    inside = !inside;
                }
            }
        }
        inside
    }

    fn star(cx: f64, cy: f64, r: f64, n: usize) -> Ring {
        (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                let rr = if i % 2 == 0 { r } else { r * 0.45 };
                (cx + rr * a.cos(), cy + rr * a.sin())
            })
            .collect()
    }

    #[test]
    fn agrees_with_ray_casting_on_intricate_polygons() {
        // A spiky star (forces subdivision), a hole, and a separate square.
        let rings = vec![
            star(10.0, 20.0, 5.0, 400),
            star(10.0, 20.0, 1.0, 40),
            vec![(20.0, 20.0), (22.0, 20.0), (22.0, 22.0), (20.0, 22.0)],
        ];
        for cell in [0.5, 2.0, 10.0] {
            let idx = RegionIndex::new(&rings, cell);
            let mut seed = 12345u64;
            let mut next = || {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (seed >> 11) as f64 / (1u64 << 53) as f64
            };
            let mut inside = 0;
            for _ in 0..20_000 {
                let (x, y) = (3.0 + next() * 21.0, 13.0 + next() * 11.0);
                let want = brute(&rings, x, y);
                assert_eq!(idx.contains(x, y), want, "cell {cell}: ({x}, {y})");
                inside += want as u32;
            }
            assert!(inside > 2000, "the sample must hit the polygons: {inside}");
        }
    }

    #[test]
    fn outside_the_box_and_empty_regions() {
        let idx = RegionIndex::new(&[vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]], 0.25);
        assert!(idx.contains(0.9, 0.1));
        assert!(!idx.contains(0.1, 0.9));
        assert!(!idx.contains(5.0, 5.0));
        assert!(!idx.contains(f64::NAN, 0.5));
        let empty = RegionIndex::new(&[], 1.0);
        assert!(!empty.contains(0.0, 0.0));
    }
}
