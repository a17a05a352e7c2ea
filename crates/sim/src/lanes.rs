//! Shipping lanes: searoute's maritime route network (the same polylines the
//! spoofing detector uses, compiled into `sealane-track`) as a graph, and
//! voyages along shortest paths between its junctions inside a region.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use sealane_core::geo::{bearing_deg, distance_m, lerp};

use crate::rng::Rng;

/// A polyline with cumulative distances, walked by distance from its start.
#[derive(Debug, Clone)]
pub struct Path {
    /// (lat, lon) vertices.
    pub points: Vec<(f64, f64)>,
    /// Distance from the start to each vertex, metres.
    pub cumulative: Vec<f64>,
    /// Course of each segment, degrees.
    courses: Vec<f32>,
}

impl Path {
    /// A path through `points` (lat, lon).
    pub fn new(points: Vec<(f64, f64)>) -> Path {
        let mut cumulative = Vec::with_capacity(points.len());
        let mut d = 0.0;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                let q = points[i - 1];
                d += distance_m(q.0, q.1, p.0, p.1);
            }
            cumulative.push(d);
        }
        let courses = points.windows(2).map(|w| bearing_deg(w[0].0, w[0].1, w[1].0, w[1].1) as f32).collect();
        Path { points, cumulative, courses }
    }

    /// Length, metres.
    pub fn length_m(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    /// The segment holding distance `s` (clamped), searched from `hint` (the
    /// last answer: walkers move forward or back a little at a time).
    pub fn segment(&self, s: f64, hint: usize) -> usize {
        let last = self.points.len().saturating_sub(2);
        let mut i = hint.min(last);
        while i > 0 && self.cumulative[i] > s {
            i -= 1;
        }
        while i < last && self.cumulative[i + 1] < s {
            i += 1;
        }
        i
    }

    /// Position and course (degrees, in the direction of increasing distance) at
    /// distance `s`, and the segment used.
    pub fn at(&self, s: f64, hint: usize) -> ((f64, f64), f64, usize) {
        if self.points.len() < 2 {
            return (self.points.first().copied().unwrap_or((0.0, 0.0)), 0.0, 0);
        }
        let i = self.segment(s, hint);
        let (a, b) = (self.points[i], self.points[i + 1]);
        let len = self.cumulative[i + 1] - self.cumulative[i];
        let f = if len > 0.0 { ((s - self.cumulative[i]) / len).clamp(0.0, 1.0) } else { 0.0 };
        (lerp(a.0, a.1, b.0, b.1, f), self.courses[i] as f64, i)
    }

    /// Course change at the end of segment `i`, degrees in [0, 180].
    pub fn turn_after(&self, i: usize) -> f64 {
        if i + 1 >= self.courses.len() {
            return 0.0;
        }
        let d = (self.courses[i + 1] as f64 - self.courses[i] as f64).rem_euclid(360.0);
        d.min(360.0 - d)
    }
}

struct Edge {
    a: usize,
    b: usize,
    /// (lat, lon) from a to b.
    points: Vec<(f64, f64)>,
    length_m: f64,
}

/// The route network as a graph of junctions and polylines.
pub struct LaneGraph {
    /// Junctions, (lat, lon).
    nodes: Vec<(f64, f64)>,
    edges: Vec<Edge>,
    adjacent: Vec<Vec<usize>>,
}

#[derive(PartialEq)]
struct Visit(f64, usize);
impl Eq for Visit {}
impl PartialOrd for Visit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Visit {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

impl LaneGraph {
    /// Builds the graph from polylines as text (`lon lat;lon lat;...`, one per
    /// line; longitudes past 180 are folded back).
    pub fn from_text(text: &str) -> Result<LaneGraph, String> {
        let mut g = LaneGraph { nodes: Vec::new(), edges: Vec::new(), adjacent: Vec::new() };
        let mut ids: HashMap<(i64, i64), usize> = HashMap::new();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let mut points = Vec::new();
            for p in line.split(';') {
                let mut it = p.split_whitespace().map(str::parse::<f64>);
                match (it.next(), it.next()) {
                    (Some(Ok(lon)), Some(Ok(lat))) => {
                        let lon = if lon > 180.0 { lon - 360.0 } else { lon };
                        points.push((lat, lon));
                    }
                    _ => return Err(format!("lane network line {}: bad point {p:?}", n + 1)),
                }
            }
            if points.len() < 2 {
                continue;
            }
            let mut node = |p: (f64, f64)| {
                let key = ((p.0 * 1e4).round() as i64, (p.1 * 1e4).round() as i64);
                *ids.entry(key).or_insert_with(|| {
                    g.nodes.push(p);
                    g.adjacent.push(Vec::new());
                    g.nodes.len() - 1
                })
            };
            let a = node(points[0]);
            let b = node(*points.last().unwrap_or(&points[0]));
            let length_m = Path::new(points.clone()).length_m();
            let e = g.edges.len();
            g.edges.push(Edge { a, b, points, length_m });
            g.adjacent[a].push(e);
            g.adjacent[b].push(e);
        }
        Ok(g)
    }

    /// searoute's network, compiled in.
    pub fn searoute() -> LaneGraph {
        LaneGraph::from_text(sealane_track::routes::SEAROUTE_MARNET).expect("the compiled-in route network is valid")
    }

