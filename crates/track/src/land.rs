//! Land and shore: is a position on land, and how far is it from the coast.
//!
//! Built from Natural Earth's 1:10 m land polygons (compiled in). The
//! on-land test is a [`RegionIndex`] lookup; the distance to shore is a
//! nearest-edge query over the coastline ([`CoastIndex`]).

use std::sync::OnceLock;

use crate::coast::CoastIndex;
use crate::region::{RegionIndex, Ring};
use crate::topojson::{GeometryError, topojson_rings};

/// Natural Earth 1:10 m land, TopoJSON from world-atlas 2.0.2 (ISC; data public domain).
const NATURAL_EARTH_LAND_10M: &[u8] = include_bytes!("../data/land-10m.json");

/// Land polygons indexed for point tests and distances.
#[derive(Debug)]
pub struct Land {
    region: RegionIndex,
    coast: CoastIndex,
}

impl Land {
    /// Natural Earth 1:10 m land, built once per process.
    pub fn natural_earth() -> &'static Land {
        static LAND: OnceLock<Land> = OnceLock::new();
        LAND.get_or_init(|| {
            let rings = topojson_rings(NATURAL_EARTH_LAND_10M, "land", "land-10m.json")
                .expect("the compiled-in Natural Earth land is valid TopoJSON");
            Land::from_rings(rings)
        })
    }

    /// Land from polygons (even-odd rings, lon/lat degrees). The polygon index and
    /// the coastline index are built on two threads.
    pub fn from_rings(rings: Vec<Ring>) -> Land {
        let (region, coast) = std::thread::scope(|s| {
            let coast = s.spawn(|| CoastIndex::new(&rings));
            let region = RegionIndex::new(&rings, 1.0);
            (region, coast.join().expect("building the coastline index"))
        });
        Land { region, coast }
    }

    /// Land from a TopoJSON file's object (e.g. world-atlas `land`).
    pub fn from_topojson(text: &[u8], object: &str, what: &str) -> Result<Land, GeometryError> {
        Ok(Land::from_rings(topojson_rings(text, object, what)?))
    }

    /// Whether (lat, lon) is on land.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.region.contains(lon, lat)
    }

    /// Distance from (lat, lon) to the nearest coastline, metres, whichever side it is on.
    pub fn coast_distance_m(&self, lat: f64, lon: f64) -> f64 {
        self.coast_distance_capped_m(lat, lon, f64::INFINITY)
    }

    /// As [`Land::coast_distance_m`], searching only out to `cap_m` (returned beyond it).
    pub fn coast_distance_capped_m(&self, lat: f64, lon: f64, cap_m: f64) -> f64 {
        self.coast.distance_capped_m(lat, lon, cap_m)
    }

    /// Distance to shore at sea, metres; 0 on land.
    pub fn shore_distance_m(&self, lat: f64, lon: f64) -> f64 {
        if self.contains(lat, lon) { 0.0 } else { self.coast_distance_m(lat, lon) }
    }

    /// As [`Land::shore_distance_m`], searching only out to `cap_m` (returned beyond it).
    pub fn shore_distance_capped_m(&self, lat: f64, lon: f64, cap_m: f64) -> f64 {
        if self.contains(lat, lon) { 0.0 } else { self.coast_distance_capped_m(lat, lon, cap_m) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealane_core::geo::NM;

    #[test]
    fn natural_earth_knows_land_from_sea() {
        let land = Land::natural_earth();
        for (name, lat, lon) in [
            ("Seoul", 37.5665, 126.978),
            ("Ottawa", 45.4215, -75.6972),
            ("Pyongyang", 39.0392, 125.7625),
            ("Sahara", 23.0, 12.0),
            ("Manhattan", 40.78, -73.97),
        ] {
            assert!(land.contains(lat, lon), "{name} is on land");
        }
        for (name, lat, lon) in [
            ("Korea Strait", 34.5, 129.0),
            ("Yellow Sea", 36.0, 124.0),
            ("Mid-Pacific", 10.0, -150.0),
            ("Malacca Strait", 2.5, 101.3),
            ("Caspian Sea", 42.0, 50.5),
        ] {
            assert!(!land.contains(lat, lon), "{name} is water");
        }
    }

    #[test]
    fn distances_to_shore() {
        let land = Land::natural_earth();
        // Honolulu harbour approaches: a few km; mid-Pacific: hundreds of nm.
        let near = land.shore_distance_m(21.28, -157.90);
        assert!(near < 10_000.0, "{near}");
        let far = land.shore_distance_m(30.0, -140.0);
        assert!(far > 500.0 * NM, "{far}");
        assert_eq!(land.shore_distance_m(37.5665, 126.978), 0.0);
        // The middle of the Korea Strait is 20-30 nm from Korea and Tsushima.
        let strait = land.shore_distance_m(34.75, 128.9) / NM;
        assert!((5.0..40.0).contains(&strait), "{strait}");
    }
}
