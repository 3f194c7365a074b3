//! Step 9: extra LSOA → unit layers (e.g. sub-ICB locations), scored and usable as build layers.

use super::join::Join;
use super::Loader;
use crate::error::{Error, Result};
use crate::model::{UnitId, UnitLayer};
use std::collections::BTreeMap;

/// Join every `[[layers]]` table.
pub(crate) fn join(ld: &mut Loader) -> Result<()> {
    for layer in &ld.sc.layers {
        let p = ld.sc.resolve(&layer.path);
        let label = format!("layer {}", layer.name);
        let t = ld.table(&label, &p)?;
        let (c, u) = (t.col(&layer.code)?, t.col(&layer.unit)?);
        let mut j = Join::new(ld, &label, &p, t.rows.len());
        let mut units: Vec<String> = Vec::new();
        let mut ids: BTreeMap<String, UnitId> = BTreeMap::new();
        let mut unit_of: Vec<Option<UnitId>> = vec![None; ld.areas.len()];
        for (i, r) in t.rows.iter().enumerate() {
            if let Some(k) = j.row(ld, &t, i, t.get(r, c))? {
                let unit = t.get(r, u);
                if unit.is_empty() {
                    return Err(Error::at(&p, t.line(i), format!("LSOA {} has an empty unit", t.get(r, c)))
                        .hint(format!("give every row a unit in column \"{}\" of layer {}", layer.unit, layer.name)));
                }
                let id = *ids.entry(unit.to_string()).or_insert_with(|| {
                    units.push(unit.to_string());
                    (units.len() - 1) as UnitId
                });
                unit_of[k] = Some(id);
            }
        }
        let (js, _) = j.finish(ld);
        if js.missing > 0 {
            ld.warn(format!(
                "layer {}: {} study-area LSOA(s) have no unit (e.g. {})",
                layer.name,
                js.missing,
                js.missing_examples.join(", ")
            ));
        }
        ld.report.joins.push(js);
        ld.layers.push(UnitLayer { name: layer.name.clone(), units, unit_of });
    }
    Ok(())
}
