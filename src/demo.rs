//! Synthetic demo region generator.
/// placeholder
pub fn x() {}
