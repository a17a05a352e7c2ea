//! `sealane export`: positions out of a store as GeoParquet 1.1 or GeoJSON,
//! partitioned by UTC day (`DIR/date=YYYY-MM-DD/part-NNNNN.*`, the Hive
//! layout DuckDB, Spark and GeoPandas read as one dataset).
//!
//! GeoParquet: WKB point geometry in `geometry`, a `bbox` covering struct
//! (GeoParquet 1.1) for row-group pruning, and the `geo` file metadata; CRS is
//! the GeoParquet default, OGC:CRS84 (longitude, latitude on WGS 84).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use arrow_array::builder::{
    BinaryBuilder, Float32Builder, Float64Builder, StringBuilder, TimestampMillisecondBuilder, UInt8Builder,
    UInt16Builder, UInt32Builder,
};
use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use sealane_core::time::{day_start, day_string};
use sealane_store::{Bbox, Store, StoredPosition};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// GeoParquet 1.1 (WKB points, zstd).
    Geoparquet,
    /// GeoJSON FeatureCollections.
    Geojson,
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// Output format.
    pub format: ExportFormat,
    /// Output directory (created).
    pub out: PathBuf,
    /// Window start, ms.
    pub from_ms: i64,
    /// Window end, ms.
    pub to_ms: i64,
    /// Only positions inside.
    pub bbox: Option<Bbox>,
    /// Rows per part file before a day's partition gets another part.
    pub part_rows: usize,
    /// Only positions reported by one of these sources (the reader's readable
    /// sources, from the policy decision point); None: all.
    pub allowed_sources: Option<std::collections::BTreeSet<u32>>,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Rows written.
    pub rows: u64,
    /// Files written.
    pub files: Vec<PathBuf>,
}

struct Writer<'a> {
    cfg: &'a ExportConfig,
    labels: HashMap<u32, String>,
    days: BTreeMap<i64, Vec<StoredPosition>>,
    parts: HashMap<i64, u32>,
    summary: ExportSummary,
}

/// Exports the positions of `store` selected by `cfg`.
pub fn export(store: &Store, cfg: &ExportConfig) -> Result<ExportSummary> {
    std::fs::create_dir_all(&cfg.out).with_context(|| format!("creating {}", cfg.out.display()))?;
    let labels = store.sources()?.into_iter().map(|(id, _, _, label)| (id, label.marking())).collect();
    let mut w = Writer { cfg, labels, days: BTreeMap::new(), parts: HashMap::new(), summary: ExportSummary::default() };
    let mut failure = None;
    store.scan(cfg.from_ms, cfg.to_ms, cfg.bbox, |block| {
        for p in block {
            if let Some(allowed) = &cfg.allowed_sources {
                if !allowed.contains(&p.provenance.source) && !p.also.iter().any(|a| allowed.contains(&a.source)) {
                    continue;
                }
            }
            let day = day_start(p.time_ms);
            let v = w.days.entry(day).or_default();
            v.push(p.clone());
            if v.len() >= cfg.part_rows {
                let rows = std::mem::take(v);
                if let Err(e) = w.write_part(day, rows) {
                    failure.get_or_insert(e);
                }
            }
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    for (day, rows) in std::mem::take(&mut w.days) {
        if !rows.is_empty() {
            w.write_part(day, rows)?;
        }
    }
    Ok(w.summary)
}

impl Writer<'_> {
    fn write_part(&mut self, day: i64, mut rows: Vec<StoredPosition>) -> Result<()> {
        rows.sort_by_key(|p| (p.time_ms, p.mmsi));
        let dir = self.cfg.out.join(format!("date={}", day_string(day)));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let n = self.parts.entry(day).or_default();
        let ext = match self.cfg.format {
            ExportFormat::Geoparquet => "parquet",
            ExportFormat::Geojson => "geojson",
        };
        let path = dir.join(format!("part-{:05}.{ext}", *n));
        *n += 1;
        match self.cfg.format {
            ExportFormat::Geoparquet => write_geoparquet(&path, &rows, &self.labels)?,
            ExportFormat::Geojson => write_geojson(&path, &rows, &self.labels)?,
        }
        self.summary.rows += rows.len() as u64;
        self.summary.files.push(path);
        Ok(())
    }
}

fn wkb_point(lon: f64, lat: f64) -> [u8; 21] {
    let mut b = [0u8; 21];
    b[0] = 1; // little endian
    b[1..5].copy_from_slice(&1u32.to_le_bytes()); // Point
    b[5..13].copy_from_slice(&lon.to_le_bytes());
    b[13..21].copy_from_slice(&lat.to_le_bytes());
    b
}

fn bbox_fields() -> Fields {
    Fields::from(vec![
        Field::new("xmin", DataType::Float64, false),
        Field::new("ymin", DataType::Float64, false),
        Field::new("xmax", DataType::Float64, false),
        Field::new("ymax", DataType::Float64, false),
    ])
}

/// The schema of an exported position.
pub fn schema() -> Schema {
    Schema::new(vec![
        Field::new("mmsi", DataType::UInt32, false),
        Field::new("time", DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())), false),
        Field::new("lat", DataType::Float64, false),
        Field::new("lon", DataType::Float64, false),
        Field::new("sog", DataType::Float32, true),
        Field::new("cog", DataType::Float32, true),
        Field::new("heading", DataType::UInt16, true),
        Field::new("nav_status", DataType::UInt8, true),
        Field::new("class", DataType::Utf8, false),
        Field::new("msg_type", DataType::UInt8, false),
        Field::new("time_source", DataType::Utf8, false),
        Field::new("source", DataType::UInt32, false),
        Field::new("sources", DataType::UInt16, false),
        Field::new("label", DataType::Utf8, false),
        Field::new("geometry", DataType::Binary, false),
        Field::new("bbox", DataType::Struct(bbox_fields()), false),
    ])
}

