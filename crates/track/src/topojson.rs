//! Reading polygons from TopoJSON (Natural Earth's world-atlas) and GeoJSON.

use serde_json::Value;

use crate::region::Ring;

/// An error reading geometry, naming what was being read.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {why}")]
pub struct GeometryError {
    /// The input.
    pub what: String,
    /// What is wrong.
    pub why: String,
}

fn err(what: &str, why: impl Into<String>) -> GeometryError {
    GeometryError { what: what.to_string(), why: why.into() }
}

#[derive(serde::Deserialize)]
struct Topology {
    transform: Option<Transform>,
    /// Points of two coordinates (the third and later, which TopoJSON allows, are not read).
    arcs: Vec<Vec<[f64; 2]>>,
    objects: serde_json::Map<String, Value>,
}

#[derive(serde::Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

/// The rings of every polygon of TopoJSON object `object` (quantized, delta-encoded arcs).
pub fn topojson_rings(text: &[u8], object: &str, what: &str) -> Result<Vec<Ring>, GeometryError> {
    // Typed, not a generic JSON tree: the arcs are most of the file, and a tree of
    // them costs ten times the memory and time.
    let topo: Topology = serde_json::from_slice(text).map_err(|e| err(what, format!("not TopoJSON: {e}")))?;
    let arcs: Vec<Vec<(f64, f64)>> = match &topo.transform {
        Some(t) => topo
            .arcs
            .iter()
            .map(|a| {
                let (mut x, mut y) = (0i64, 0i64);
                a.iter()
                    .map(|p| {
                        x += p[0] as i64;
                        y += p[1] as i64;
                        (x as f64 * t.scale[0] + t.translate[0], y as f64 * t.scale[1] + t.translate[1])
                    })
                    .collect()
            })
            .collect(),
        None => topo.arcs.iter().map(|a| a.iter().map(|p| (p[0], p[1])).collect()).collect(),
    };
    let obj = topo.objects.get(object).ok_or_else(|| err(what, format!("no object {object:?}")))?;
    let mut rings = Vec::new();
    collect_topo(obj, &arcs, &mut rings).map_err(|why| err(what, why))?;
    Ok(rings)
}

fn collect_topo(g: &Value, arcs: &[Vec<(f64, f64)>], rings: &mut Vec<Ring>) -> Result<(), String> {
    let ring_of = |idx: &Value| -> Result<Ring, String> {
        let mut ring: Ring = Vec::new();
        for a in idx.as_array().ok_or("ring is not an array of arc indices")? {
            let a = a.as_i64().ok_or("arc index is not an integer")?;
            let (i, rev) = if a < 0 { ((!a) as usize, true) } else { (a as usize, false) };
            let arc = arcs.get(i).ok_or_else(|| format!("arc index {a} out of range"))?;
            let skip = usize::from(!ring.is_empty());
            if rev {
                ring.extend(arc.iter().rev().skip(skip));
            } else {
                ring.extend(arc.iter().skip(skip));
            }
        }
        Ok(ring)
    };
    match g.get("type").and_then(Value::as_str) {
        Some("GeometryCollection") => {
            for c in g.get("geometries").and_then(Value::as_array).into_iter().flatten() {
                collect_topo(c, arcs, rings)?;
            }
        }
        Some("Polygon") => {
            for r in g.get("arcs").and_then(Value::as_array).into_iter().flatten() {
                rings.push(ring_of(r)?);
            }
        }
        Some("MultiPolygon") => {
            for p in g.get("arcs").and_then(Value::as_array).into_iter().flatten() {
                for r in p.as_array().into_iter().flatten() {
                    rings.push(ring_of(r)?);
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A named polygon set from a GeoJSON feature.
#[derive(Debug, Clone)]
pub struct NamedRings {
    /// The feature's `name` (or `id`, or its position in the file).
    pub name: String,
    /// The feature's properties.
    pub properties: serde_json::Map<String, Value>,
    /// Its rings.
    pub rings: Vec<Ring>,
}

/// Every Polygon / MultiPolygon feature of a GeoJSON FeatureCollection, Feature or geometry.
pub fn geojson_features(text: &[u8], what: &str) -> Result<Vec<NamedRings>, GeometryError> {
    let v: Value = serde_json::from_slice(text).map_err(|e| err(what, format!("not JSON: {e}")))?;
    let mut out = Vec::new();
    let features: Vec<&Value> = match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => v.get("features").and_then(Value::as_array).into_iter().flatten().collect(),
        Some("Feature") => vec![&v],
        Some(_) => vec![&v],
        None => return Err(err(what, "not GeoJSON (no \"type\")")),
    };
    for (i, f) in features.into_iter().enumerate() {
        let (geom, props) = if f.get("type").and_then(Value::as_str) == Some("Feature") {
            (f.get("geometry").unwrap_or(&Value::Null), f.get("properties").and_then(Value::as_object).cloned())
        } else {
            (f, None)
        };
        let props = props.unwrap_or_default();
        let name = ["name", "NAME", "Name", "id", "GEONAME"]
            .iter()
            .find_map(|k| props.get(*k).and_then(|v| v.as_str().map(str::to_string)))
            .or_else(|| f.get("id").map(|v| v.as_str().map_or(v.to_string(), str::to_string)))
            .unwrap_or_else(|| format!("{what}#{}", i + 1));
        let mut rings = Vec::new();
        collect_geojson(geom, &mut rings).map_err(|why| err(what, format!("feature {} ({name}): {why}", i + 1)))?;
        if !rings.is_empty() {
            out.push(NamedRings { name, properties: props, rings });
        }
    }
    Ok(out)
}

fn collect_geojson(g: &Value, rings: &mut Vec<Ring>) -> Result<(), String> {
    let ring_of = |r: &Value| -> Result<Ring, String> {
        let mut ring = Vec::new();
        for p in r.as_array().ok_or("ring is not an array")? {
            let p = p.as_array().ok_or("position is not an array")?;
            let (Some(x), Some(y)) = (p.first().and_then(Value::as_f64), p.get(1).and_then(Value::as_f64)) else {
                return Err("position without two numbers".into());
            };
            if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
                return Err(format!("position ({x}, {y}) is not lon/lat degrees"));
            }
            ring.push((x, y));
        }
        if ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        Ok(ring)
    };
    match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => {
            for r in g.get("coordinates").and_then(Value::as_array).into_iter().flatten() {
                rings.push(ring_of(r)?);
            }
        }
        Some("MultiPolygon") => {
            for p in g.get("coordinates").and_then(Value::as_array).into_iter().flatten() {
                for r in p.as_array().into_iter().flatten() {
                    rings.push(ring_of(r)?);
                }
            }
        }
        Some("GeometryCollection") => {
            for c in g.get("geometries").and_then(Value::as_array).into_iter().flatten() {
                collect_geojson(c, rings)?;
            }
        }
        _ => {}
    }
    Ok(())
}
