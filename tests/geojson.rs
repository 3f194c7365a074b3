//! Footprint GeoJSON is RFC 7946 and dissolves cleanly: the union of footprint polygons has the
//! area of its LSOAs, neighbouring footprints touch (no gaps), exteriors are counter-clockwise.

mod common;
use common::*;
use geo::{Area, Distance, Euclidean, MultiPolygon, Polygon};

fn read_fc(path: &std::path::Path) -> Vec<(serde_json::Value, MultiPolygon)> {
    let fc: geojson::FeatureCollection = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    fc.features
        .into_iter()
        .map(|f| {
            let g: geo::Geometry = f.geometry.clone().unwrap().try_into().unwrap();
            let mp = match g {
                geo::Geometry::MultiPolygon(m) => m,
                geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                _ => panic!("not polygonal"),
            };
            (serde_json::Value::Object(f.properties.unwrap()), mp)
        })
        .collect()
}

#[test]
fn dissolved_footprints_cover_the_lsoas_without_gaps() {
    let d = tempfile::tempdir().unwrap();
    let scen = root().join("data/demo/scenario.toml");
    let o = run_in(d.path(), &["build", "-s", scen.to_str().unwrap(), "-o", "out", "--options", "1", "--steps", "5"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let p = footprints::Prepared::load(&scen).unwrap();
    let feats = read_fc(&d.path().join("out/option-1/footprints.geojson"));
    // Back to BNG for areas and distances.
    let to_bng = |mp: &MultiPolygon| footprints::io::crs::mp_to_bng(mp).unwrap();
    let snps: Vec<(String, MultiPolygon)> = feats
        .iter()
        .filter(|f| f.0["level"] == "SNP")
        .map(|f| (f.0["name"].as_str().unwrap().to_string(), to_bng(&f.1)))
        .collect();
    let lsoa_area: f64 = p.study.areas.iter().map(|a| a.area_m2).sum();
    let snp_area: f64 = snps.iter().map(|s| s.1.unsigned_area()).sum();
    assert!((snp_area - lsoa_area).abs() / lsoa_area < 0.001, "{snp_area} vs {lsoa_area}");
    let polys: Vec<Polygon> = snps.iter().flat_map(|s| s.1 .0.clone()).collect();
    let union = geo::unary_union(polys.iter());
    assert!(
        (union.unsigned_area() - lsoa_area).abs() / lsoa_area < 0.001,
        "union {} vs {}",
        union.unsigned_area(),
        lsoa_area
    );
    // Neighbouring footprints (sharing an LSOA edge) touch.
    let lookup = std::fs::read_to_string(d.path().join("out/option-1/lookup.csv")).unwrap();
    let snp_of: Vec<String> = lookup.lines().skip(1).map(|l| l.split(',').nth(4).unwrap().to_string()).collect();
    let mut pairs = std::collections::BTreeSet::new();
    for e in &p.graph.edges {
        if snp_of[e.a] != snp_of[e.b] {
            pairs.insert((snp_of[e.a].clone().min(snp_of[e.b].clone()), snp_of[e.a].clone().max(snp_of[e.b].clone())));
        }
    }
    assert!(!pairs.is_empty());
    for (a, b) in pairs {
        let ga = &snps.iter().find(|s| s.0 == a).unwrap().1;
        let gb = &snps.iter().find(|s| s.0 == b).unwrap().1;
        let gap = Euclidean.distance(ga, gb);
        assert!(gap < 0.5, "{a} and {b} are {gap} m apart");
    }
    // RFC 7946: lon/lat, counter-clockwise exteriors (positive signed area), no crs member.
    for (_, mp) in &feats {
        for poly in &mp.0 {
            assert!(poly.exterior().0.iter().all(|c| c.x.abs() <= 180.0 && c.y.abs() <= 90.0));
            assert!(Polygon::new(poly.exterior().clone(), vec![]).signed_area() > 0.0);
        }
    }
    let lsoas = read_fc(&d.path().join("out/option-1/lsoas.geojson"));
    assert_eq!(lsoas.len(), 432);
    assert!(lsoas.iter().all(|f| f.0["snp_name"].is_string() && f.0["mnp_name"].is_string()));
}