    /// Junctions inside `bbox` (W, S, E, N).
    pub fn nodes_in(&self, bbox: [f64; 4]) -> Vec<usize> {
        (0..self.nodes.len()).filter(|&i| inside(self.nodes[i], bbox, 0.0)).collect()
    }

    /// The shortest path from junction `from` to `to` using only junctions
    /// within `bbox` widened by `margin_deg`.
    pub fn shortest(&self, from: usize, to: usize, bbox: [f64; 4], margin_deg: f64) -> Option<Path> {
        const NONE: usize = usize::MAX;
        let mut dist = vec![f64::INFINITY; self.nodes.len()];
        let mut via = vec![NONE; self.nodes.len()];
        let mut heap = BinaryHeap::new();
        dist[from] = 0.0;
        heap.push(Visit(0.0, from));
        while let Some(Visit(d, n)) = heap.pop() {
            if n == to {
                break;
            }
            if d > dist[n] {
                continue;
            }
            for &e in &self.adjacent[n] {
                let edge = &self.edges[e];
                let m = if edge.a == n { edge.b } else { edge.a };
                if !inside(self.nodes[m], bbox, margin_deg) {
                    continue;
                }
                let nd = d + edge.length_m;
                if nd < dist[m] {
                    dist[m] = nd;
                    via[m] = e;
                    heap.push(Visit(nd, m));
                }
            }
        }
        if from != to && via[to] == NONE {
            return None;
        }
        let mut edges = Vec::new();
        let mut n = to;
        while n != from {
            let e = via[n];
            edges.push(e);
            let edge = &self.edges[e];
            n = if edge.a == n { edge.b } else { edge.a };
        }
        let mut points: Vec<(f64, f64)> = vec![self.nodes[from]];
        let mut at = from;
        for &e in edges.iter().rev() {
            let edge = &self.edges[e];
            if edge.a == at {
                points.extend(edge.points.iter().skip(1));
                at = edge.b;
            } else {
                points.extend(edge.points.iter().rev().skip(1));
                at = edge.a;
            }
        }
        Some(Path::new(points))
    }

    /// Up to `n` voyages between random junctions of `bbox`, each at least
    /// `min_km` long and `at_sea` every 2 km away from its ends (the network is
    /// coarser than the coastline: some of its straight lines cut corners).
    pub fn voyages(
        &self,
        bbox: [f64; 4],
        n: usize,
        min_km: f64,
        at_sea: &dyn Fn(f64, f64) -> bool,
        rng: &mut Rng,
    ) -> Vec<Path> {
        let nodes = self.nodes_in(bbox);
        let mut out = Vec::new();
        if nodes.len() < 2 {
            return out;
        }
        let mut tries = 0;
        while out.len() < n && tries < n * 20 {
            tries += 1;
            let a = nodes[rng.below(nodes.len())];
            let b = nodes[rng.below(nodes.len())];
            if a == b {
                continue;
            }
            if let Some(p) = self.shortest(a, b, bbox, 1.0) {
                if p.length_m() >= min_km * 1000.0 && stays_at_sea(&p, at_sea) {
                    out.push(p);
                }
            }
        }
        out
    }
}

fn stays_at_sea(p: &Path, at_sea: &dyn Fn(f64, f64) -> bool) -> bool {
    let len = p.length_m();
    let mut s = 5_000.0;
    let mut hint = 0;
    while s < len - 5_000.0 {
        let ((lat, lon), _, seg) = p.at(s, hint);
        hint = seg;
        if !at_sea(lat, lon) {
            return false;
        }
        s += 2_000.0;
    }
    true
}

fn inside(p: (f64, f64), bbox: [f64; 4], margin: f64) -> bool {
    p.1 >= bbox[0] - margin && p.1 <= bbox[2] + margin && p.0 >= bbox[1] - margin && p.0 <= bbox[3] + margin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_path_follows_the_network() {
        // A square with one diagonal: 0-1-2 and 0-2 direct.
        let g = LaneGraph::from_text("0 0;1 0\n1 0;1 1\n0 0;0.2 0.2;1 1\n").unwrap();
        let p = g.shortest(0, 2, [-1.0, -1.0, 2.0, 2.0], 0.0).unwrap();
        assert_eq!(p.points, vec![(0.0, 0.0), (0.2, 0.2), (1.0, 1.0)]);
        let ((lat, lon), course, _) = p.at(p.length_m(), 0);
        assert!((lat - 1.0).abs() < 1e-9 && (lon - 1.0).abs() < 1e-9);
        assert!((course - 45.0).abs() < 1.0, "{course}");
        // Outside the box, no path.
        assert!(g.shortest(0, 2, [-1.0, -1.0, 0.5, 0.5], 0.0).is_none());
    }

    #[test]
    fn searoute_has_korean_voyages() {
        let g = LaneGraph::searoute();
        let mut rng = Rng::new(1, 0);
        let v = g.voyages([124.0, 32.5, 131.5, 39.0], 10, 50.0, &|_, _| true, &mut rng);
        assert_eq!(v.len(), 10);
        assert!(v.iter().all(|p| p.length_m() >= 50_000.0));
        // Nowhere is at sea: no voyage.
        assert!(g.voyages([124.0, 32.5, 131.5, 39.0], 10, 50.0, &|_, _| false, &mut rng).is_empty());
    }
}
