//! Later store status changes in Salesforce: the transition table (store status → Opportunity
//! stage and Order status), and one small all-or-nothing graph per order that PATCHes only
//! those fields by record id — the same change sent twice is one change in Salesforce.

use serde_json::json;

use super::error::SfError;
use super::objects::SfObject;
use super::wire::{Graph, GraphResult, Node};
use crate::config::SalesforceSettings;
use crate::domain::{OrderId, OrderStatus, Route};

/// What Salesforce shows for one store status; None leaves that field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shown {
    pub stage: Option<String>,
    pub order_status: Option<String>,
}

type Pick = fn(&SalesforceSettings) -> &str;

fn none(_: &SalesforceSettings) -> &str {
    ""
}

/// The transition table: for each store status a sent order can be moved to, the settings that
/// say what Salesforce shows. A status not listed (Order Placed, Incomplete) changes nothing.
/// Adding a transition is one row here plus its default in `config/default.toml`.
const TRANSITIONS: &[(OrderStatus, Pick, Pick)] = &[
    (
        OrderStatus::InProcess,
        |s| &s.stages.in_process,
        |s| &s.order_statuses.in_process,
    ),
    (
        OrderStatus::AwaitingPayment,
        |s| &s.stages.awaiting_payment,
        |s| &s.order_statuses.awaiting_payment,
    ),
    (
        OrderStatus::AwaitingEvaluation,
        |s| &s.stages.awaiting_evaluation,
        none,
    ),
    (
        OrderStatus::AwaitingCustomerApproval,
        |s| &s.stages.awaiting_customer_approval,
        |s| &s.order_statuses.awaiting_customer_approval,
    ),
    (
        OrderStatus::Canceled,
        |s| &s.stages.canceled,
        |s| &s.order_statuses.canceled,
    ),
    (
        OrderStatus::Completed,
        |s| &s.stages.completed,
        |s| &s.order_statuses.completed,
    ),
];

/// The stage an order's first send gives its Opportunity, by route.
pub fn route_stage(settings: &SalesforceSettings, route: Route) -> String {
    let s = &settings.stages;
    match route {
        Route::InProcess => &s.in_process,
        Route::AwaitingPayment => &s.awaiting_payment,
        Route::AwaitingEvaluation => &s.awaiting_evaluation,
    }
    .clone()
}

/// What Salesforce should show for `status`, per the settings.
pub fn shown_for(settings: &SalesforceSettings, status: OrderStatus) -> Shown {
    let set = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
    TRANSITIONS
        .iter()
        .find(|(s, _, _)| *s == status)
        .map(|(_, stage, order)| Shown {
            stage: set(stage(settings)),
            order_status: set(order(settings)),
        })
        .unwrap_or_default()
}

/// Every (setting, value) pair the transitions write, for `check`: (stage values, Order statuses).
pub fn transition_values(settings: &SalesforceSettings) -> (Vec<String>, Vec<String>) {
    let mut stages = Vec::new();
    let mut orders = Vec::new();
    for (status, _, _) in TRANSITIONS {
        let shown = shown_for(settings, *status);
        stages.extend(shown.stage);
        orders.extend(shown.order_status);
    }
    (stages, orders)
}

/// One sent order's records and the store status Salesforce is to show.
#[derive(Debug, Clone)]
pub struct StatusUpdate {
    pub order_id: OrderId,
    pub opportunity: String,
    pub order: Option<String>,
    pub shown: Shown,
}

impl StatusUpdate {
    /// Whether there is anything to write (a status with nothing configured writes nothing).
    pub fn writes_anything(&self) -> bool {
        self.shown.stage.is_some() || (self.order.is_some() && self.shown.order_status.is_some())
    }
}

/// An update of `object` `id` by its Salesforce id, under the object's reference id (the model's).
fn patch(api_version: &str, object: SfObject, id: &str, body: serde_json::Value) -> Node {
    let m = object.model();
    Node {
        method: "PATCH",
        url: format!("/services/data/{api_version}/sobjects/{}/{id}", m.name),
        reference_id: m.reference.id(None),
        body,
    }
}

/// The graph for one update: the Opportunity's stage, then (Status alone, as activation needs)
/// the Order's status.
pub fn status_graph(api_version: &str, u: &StatusUpdate) -> Graph {
    let mut nodes = Vec::new();
    if let Some(stage) = &u.shown.stage {
        let body = json!({ "StageName": stage });
        nodes.push(patch(
            api_version,
            SfObject::Opportunity,
            &u.opportunity,
            body,
        ));
    }
    if let (Some(order), Some(status)) = (&u.order, &u.shown.order_status) {
        let body = json!({ "Status": status });
        nodes.push(patch(api_version, SfObject::Order, order, body));
    }
    Graph {
        graph_id: format!("c{}", u.order_id),
        composite_request: nodes,
    }
}

/// A status graph's result: done, or the first real error.
pub fn status_outcome(result: GraphResult) -> Result<(), SfError> {
    if result.is_successful {
        Ok(())
    } else {
        Err(super::graph::first_real_error(
            &result.graph_response.composite_response,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_close_the_opportunity_and_leave_the_order() {
        let settings = crate::config::Settings::load_with_env(None, Some(Default::default()))
            .unwrap()
            .salesforce;
        let canceled = shown_for(&settings, OrderStatus::Canceled);
        assert_eq!(canceled.stage.as_deref(), Some("Closed Lost"));
        assert_eq!(canceled.order_status, None);
        assert_eq!(
            shown_for(&settings, OrderStatus::Completed)
                .stage
                .as_deref(),
            Some("Closed Won")
        );
        assert_eq!(
            shown_for(&settings, OrderStatus::Incomplete),
            Shown::default()
        );
        assert_eq!(
            shown_for(&settings, OrderStatus::AwaitingCustomerApproval),
            Shown::default()
        );
    }
}
