//! The maritime route network (searoute's, compiled in): how far a position is
//! from a known shipping route. Inland, it marks the waterways the land polygons
//! lack (the Great Lakes, the St. Lawrence, the big canals).

use std::sync::OnceLock;

use crate::coast::CoastIndex;
use crate::region::Ring;

/// searoute's network as text: one polyline per line, `lon lat` pairs separated by `;`.
pub const SEAROUTE_MARNET: &str = include_str!("../data/searoute_marnet.txt");

/// Route polylines indexed for distance queries.
#[derive(Debug)]
pub struct Routes {
    index: CoastIndex,
}

impl Routes {
    /// searoute's network, built once per process.
    pub fn searoute() -> &'static Routes {
        static ROUTES: OnceLock<Routes> = OnceLock::new();
        ROUTES.get_or_init(|| Routes::from_text(SEAROUTE_MARNET).expect("the compiled-in route network is valid"))
    }

    /// Polylines as text: one per line, `lon lat` pairs separated by `;`.
    pub fn from_text(text: &str) -> Result<Routes, String> {
        let mut lines: Vec<Ring> = Vec::new();
        for (i, l) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let mut line = Vec::new();
            for p in l.split(';') {
                let mut it = p.split_whitespace().map(str::parse::<f64>);
                match (it.next(), it.next()) {
                    (Some(Ok(lon)), Some(Ok(lat))) => line.push((lon, lat)),
                    _ => return Err(format!("route network line {}: bad point {p:?}", i + 1)),
                }
            }
            lines.push(line);
        }
        Ok(Routes { index: CoastIndex::from_polylines(&lines) })
    }

    /// Distance to the nearest route, metres, searching out to `cap_m` (returned beyond it).
    pub fn distance_capped_m(&self, lat: f64, lon: f64, cap_m: f64) -> f64 {
        self.index.distance_capped_m(lat, lon, cap_m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_great_lakes_are_on_the_network_and_the_sahara_is_not() {
        let r = Routes::searoute();
        assert!(r.distance_capped_m(44.0, -87.0, 100_000.0) < 50_000.0, "Lake Michigan");
        assert!(r.distance_capped_m(23.0, 12.0, 100_000.0) >= 100_000.0, "Sahara");
        assert!(Routes::from_text("1 2;3 x\n").unwrap_err().contains("line 1"));
    }
}
