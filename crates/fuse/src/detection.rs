//! Satellite vessel detections and the scenes they come from, read from the
//! project's CSV (`sealane simulate --detections`) and from KSAT's RADARSAT-2
//! exports (the combined CSV with a WKT footprint per row, and the per-scene
//! CSVs). Bad rows are rejected with their place and counted; good rows are
//! kept.

use sealane_core::Label;
use sealane_core::time::parse_time;

/// One detection.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Identifier (unique within its source).
    pub id: String,
    /// Scene time, ms.
    pub time_ms: i64,
    /// Position.
    pub lat: f64,
    /// Position.
    pub lon: f64,
    /// Estimated length, metres.
    pub length_m: Option<f64>,
    /// Estimated heading, degrees.
    pub heading: Option<f64>,
    /// Detector confidence, 0-1.
    pub confidence: f64,
    /// Sensor.
    pub sensor: String,
    /// Scene.
    pub scene_id: String,
    /// Scene footprint (lon, lat ring), when the source gives it.
    pub footprint: Option<Vec<(f64, f64)>>,
    /// The originator's label.
    pub label: Label,
}

/// A rejected row.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    /// `file:line`.
    pub place: String,
    /// Why.
    pub reason: String,
}

/// The file formats understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectionFormat {
    /// `detection_id,time,lat,lon,length_m,heading,confidence,sensor,scene_id,footprint,label`.
    Sealane,
    /// KSAT combined: `,lon,lat,Name,Probability,DetectionId,ProductStartTime,ProductStopTime,...,scene_id,footprint`.
    KsatCombined,
    /// KSAT per scene: `X,Y,Name,description,Probability,DetectionId,ProductStartTime,...,ProductId`.
    KsatScene,
}

/// Parses `POLYGON ((x y, x y, ...))` (the outer ring).
pub fn parse_wkt_polygon(s: &str) -> Option<Vec<(f64, f64)>> {
    let s = s.trim();
    let body = s.strip_prefix("POLYGON")?.trim().strip_prefix("((")?;
    let ring = body.split(')').next()?;
    let mut out = Vec::new();
    for p in ring.split(',') {
        let mut it = p.split_whitespace().map(str::parse::<f64>);
        match (it.next(), it.next()) {
            (Some(Ok(x)), Some(Ok(y))) if x.is_finite() && y.is_finite() => out.push((x, y)),
            _ => return None,
        }
    }
    (out.len() >= 3).then_some(out)
}

fn detect_format(header: &[String]) -> Option<DetectionFormat> {
    let h: Vec<&str> = header.iter().map(|s| s.trim()).collect();
    if h.first() == Some(&"detection_id") && h.contains(&"scene_id") {
        Some(DetectionFormat::Sealane)
    } else if h.get(1) == Some(&"lon") && h.contains(&"DetectionId") && h.contains(&"footprint") {
        Some(DetectionFormat::KsatCombined)
    } else if h.first() == Some(&"X") && h.contains(&"DetectionId") && h.contains(&"ProductId") {
        Some(DetectionFormat::KsatScene)
    } else {
        None
    }
}

/// Reads detections from CSV text; `what` names the file in messages; rows
/// without a label of their own get `label`.
pub fn read_csv(text: &str, what: &str, label: &Label) -> Result<(Vec<Detection>, Vec<Reject>), String> {
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else { return Err(format!("{what}: empty file")) };
    let header = sealane_core::csv::split_quoted(header.trim_start_matches('\u{feff}'));
    let format = detect_format(&header).ok_or_else(|| {
        format!("{what}:1: not a detection file (expected the Sealane detection CSV or a KSAT RADARSAT-2 export)")
    })?;
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let need = |name: &str| col(name).ok_or_else(|| format!("{what}:1: no {name:?} column"));
    let mut out = Vec::new();
    let mut rejects = Vec::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("{what}:{}", n + 1);
        let f = sealane_core::csv::split_quoted(line);
        let get = |i: usize| f.get(i).map(|s| s.trim()).unwrap_or("");
        let row = || -> Result<Detection, String> {
            let num = |i: usize, name: &str| -> Result<f64, String> {
                get(i)
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| format!("{name} {:?} is not a number", get(i)))
            };
            let opt = |i: Option<usize>| i.and_then(|i| get(i).parse::<f64>().ok()).filter(|x| x.is_finite());
            let d = match format {
                DetectionFormat::Sealane => Detection {
                    id: get(need("detection_id")?).to_string(),
                    time_ms: parse_time(get(need("time")?)).map_err(|e| format!("time: {e}"))?,
                    lat: num(need("lat")?, "lat")?,
                    lon: num(need("lon")?, "lon")?,
                    length_m: opt(col("length_m")),
                    heading: opt(col("heading")),
                    confidence: opt(col("confidence")).unwrap_or(1.0),
                    sensor: col("sensor").map(|i| get(i).to_string()).unwrap_or_default(),
                    scene_id: get(need("scene_id")?).to_string(),
                    footprint: col("footprint").and_then(|i| parse_wkt_polygon(get(i))),
                    label: match col("label").map(get).filter(|s| !s.is_empty()) {
                        Some(s) => Label::parse(s)?,
                        None => label.clone(),
                    },
                },
                DetectionFormat::KsatCombined | DetectionFormat::KsatScene => {
                    let (x, y, scene) = if format == DetectionFormat::KsatCombined {
                        ("lon", "lat", "scene_id")
                    } else {
                        ("X", "Y", "ProductId")
                    };
                    Detection {
                        id: get(need("DetectionId")?).to_string(),
                        time_ms: parse_time(&get(need("ProductStartTime")?).replace(' ', "T"))
                            .map_err(|e| format!("ProductStartTime: {e}"))?,
                        lat: num(need(y)?, "latitude")?,
                        lon: num(need(x)?, "longitude")?,
                        length_m: opt(col("Length")),
                        heading: opt(col("Heading")),
                        confidence: opt(col("Probability")).map_or(1.0, |p| (p / 100.0).clamp(0.0, 1.0)),
                        sensor: "RADARSAT-2".into(),
                        scene_id: get(need(scene)?).to_string(),
                        footprint: col("footprint").and_then(|i| parse_wkt_polygon(get(i))),
                        label: label.clone(),
                    }
                }
            };
            if !(-90.0..=90.0).contains(&d.lat) || !(-180.0..=180.0).contains(&d.lon) {
                return Err(format!("position {},{} out of range", d.lat, d.lon));
            }
            if d.id.is_empty() || d.scene_id.is_empty() {
                return Err("no detection or scene id".into());
            }
            Ok(d)
        };
        match row() {
            Ok(d) => out.push(d),
            Err(reason) => rejects.push(Reject { place, reason }),
        }
    }
    Ok((out, rejects))
}