fn write_geoparquet(path: &Path, rows: &[StoredPosition], labels: &HashMap<u32, String>) -> Result<()> {
    let n = rows.len();
    let mut mmsi = UInt32Builder::with_capacity(n);
    let mut time = TimestampMillisecondBuilder::with_capacity(n).with_timezone("UTC");
    let (mut lat, mut lon) = (Float64Builder::with_capacity(n), Float64Builder::with_capacity(n));
    let (mut sog, mut cog) = (Float32Builder::with_capacity(n), Float32Builder::with_capacity(n));
    let mut heading = UInt16Builder::with_capacity(n);
    let mut nav = UInt8Builder::with_capacity(n);
    let mut class = StringBuilder::new();
    let mut msg_type = UInt8Builder::with_capacity(n);
    let mut time_source = StringBuilder::new();
    let mut source = UInt32Builder::with_capacity(n);
    let mut sources = UInt16Builder::with_capacity(n);
    let mut label = StringBuilder::new();
    let mut geometry = BinaryBuilder::with_capacity(n, n * 21);
    let mut xs = Float64Builder::with_capacity(n);
    let mut ys = Float64Builder::with_capacity(n);
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in rows {
        let (x, y) = (p.lon(), p.lat());
        min_x = min_x.min(x);
        min_y = min_y.min(y);
        max_x = max_x.max(x);
        max_y = max_y.max(y);
        mmsi.append_value(p.mmsi);
        time.append_value(p.time_ms);
        lat.append_value(y);
        lon.append_value(x);
        sog.append_option(p.sog().map(|v| v as f32));
        cog.append_option(p.cog().map(|v| v as f32));
        heading.append_option(p.heading());
        nav.append_option(p.nav_status());
        class.append_value(p.class.code());
        msg_type.append_value(p.msg_type);
        time_source.append_value(p.time_source.name());
        source.append_value(p.provenance.source);
        sources.append_value(1 + p.also.len().min(u16::MAX as usize - 1) as u16);
        label.append_value(labels.get(&p.provenance.source).map_or("", String::as_str));
        geometry.append_value(wkb_point(x, y));
        xs.append_value(x);
        ys.append_value(y);
    }
    let xs: ArrayRef = Arc::new(xs.finish());
    let ys: ArrayRef = Arc::new(ys.finish());
    // A point's covering box is the point itself.
    let bbox = StructArray::new(bbox_fields(), vec![xs.clone(), ys.clone(), xs, ys], None);
    let schema = Arc::new(schema());
    let columns: Vec<ArrayRef> = vec![
        Arc::new(mmsi.finish()),
        Arc::new(time.finish()),
        Arc::new(lat.finish()),
        Arc::new(lon.finish()),
        Arc::new(sog.finish()),
        Arc::new(cog.finish()),
        Arc::new(heading.finish()),
        Arc::new(nav.finish()),
        Arc::new(class.finish()),
        Arc::new(msg_type.finish()),
        Arc::new(time_source.finish()),
        Arc::new(source.finish()),
        Arc::new(sources.finish()),
        Arc::new(label.finish()),
        Arc::new(geometry.finish()),
        Arc::new(bbox),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    let geo = serde_json::json!({
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": ["Point"],
                "bbox": [min_x, min_y, max_x, max_y],
                "covering": {"bbox": {
                    "xmin": ["bbox", "xmin"], "ymin": ["bbox", "ymin"],
                    "xmax": ["bbox", "xmax"], "ymax": ["bbox", "ymax"]
                }}
            }
        }
    });
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
        .set_max_row_group_row_count(Some(256 * 1024))
        .set_created_by(concat!("sealane ", env!("CARGO_PKG_VERSION")).to_string())
        .build();
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = ArrowWriter::try_new(file, schema, Some(props))?;
    w.append_key_value_metadata(KeyValue::new("geo".to_string(), geo.to_string()));
    w.write(&batch)?;
    w.close()?;
    Ok(())
}

fn write_geojson(path: &Path, rows: &[StoredPosition], labels: &HashMap<u32, String>) -> Result<()> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (k, p) in rows.iter().enumerate() {
        if k > 0 {
            out.write_all(b",\n")?;
        }
        let f = serde_json::json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon(), p.lat()]},
            "properties": {
                "mmsi": p.mmsi,
                "time": sealane_core::time::format_rfc3339_ms(p.time_ms),
                "sog": p.sog(),
                "cog": p.cog(),
                "heading": p.heading(),
                "nav_status": p.nav_status(),
                "class": p.class.code(),
                "source": p.provenance.source,
                "label": labels.get(&p.provenance.source),
            }
        });
        serde_json::to_writer(&mut out, &f)?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()?;
    Ok(())
}
