//! Times and sizes the land index build: `cargo run --release -p sealane-track --example land_build`.

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let t = std::time::Instant::now();
    let r0 = rss_kb();
    let land = sealane_track::Land::natural_earth();
    println!("land index: {:.3} s, RSS +{} KB", t.elapsed().as_secs_f64(), rss_kb() - r0);
    let t = std::time::Instant::now();
    let d = land.coast_distance_m(35.0, 129.5);
    println!("first coast distance ({d:.0} m): {:.3} s, RSS {} KB", t.elapsed().as_secs_f64(), rss_kb());
    let t = std::time::Instant::now();
    let ports = sealane_track::Ports::world_port_index();
    println!("ports ({}): {:.3} s", ports.len(), t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let mut n = 0u32;
    for i in 0..1_000_000u32 {
        let lat = -60.0 + (i % 1200) as f64 * 0.1;
        let lon = -180.0 + (i / 1200) as f64 * 0.432;
        n += land.contains(lat, lon) as u32;
    }
    println!("1M contains: {:.3} s ({n} on land)", t.elapsed().as_secs_f64());
    // Coast distance queries around the US coastal traffic area.
    for cap in [10_000.0, 74_000.0, f64::INFINITY] {
        let t = std::time::Instant::now();
        let mut s = 0.0;
        for i in 0..20_000u32 {
            let lat = 25.0 + (i % 200) as f64 * 0.1;
            let lon = -98.0 + (i / 200) as f64 * 0.25;
            s += land.coast_distance_capped_m(lat, lon, cap).min(1e7);
        }
        println!("20k coast queries capped {cap}: {:.1} us each ({s:.0})", t.elapsed().as_secs_f64() / 20_000.0 * 1e6);
    }
}