/// A scene: its detections, time and footprint.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// Scene id.
    pub id: String,
    /// Scene time, ms (the earliest detection time).
    pub time_ms: i64,
    /// Footprint ring (lon, lat); from the source, else the detections' bounding box widened by 5 km.
    pub footprint: Vec<(f64, f64)>,
    /// Whether the footprint came from the source.
    pub footprint_known: bool,
    /// Indexes of its detections.
    pub detections: Vec<usize>,
}

/// Groups detections by scene (in order of first appearance).
pub fn scenes(detections: &[Detection]) -> Vec<Scene> {
    let mut out: Vec<Scene> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (i, d) in detections.iter().enumerate() {
        let k = *index.entry(d.scene_id.clone()).or_insert_with(|| {
            out.push(Scene {
                id: d.scene_id.clone(),
                time_ms: d.time_ms,
                footprint: Vec::new(),
                footprint_known: false,
                detections: Vec::new(),
            });
            out.len() - 1
        });
        let s = &mut out[k];
        s.detections.push(i);
        s.time_ms = s.time_ms.min(d.time_ms);
        if !s.footprint_known {
            if let Some(f) = &d.footprint {
                s.footprint = f.clone();
                s.footprint_known = true;
            }
        }
    }
    for s in &mut out {
        if !s.footprint_known {
            let (mut w, mut so, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for &i in &s.detections {
                let d = &detections[i];
                (w, so, e, n) = (w.min(d.lon), so.min(d.lat), e.max(d.lon), n.max(d.lat));
            }
            let m = 0.05;
            s.footprint = vec![(w - m, so - m), (e + m, so - m), (e + m, n + m), (w - m, n + m), (w - m, so - m)];
        }
    }
    out
}

/// Point in polygon (even-odd), ring as (lon, lat).
pub fn contains(ring: &[(f64, f64)], lat: f64, lon: f64) -> bool {
    let mut inside = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_formats_and_rejects_bad_rows() {
        let l = Label::public_ais();
        let ksat = ",lon,lat,Name,Probability,DetectionId,ProductStartTime,ProductStopTime,Polarization,Beam,Length,Type,Heading,scene_id,footprint\n\
0,54.18,-8.98,FID: 1,100.0,a1,2020-01-07 14:46:50.181000+00:00,2020-01-07 14:48:04+00:00,HH,12.88,74.52,VESSEL,42.5,S1,\"POLYGON ((53.6 -8.9, 57.7 -8.0, 58.8 -12.3, 54.7 -13.3, 53.6 -8.9))\"\n\
1,bad,-9.1,FID: 2,50.0,a2,2020-01-07 14:46:50+00:00,,HH,1,25,VESSEL,25,S1,\n";
        let (d, r) = read_csv(ksat, "k.csv", &l).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].length_m, Some(74.52));
        assert_eq!(d[0].confidence, 1.0);
        assert!(d[0].footprint.as_ref().is_some_and(|f| f.len() == 5));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].place, "k.csv:3");
        assert!(r[0].reason.contains("longitude"), "{:?}", r[0]);
        let per_scene = "X,Y,Name,description,Probability,DetectionId,ProductStartTime,ProductStopTime,Polarization,Beam,Length,Property,Type,Heading,ProductId\n\
54.2,-11.8,FID: 1,,50.00,b1,2019-10-06T14:59:35.885000Z,2019-10-06T15:00:49.990000Z,HH,9.14,42.13, Value ,VESSEL,000.03,RS2_X\n";
        let (d, _) = read_csv(per_scene, "s.csv", &l).unwrap();
        assert_eq!((d[0].scene_id.as_str(), d[0].confidence), ("RS2_X", 0.5));
        let s = scenes(&d);
        assert!(!s[0].footprint_known && contains(&s[0].footprint, -11.8, 54.2));
        assert!(read_csv("a,b\n1,2\n", "x.csv", &l).unwrap_err().contains("x.csv:1"));
    }
}
