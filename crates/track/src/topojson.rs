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

/// The rings of every polygon of TopoJSON object `object` (quantized, delta-encoded arcs).
pub fn topojson_rings(text: &[u8], object: &str, what: &str) -> Result<Vec<Ring>, GeometryError> {
    let v: Value = serde_json::from_slice(text).map_err(|e| err(what, format!("not JSON: {e}")))?;
    let (scale, translate) = match v.get("transform") {
        Some(t) => {
            let pair = |k: &str| -> Option<(f64, f64)> {
                let a = t.get(k)?.as_array()?;
                Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
            };
            (pair("scale").ok_or_else(|| err(what, "bad transform.scale"))?, pair("translate").unwrap_or((0.0, 0.0)))
        }
        None => ((1.0, 1.0), (0.0, 0.0)),
    };
    let quantized = v.get("transform").is_some();
    let arcs_json = v.get("arcs").and_then(Value::as_array).ok_or_else(|| err(what, "no arcs"))?;
    let mut arcs: Vec<Vec<(f64, f64)>> = Vec::with_capacity(arcs_json.len());
    for (i, a) in arcs_json.iter().enumerate() {
        let pts = a.as_array().ok_or_else(|| err(what, format!("arc {i} is not an array")))?;
        let (mut x, mut y) = (0i64, 0i64);
        let mut out = Vec::with_capacity(pts.len());
        for p in pts {
            let p = p.as_array().ok_or_else(|| err(what, format!("arc {i}: bad point")))?;
            let (px, py) = (p.first().and_then(Value::as_f64), p.get(1).and_then(Value::as_f64));
            let (Some(px), Some(py)) = (px, py) else { return Err(err(what, format!("arc {i}: bad point"))) };
            if quantized {
                x += px as i64;
                y += py as i64;
                out.push((x as f64 * scale.0 + translate.0, y as f64 * scale.1 + translate.1));
            } else {
                out.push((px, py));
            }
        }
        arcs.push(out);
    }
    let obj = v.get("objects").and_then(|o| o.get(object)).ok_or_else(|| err(what, format!("no object {object:?}")))?;
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
