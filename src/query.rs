//! `sealane query`: tracks, areas and latest positions out of a store, as JSON
//! lines, CSV or GeoJSON.

use std::io::Write;

use anyhow::Result;
use sealane_core::time::format_rfc3339_ms;
use sealane_store::{LatestRow, StoredPosition};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// One JSON object per position.
    Jsonl,
    /// CSV with a header.
    Csv,
    /// A GeoJSON FeatureCollection of points.
    Geojson,
}

/// One output row: the fields every format carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    mmsi: u32,
    time_ms: i64,
    lat: f64,
    lon: f64,
    sog: Option<f64>,
    cog: Option<f64>,
    heading: Option<u16>,
    nav_status: Option<u8>,
    class: &'static str,
    time_source: Option<&'static str>,
    source: u32,
    sources: usize,
    /// The security marking of the source's label (e.g. `UNCLASSIFIED // REL TO CAN, KOR`).
    marking: Option<String>,
}

impl Row {
    /// The row's source id.
    pub fn source(&self) -> u32 {
        self.source
    }

    /// The row with its marking shown.
    pub fn with_marking(mut self, marking: Option<String>) -> Row {
        self.marking = marking;
        self
    }
}

impl From<&StoredPosition> for Row {
    fn from(p: &StoredPosition) -> Row {
        Row {
            mmsi: p.mmsi,
            time_ms: p.time_ms,
            lat: p.lat(),
            lon: p.lon(),
            sog: p.sog(),
            cog: p.cog(),
            heading: p.heading(),
            nav_status: p.nav_status(),
            class: p.class.code(),
            time_source: Some(p.time_source.name()),
            source: p.provenance.source,
            sources: 1 + p.also.len(),
            marking: None,
        }
    }
}

impl From<&LatestRow> for Row {
    fn from(p: &LatestRow) -> Row {
        Row {
            mmsi: p.mmsi,
            time_ms: p.time_ms,
            lat: p.lat,
            lon: p.lon,
            sog: p.sog,
            cog: p.cog,
            heading: p.heading,
            nav_status: p.nav_status,
            class: p.class.code(),
            time_source: None,
            source: p.source,
            sources: 1,
            marking: None,
        }
    }
}

fn json_obj(r: &Row) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("mmsi".into(), r.mmsi.into());
    m.insert("time".into(), format_rfc3339_ms(r.time_ms).into());
    m.insert("lat".into(), r.lat.into());
    m.insert("lon".into(), r.lon.into());
    m.insert("sog".into(), r.sog.into());
    m.insert("cog".into(), r.cog.into());
    m.insert("heading".into(), r.heading.into());
    m.insert("nav_status".into(), r.nav_status.into());
    m.insert("class".into(), r.class.into());
    if let Some(ts) = r.time_source {
        m.insert("time_source".into(), ts.into());
    }
    m.insert("source".into(), r.source.into());
    if r.sources > 1 {
        m.insert("sources".into(), r.sources.into());
    }
    if let Some(mk) = &r.marking {
        m.insert("marking".into(), mk.clone().into());
    }
    serde_json::Value::Object(m)
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// Writes rows in `format`.
pub fn write_rows(out: &mut dyn Write, rows: impl IntoIterator<Item = Row>, format: OutFormat) -> Result<u64> {
    let mut n = 0u64;
    match format {
        OutFormat::Jsonl => {
            for r in rows {
                serde_json::to_writer(&mut *out, &json_obj(&r))?;
                out.write_all(b"\n")?;
                n += 1;
            }
        }
        OutFormat::Csv => {
            writeln!(out, "mmsi,time,lat,lon,sog,cog,heading,nav_status,class,source,marking")?;
            for r in rows {
                writeln!(
                    out,
                    "{},{},{:.7},{:.7},{},{},{},{},{},{},\"{}\"",
                    r.mmsi,
                    format_rfc3339_ms(r.time_ms),
                    r.lat,
                    r.lon,
                    opt(r.sog),
                    opt(r.cog),
                    opt(r.heading),
                    opt(r.nav_status),
                    r.class,
                    r.source,
                    r.marking.as_deref().unwrap_or("").replace('"', "\"\"")
                )?;
                n += 1;
            }
        }
        OutFormat::Geojson => {
            out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
            for r in rows {
                if n > 0 {
                    out.write_all(b",")?;
                }
                let mut props = json_obj(&r);
                if let Some(m) = props.as_object_mut() {
                    m.remove("lat");
                    m.remove("lon");
                }
                let f = serde_json::json!({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                    "properties": props,
                });
                serde_json::to_writer(&mut *out, &f)?;
                n += 1;
            }
            out.write_all(b"]}\n")?;
        }
    }
    Ok(n)
}
