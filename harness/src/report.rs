//! Plain aligned tables for the summaries.

/// Prints `rows` as a two-column table under `title`.
pub fn table(title: &str, rows: &[(String, String)]) {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let rule = "-".repeat(width + 30);
    println!("{rule}\n{title}\n{rule}");
    for (k, v) in rows {
        println!("{k:<width$}  {v}");
    }
    println!("{rule}");
}

/// A row of the table from anything printable.
pub fn row(key: &str, value: impl std::fmt::Display) -> (String, String) {
    (key.to_string(), value.to_string())
}

/// The p-th percentile (0..=100) of `values` (sorted here), nearest-rank.
pub fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}
