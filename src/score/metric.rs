//! Metrics as data: every figure `score` reports is a [`MetricValue`] carrying its key, label, unit,
//! direction and applicability, produced by a [`MetricFamily`]. Tables, CSV, JSON and `compare`
//! iterate these values, so "n/a" is a value and never a missing key.

use super::ctx::ScoreCtx;
use super::row::FootprintRow;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// The unit a metric is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Percent, 0–100.
    Percent,
    /// Share, 0–1.
    Share,
    /// Kilometres (straight line × circuity).
    Km,
    /// Minutes (from a travel-time matrix).
    Minutes,
    /// A ratio of two like quantities.
    Ratio,
    /// A count (footprints, PCNs, splits, clusters: the label says which).
    Count,
    /// People.
    People,
    /// A dimensionless index (Polsby–Popper, concentration index).
    Index,
}

impl Unit {
    /// Short name used in JSON and CSV ("%", "share", "km", "min", …).
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Share => "share",
            Unit::Km => "km",
            Unit::Minutes => "min",
            Unit::Ratio => "ratio",
            Unit::Count => "count",
            Unit::People => "people",
            Unit::Index => "index",
        }
    }

    /// What a table appends to the label ("…, %"), for units a reader must be told.
    pub fn suffix(self) -> Option<&'static str> {
        matches!(self, Unit::Percent | Unit::Km | Unit::Minutes).then(|| self.as_str())
    }
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Which direction is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Higher is better.
    High,
    /// Lower is better.
    Low,
    /// No preference (context).
    Neither,
}

impl Better {
    /// "high", "low" or "none".
    pub fn as_str(self) -> &'static str {
        match self {
            Better::High => "high",
            Better::Low => "low",
            Better::Neither => "none",
        }
    }

    /// The best of some values, if this direction has one.
    pub fn best(self, vals: impl Iterator<Item = f64>) -> Option<f64> {
        match self {
            Better::High => vals.reduce(f64::max),
            Better::Low => vals.reduce(f64::min),
            Better::Neither => None,
        }
    }
}

impl Serialize for Better {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A metric's value: a number, or the reason it cannot be computed from the inputs.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Computed.
    Num(f64),
    /// Not applicable to these inputs, with the reason.
    NotApplicable(String),
}

impl Value {
    /// The number, if computed.
    pub fn num(&self) -> Option<f64> {
        match self {
            Value::Num(x) => Some(*x),
            Value::NotApplicable(_) => None,
        }
    }
}

/// One figure of a footprint set.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValue {
    /// Stable key, "family.metric" (e.g. "access.hub_mean").
    pub key: String,
    /// Label for tables, without the unit.
    pub label: String,
    /// Unit of `value`.
    pub unit: Unit,
    /// Which direction is better.
    pub better: Better,
    /// The value or why there is none.
    pub value: Value,
    /// The footprints a count refers to (e.g. those in more than one piece), when it names them;
    /// or the towns, for a count of towns ([`MetricValue::town_names`]).
    pub names: Option<Vec<String>>,
    /// True when `names` are towns rather than footprints (JSON key "towns", not "footprints").
    pub names_are_towns: bool,
    /// Shown in summary and comparison tables (otherwise in scores.json only).
    pub headline: bool,
}

impl MetricValue {
    /// A metric with no value yet (n/a until [`MetricValue::num`] is called).
    pub fn new(key: impl Into<String>, label: impl Into<String>, unit: Unit, better: Better) -> MetricValue {
        let value = Value::NotApplicable("not computed".into());
        MetricValue {
            key: key.into(),
            label: label.into(),
            unit,
            better,
            value,
            names: None,
            names_are_towns: false,
            headline: false,
        }
    }

    /// Show in tables.
    pub fn headline(mut self) -> MetricValue {
        self.headline = true;
        self
    }

    /// Set the value; a value that is not finite (no data, unreachable) becomes n/a.
    pub fn num(mut self, x: f64) -> MetricValue {
        self.value = if x.is_finite() {
            Value::Num(x + 0.0)
        } else {
            Value::NotApplicable("no finite value (no data or unreachable)".into())
        };
        self
    }

    /// Mark not applicable.
    pub fn na(mut self, reason: impl Into<String>) -> MetricValue {
        self.value = Value::NotApplicable(reason.into());
        self
    }

    /// Attach the footprints the count refers to; the value becomes their number.
    pub fn names(mut self, names: Vec<String>) -> MetricValue {
        self.value = Value::Num(names.len() as f64);
        self.names = Some(names);
        self
    }

    /// Attach the towns (with their figures) the count refers to; the value becomes their number.
    pub fn town_names(mut self, names: Vec<String>) -> MetricValue {
        self = self.names(names);
        self.names_are_towns = true;
        self
    }

    /// Label with the unit a table shows ("cut boundary, km").
    pub fn table_label(&self) -> String {
        match self.unit.suffix() {
            Some(u) => format!("{}, {u}", self.label),
            None => self.label.clone(),
        }
    }
}

#[derive(Serialize)]
struct Json<'a> {
    label: &'a str,
    unit: Unit,
    better: Better,
    value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_applicable: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    footprints: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    towns: Option<&'a [String]>,
    headline: bool,
}

/// Serialise metrics as one JSON object keyed by metric key, in registry order.
pub fn serialize_metrics<S: Serializer>(m: &[MetricValue], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(m.len()))?;
    for v in m {
        let na = match &v.value {
            Value::NotApplicable(r) => Some(r.as_str()),
            Value::Num(_) => None,
        };
        let j = Json {
            label: &v.label,
            unit: v.unit,
            better: v.better,
            value: v.value.num(),
            not_applicable: na,
            footprints: v.names.as_deref().filter(|_| !v.names_are_towns),
            towns: v.names.as_deref().filter(|_| v.names_are_towns),
            headline: v.headline,
        };
        map.serialize_entry(&v.key, &j)?;
    }
    map.end()
}

/// What a family writes: its metrics, optional detail for scores.json, and its per-footprint fields.
pub struct Output<'r> {
    family: &'static str,
    /// Metrics in display order (keys already prefixed with the family id).
    pub values: Vec<MetricValue>,
    /// Detail for scores.json (e.g. per-PCN shares), keyed by name.
    pub details: serde_json::Map<String, serde_json::Value>,
    /// Per-footprint rows (sorted by name); a family fills the fields it owns.
    pub rows: &'r mut [FootprintRow],
}

impl<'r> Output<'r> {
    /// An empty output for `family`.
    pub fn new(family: &'static str, rows: &'r mut [FootprintRow]) -> Output<'r> {
        Output { family, values: Vec::new(), details: serde_json::Map::new(), rows }
    }

    /// Add a metric; its key gets the family prefix.
    pub fn push(&mut self, mut v: MetricValue) {
        v.key = format!("{}.{}", self.family, v.key);
        self.values.push(v);
    }

    /// Add a detail for scores.json.
    pub fn detail(&mut self, name: &str, v: impl Serialize) {
        self.details.insert(name.into(), serde_json::to_value(v).unwrap_or(serde_json::Value::Null));
    }
}

/// A family of metrics: one file per family, listed once in [`super::registry`].
pub trait MetricFamily {
    /// Family id, the prefix of its metric keys ("balance", "access", …).
    fn id(&self) -> &'static str;
    /// Compute the family's metrics (and per-footprint fields) for the set in `ctx`.
    fn compute(&self, ctx: &ScoreCtx, out: &mut Output);
}
