//! The chaos summary's rows on the administrator's moves, whether Salesforce followed them,
//! and the line items.

use std::time::Duration;

use crate::admin::AdminDriver;
use crate::report::row;
use crate::verdict::Verdict;

/// The administrator's moves and whether Salesforce followed them.
pub fn lifecycle_rows(
    v: &Verdict,
    admin: &AdminDriver,
    catch_up: Option<Duration>,
) -> Vec<(String, String)> {
    vec![
        row(
            "admin moves made / orders moved / still planned",
            format!(
                "{} / {} / {}",
                v.count("lifecycle_changes_made"),
                v.count("lifecycle_orders_changed"),
                admin.planned()
            ),
        ),
        row(
            "canceled in Order Placed: never sent / sent, then canceled",
            format!(
                "{} / {} ({} canceled mid-send)",
                v.count("placed_cancels_never_sent"),
                v.count("placed_cancels_sent_and_canceled"),
                admin.canceled_mid_send
            ),
        ),
        row(
            "sent orders compared / admin changes verified",
            format!(
                "{} / {}",
                v.count("lifecycle_orders_compared"),
                v.count("lifecycle_changes_verified")
            ),
        ),
        row(
            "Salesforce disagrees with the store",
            v.count("lifecycle_disagreements"),
        ),
        row(
            "lifecycle caught up after drain",
            catch_up.map_or_else(|| "NO".into(), |d| format!("{:.1}s", d.as_secs_f64())),
        ),
    ]
}

/// Line items per store line, and reissue prices.
pub fn line_rows(v: &Verdict) -> Vec<(String, String)> {
    vec![
        row(
            "line items checked / reissue prices checked",
            format!(
                "{} / {}",
                v.count("line_items_checked"),
                v.count("reissue_prices_checked")
            ),
        ),
        row("duplicates (records and line items)", v.count("duplicates")),
        row(
            "line items missing / mismatched / miscounted",
            format!(
                "{} / {} / {}",
                v.count("missing_line_items"),
                v.count("line_item_mismatch"),
                v.count("line_item_count")
            ),
        ),
        row(
            "reissue price mismatches",
            v.count("reissue_price_mismatch"),
        ),
    ]
}
