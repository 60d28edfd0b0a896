//! Reading a graph's answer: the record ids into the slots the model names, or the first real
//! error, named by the object whose node failed.

use serde_json::Value;

use super::super::error::SfError;
use super::super::objects::by_reference;
use super::super::wire::{GraphResult, NodeResult, is_salesforce_id};
use crate::domain::SalesforceIds;

/// Reads one graph's result: the record ids, or the first real error (not PROCESSING_HALTED).
/// `activated_order` is the id of an activated Order the graph left out.
pub fn graph_outcome(
    result: GraphResult,
    activated_order: Option<&str>,
) -> Result<SalesforceIds, SfError> {
    let nodes = result.graph_response.composite_response;
    if !result.is_successful {
        return Err(first_real_error(&nodes));
    }
    let mut ids = SalesforceIds::default();
    for n in &nodes {
        // Every node is checked, line items included: one bad id means the answer is not to be trusted.
        let id = match n.body.get("id").and_then(Value::as_str) {
            Some(id) if is_salesforce_id(id) => id,
            other => {
                return Err(SfError::transient(
                    None,
                    format!(
                        "Salesforce reported success for {} but gave an id of the wrong shape ({other:?})",
                        n.reference_id
                    ),
                ));
            }
        };
        // Only a record's own node keeps its id (not the Order's activating update).
        let slot = by_reference(&n.reference_id)
            .filter(|m| m.reference.matches(&n.reference_id))
            .and_then(|m| m.id_slot);
        if let Some(slot) = slot {
            *slot.of(&mut ids) = Some(id.to_string());
        }
    }
    if ids.order.is_none() {
        ids.order = activated_order.map(str::to_string);
    }
    if ids.opportunity.is_none() {
        return Err(SfError::transient(
            None,
            "Salesforce's answer named no Opportunity id",
        ));
    }
    Ok(ids)
}

/// The object a node's reference id is on, for an error a rep reads.
fn object_of(reference: &str) -> &'static str {
    by_reference(reference).map_or("record", |m| m.name)
}

pub(in crate::salesforce) fn first_real_error(nodes: &[NodeResult]) -> SfError {
    for n in nodes {
        let Some(errors) = n.body.as_array() else {
            continue;
        };
        for e in errors {
            let code = e
                .get("errorCode")
                .or_else(|| e.get("statusCode"))
                .and_then(Value::as_str)
                .unwrap_or("UNKNOWN");
            if code == "PROCESSING_HALTED" {
                continue;
            }
            let message = e.get("message").and_then(Value::as_str).unwrap_or("");
            let mut err = SfError::from_code(code, message);
            err.message = format!(
                "Salesforce refused the {}: {}",
                object_of(&n.reference_id),
                err.message
            );
            return err;
        }
    }
    // Only PROCESSING_HALTED: the graph was stopped because others failed; it can go again.
    SfError::transient(
        Some("PROCESSING_HALTED"),
        "Salesforce halted this order's graph because other graphs failed",
    )
}
