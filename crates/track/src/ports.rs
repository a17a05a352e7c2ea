//! Ports: the nearest port to a position and how far it is, from the NGA
//! World Port Index (Pub. 150; US-government work) and searoute's port list
//! (Apache-2.0), both compiled in: each misses ports the other has (Port
//! Fourchon, the Gulf of Mexico's oil-service hub, is only in the second).

use std::sync::OnceLock;

use rstar::RTree;
use sealane_core::geo::{M_PER_DEG, distance_m};

use crate::sphere::{SpherePoint, chord2_to_m, unit};

const WORLD_PORT_INDEX: &str = include_str!("../data/wpi_ports.csv");
const SEAROUTE_PORTS: &str = include_str!("../data/searoute_ports.csv");

/// A port.
#[derive(Debug, Clone, PartialEq)]
pub struct Port {
    /// Name.
    pub name: String,
    /// Country.
    pub country: String,
    /// UN/LOCODE, when known.
    pub locode: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// Ports indexed for nearest queries.
#[derive(Debug)]
pub struct Ports {
    ports: Vec<Port>,
    tree: RTree<SpherePoint>,
    grid: PortGrid,
}

/// Port positions bucketed by half-degree cell, for "is a port within a few
/// tens of kilometres?": a handful of cells of packed coordinates, where a
/// nearest-neighbour walk of the R*-tree costs thousands of instructions and a
/// cache miss per node (detectors ask this of every slow vessel near a port).
#[derive(Debug)]
struct PortGrid {
    /// Cell `c` holds `points[starts[c]..starts[c + 1]]`.
    starts: Vec<u32>,
    /// (lat, lon).
    points: Vec<(f64, f64)>,
}

const PORT_CELL_DEG: f64 = 0.5;
const PORT_NX: usize = (360.0 / PORT_CELL_DEG) as usize;
const PORT_NY: usize = (180.0 / PORT_CELL_DEG) as usize;
/// Caps beyond this many degrees of latitude go to the R*-tree.
const PORT_GRID_MAX_DEG: f64 = 2.0;

fn port_cell(lat: f64, lon: f64) -> (usize, usize) {
    let x = ((lon + 180.0) / PORT_CELL_DEG).floor().rem_euclid(PORT_NX as f64) as usize;
    let y = (((lat + 90.0) / PORT_CELL_DEG).floor().max(0.0) as usize).min(PORT_NY - 1);
    (x, y)
}

impl PortGrid {
    fn new(ports: &[Port]) -> PortGrid {
        let cell = |p: &Port| {
            let (x, y) = port_cell(p.lat, p.lon);
            y * PORT_NX + x
        };
        let mut order: Vec<&Port> = ports.iter().filter(|p| p.lat.is_finite() && p.lon.is_finite()).collect();
        order.sort_by_key(|p| cell(p));
        let mut starts = vec![0u32; PORT_NX * PORT_NY + 1];
        for p in &order {
            starts[cell(p) + 1] += 1;
        }
        for c in 1..starts.len() {
            starts[c] += starts[c - 1];
        }
        PortGrid { starts, points: order.iter().map(|p| (p.lat, p.lon)).collect() }
    }
}

impl Ports {
    /// The World Port Index and searoute's ports, built once per process.
    pub fn world_port_index() -> &'static Ports {
        static PORTS: OnceLock<Ports> = OnceLock::new();
        PORTS.get_or_init(|| {
            Ports::from_csvs(&[WORLD_PORT_INDEX, SEAROUTE_PORTS]).expect("the compiled-in port lists are valid")
        })
    }

    /// Ports from CSV with columns `name`, `country`, `locode`, `lat`, `lon` (others ignored).
    pub fn from_csv(text: &str) -> Result<Ports, String> {
        Ports::from_csvs(&[text])
    }

    /// Ports from several such CSV texts.
    pub fn from_csvs(texts: &[&str]) -> Result<Ports, String> {
        let mut ports = Vec::new();
        for text in texts {
            Ports::read(text, &mut ports)?;
        }
        let tree = RTree::bulk_load(
            ports.iter().enumerate().map(|(i, p)| SpherePoint { p: unit(p.lat, p.lon), index: i as u32 }).collect(),
        );
        let grid = PortGrid::new(&ports);
        Ok(Ports { ports, tree, grid })
    }

    fn read(text: &str, ports: &mut Vec<Port>) -> Result<(), String> {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().ok_or("empty port list")?.split(',').collect();
        let col = |n: &str| header.iter().position(|h| *h == n).ok_or(format!("port list has no `{n}` column"));
        let (ci_name, ci_country, ci_locode, ci_lat, ci_lon) =
            (col("name")?, col("country")?, col("locode")?, col("lat")?, col("lon")?);
        for (i, line) in lines.enumerate() {
            let f = sealane_core::csv::split_quoted(line);
            let get = |c: usize| f.get(c).map(String::as_str).unwrap_or("");
            let (Ok(lat), Ok(lon)) = (get(ci_lat).parse::<f64>(), get(ci_lon).parse::<f64>()) else {
                return Err(format!("port list line {}: bad lat/lon", i + 2));
            };
            ports.push(Port {
                name: get(ci_name).to_string(),
                country: get(ci_country).to_string(),
                locode: get(ci_locode).to_string(),
                lat,
                lon,
            });
        }
        Ok(())
    }

