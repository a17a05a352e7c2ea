//! Ports: the nearest port to a position and how far it is, from the NGA
//! World Port Index (Pub. 150; US-government work) and searoute's port list
//! (Apache-2.0), both compiled in: each misses ports the other has (Port
//! Fourchon, the Gulf of Mexico's oil-service hub, is only in the second).

use std::sync::OnceLock;

use rstar::RTree;

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
        Ok(Ports { ports, tree })
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
}
