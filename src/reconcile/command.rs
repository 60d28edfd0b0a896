//! The `reconcile` command: survey, report, and with `--fix` mend and send again.

use serde_json::json;

use super::{EXIT_AGREES, EXIT_DIFFERS, Findings, Mend, Scope, keep, mend, print, survey, to_json};
use crate::app::{Access, build_worker, open_store};
use crate::config::Settings;

/// Orders one claim of a fix takes: every graph of them goes out in a few requests at once.
const MEND_BATCH: u32 = 200;

/// Could not compare: the store or Salesforce failed.
pub const EXIT_UNCHECKED: i32 = 1;

pub async fn run(
    settings: Settings,
    scope: Scope,
    fix: bool,
    as_json: bool,
) -> anyhow::Result<i32> {
    let store = open_store(&settings, Access::Existing).await?;
    let worker = build_worker(&settings, store.clone()).await?;
    let findings = match survey(&store, &worker.salesforce, scope).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("reconcile could not check: {e}");
            return Ok(EXIT_UNCHECKED);
        }
    };
    // Kept for the console's Drift page, where reps can Fix what this run found.
    let run_by = format!("order-sync reconcile on {}", settings.worker_id());
    if let Err(e) = keep(&store, &findings, &run_by).await {
        eprintln!("reconcile: the findings could not be kept for the console: {e}");
    }
    if !fix || findings.drifts.is_empty() {
        if as_json {
            println!("{:#}", to_json(&findings));
        } else {
            print(&findings);
        }
        return Ok(exit_code(&findings));
    }
    if !as_json {
        print(&findings);
    }
    let actor = format!("{} (reconcile)", settings.worker_id());
    let mended = mend(&store, &findings, &actor).await?;
    for id in mended.queued.iter().chain(&mended.adopted) {
        if let Err(e) = store.note_drift_fix(*id, &actor).await {
            eprintln!("reconcile: order {id}'s fix could not be noted for the console: {e}");
        }
    }
    // A fix is a few orders: one loop with a large claim packs them into the fewest requests.
    let mut mender = worker.clone();
    mender.concurrency = 1;
    mender.batch_size = mender.batch_size.max(MEND_BATCH);
    let sent = mender
        .resend_until_idle(|_, _| {})
        .await
        .map_err(|f| anyhow::anyhow!(f.0))?;
    let human = findings
        .drifts
        .iter()
        .filter(|d| matches!(d.mend, Mend::Human(_)))
        .count();
    let left = store.resends_waiting().await?;
    if as_json {
        let mut out = to_json(&findings);
        out["fix"] = json!({
            "queued": mended.queued.len(), "adopted": mended.adopted.len(),
            "skipped": mended.skipped.len(), "sent": sent.sent.len(),
            "refused": sent.parked.len(), "waiting": left, "left_to_a_person": human,
        });
        println!("{out:#}");
    } else {
        println!(
            "--fix: {} sent again, {} with the ids Salesforce uses now, {} refused (parked with the reason), \
             {left} waiting for a retry, {} left to a person, {} busy (try again); \
             run `order-sync reconcile` again to confirm",
            sent.sent.len(),
            mended.adopted.len(),
            sent.parked.len(),
            human,
            mended.skipped.len()
        );
    }
    let all_mended = sent.parked.is_empty() && left == 0 && mended.skipped.is_empty();
    Ok(if all_mended && human == 0 {
        EXIT_AGREES
    } else {
        EXIT_DIFFERS
    })
}

fn exit_code(f: &Findings) -> i32 {
    if f.disagreeing() == 0 {
        EXIT_AGREES
    } else {
        EXIT_DIFFERS
    }
}
