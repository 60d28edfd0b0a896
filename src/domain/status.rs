//! The eight store statuses as one enum: what moves an order in, and what moves it out.

use std::fmt;

/// An order's status in the ATS Online Store. The labels are the store's exact text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// In: the store, when the card authorization succeeded or a purchase order was submitted;
    /// the repair loop, when it reissues a priced order. Out: the push loop, once the order is in
    /// Salesforce, to its route; a rep, by hand, if the integration fails for good.
    OrderPlaced,
    /// In: the push loop, for a card order that is not an evaluation. Out: the store (Completed).
    InProcess,
    /// In: the push loop, for an order with an evaluation (EVAL) line. Out: the repair loop, to
    /// Awaiting Customer Approval once the Salesforce job says "evaluation complete".
    AwaitingEvaluation,
    /// In: the push loop, for a purchase-order order. Out: the store, once payment arrives.
    AwaitingPayment,
    /// In: the repair loop, when the evaluation is complete and priced. Out: the repair loop,
    /// to Canceled, when the customer accepts the quote and the priced order is reissued.
    AwaitingCustomerApproval,
    /// In: the repair loop (price changed, reissued) or an admin. Out: none (terminal).
    Canceled,
    /// In: the store, when the order is fulfilled. Out: none (terminal).
    Completed,
    /// In: the store, when payment failed. Out: none for order-sync: never sent to Salesforce.
    Incomplete,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::OrderPlaced,
        OrderStatus::InProcess,
        OrderStatus::AwaitingEvaluation,
        OrderStatus::AwaitingPayment,
        OrderStatus::AwaitingCustomerApproval,
        OrderStatus::Canceled,
        OrderStatus::Completed,
        OrderStatus::Incomplete,
    ];

    /// The store's exact label.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::OrderPlaced => "Order Placed",
            OrderStatus::InProcess => "In Process",
            OrderStatus::AwaitingEvaluation => "Awaiting Evaluation",
            OrderStatus::AwaitingPayment => "Awaiting Payment",
            OrderStatus::AwaitingCustomerApproval => "Awaiting Customer Approval",
            OrderStatus::Canceled => "Canceled",
            OrderStatus::Completed => "Completed",
            OrderStatus::Incomplete => "Incomplete",
        }
    }

    /// Parses the exact label; anything else (a typo, other case) is refused.
    ///
    /// ```
    /// use order_sync::domain::OrderStatus;
    /// assert_eq!(OrderStatus::parse("Awaiting Payment"), Ok(OrderStatus::AwaitingPayment));
    /// assert!(OrderStatus::parse("awaiting payment").is_err());
    /// ```
    pub fn parse(label: &str) -> Result<OrderStatus, UnknownStatus> {
        OrderStatus::ALL
            .into_iter()
            .find(|s| s.label() == label)
            .ok_or_else(|| UnknownStatus(label.to_string()))
    }

    /// Whether order-sync may move an order from `self` to `to`.
    pub fn can_move_to(self, to: OrderStatus) -> bool {
        use OrderStatus::*;
        match self {
            OrderPlaced => matches!(to, InProcess | AwaitingEvaluation | AwaitingPayment),
            AwaitingEvaluation => to == AwaitingCustomerApproval,
            AwaitingCustomerApproval => to == Canceled,
            InProcess | AwaitingPayment | Canceled | Completed | Incomplete => false,
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown order status {0:?}")]
pub struct UnknownStatus(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_round_trips_and_a_typo_is_refused() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.label()), Ok(s));
        }
        assert!(OrderStatus::parse("Order placed").is_err());
        assert!(OrderStatus::parse("In Proces").is_err());
    }

    #[test]
    fn incomplete_orders_can_never_be_moved_by_order_sync() {
        for to in OrderStatus::ALL {
            assert!(!OrderStatus::Incomplete.can_move_to(to));
        }
        assert!(OrderStatus::OrderPlaced.can_move_to(OrderStatus::InProcess));
        assert!(!OrderStatus::OrderPlaced.can_move_to(OrderStatus::Canceled));
    }
}