    /// The nearest port and its distance, metres.
    pub fn nearest(&self, lat: f64, lon: f64) -> Option<(&Port, f64)> {
        let (p, d2) = self.tree.nearest_neighbor_iter_with_distance_2(&unit(lat, lon)).next()?;
        Some((&self.ports[p.index as usize], chord2_to_m(d2)))
    }

    /// Distance to the nearest port, metres, searching only out to `cap_m`:
    /// beyond it, `cap_m` is returned (a lower bound). Threshold questions ("at
    /// least 10 km from any port?") need no more.
    pub fn distance_capped_m(&self, lat: f64, lon: f64, cap_m: f64) -> f64 {
        if !lat.is_finite() || !lon.is_finite() {
            return cap_m;
        }
        // The box that holds every point within the cap (1 % wider: the
        // great circle bends poleward), in degrees.
        let dlat = cap_m * 1.01 / M_PER_DEG;
        let far_lat = lat.abs() + dlat;
        if dlat > PORT_GRID_MAX_DEG || far_lat >= 89.0 {
            return self.nearest(lat, lon).map_or(cap_m, |(_, d)| d.min(cap_m));
        }
        let dlon = dlat / far_lat.to_radians().cos();
        let (x0, y0) = port_cell(lat - dlat, lon - dlon);
        let (x1, y1) = port_cell(lat + dlat, lon + dlon);
        let k = lat.to_radians().cos();
        let mut best = (f64::INFINITY, (0.0, 0.0));
        let g = &self.grid;
        for y in y0..=y1 {
            // Across the antimeridian the x range wraps: x0 > x1.
            let mut x = x0;
            loop {
                let c = y * PORT_NX + x;
                for &(plat, plon) in &g.points[g.starts[c] as usize..g.starts[c + 1] as usize] {
                    let mut dx = plon - lon;
                    if dx > 180.0 {
                        dx -= 360.0;
                    } else if dx < -180.0 {
                        dx += 360.0;
                    }
                    let dy = plat - lat;
                    let d2 = dy * dy + (dx * k) * (dx * k);
                    if d2 < best.0 {
                        best = (d2, (plat, plon));
                    }
                }
                if x == x1 {
                    break;
                }
                x = (x + 1) % PORT_NX;
            }
        }
        if best.0.is_infinite() {
            return cap_m;
        }
        distance_m(lat, lon, best.1.0, best.1.1).min(cap_m)
    }

    /// Number of ports.
    pub fn len(&self) -> usize {
        self.ports.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ports.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_port() {
        let ports = Ports::world_port_index();
        assert!(ports.len() > 7000);
        let (p, d) = ports.nearest(29.12, -90.21).unwrap();
        assert_eq!(p.name, "Port Fourchon");
        assert!(d < 3_000.0);
        // Off Busan's breakwater.
        let (p, d) = ports.nearest(35.08, 129.05).unwrap();
        assert!(p.name.to_lowercase().contains("pusan") || p.name.to_lowercase().contains("busan"), "{p:?}");
        assert!(d < 10_000.0, "{d}");
    }

    #[test]
    fn capped_distance_agrees_with_the_nearest_port() {
        let ports = Ports::world_port_index();
        let mut seed = 11u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut near = 0;
        for i in 0..20_000 {
            // Mostly within a few tens of km of a port, some anywhere (poles and the antimeridian included).
            let (lat, lon) = if i % 4 != 0 {
                let p = &ports.ports[(next() * ports.len() as f64) as usize];
                (p.lat + (next() - 0.5) * 0.8, p.lon + (next() - 0.5) * 0.8)
            } else {
                (-90.0 + next() * 180.0, -180.0 + next() * 360.0)
            };
            let lon = (lon + 180.0).rem_euclid(360.0) - 180.0;
            let cap = [5_000.0, 20_000.0, 60_000.0, 400_000.0][i % 4];
            let want = ports.nearest(lat, lon).unwrap().1;
            let got = ports.distance_capped_m(lat, lon, cap);
            if want < cap * 0.99 {
                near += 1;
                // The nearest is chosen on a local projection: a near tie may pick a port
                // a fraction of a percent farther.
                assert!(got >= want * 0.9999 && got <= want * 1.005 + 1.0, "({lat}, {lon}) cap {cap}: {got} vs {want}");
            } else {
                assert!(got >= cap.min(want) * 0.99, "({lat}, {lon}) cap {cap}: {got} vs {want}");
            }
        }
        assert!(near > 5_000, "{near}");
        // Across the antimeridian: Malai (Fiji, 179.37 E) seen from 179.8 W.
        let (p, d) = ports.nearest(-16.35, -179.8).unwrap();
        assert_eq!(p.name, "Malai");
        assert!((ports.distance_capped_m(-16.35, -179.8, 100_000.0) - d).abs() < 1.0, "{d}");
        assert_eq!(ports.distance_capped_m(-16.35, -179.8, d / 2.0), d / 2.0);
        assert_eq!(ports.distance_capped_m(f64::NAN, 0.0, 7.0), 7.0);
    }
}
