//! Is a point on land? `cargo run --release -p sealane-track --example land_probe -- LAT LON ...`

fn main() {
    let land = sealane_track::Land::natural_earth();
    let a: Vec<f64> = std::env::args().skip(1).filter_map(|s| s.parse().ok()).collect();
    for p in a.chunks(2) {
        println!(
            "{} {}: land {} coast {:.0} m",
            p[0],
            p[1],
            land.contains(p[0], p[1]),
            land.coast_distance_m(p[0], p[1])
        );
    }
}
