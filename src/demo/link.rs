//! The demo's field mapping: a link from each Opportunity back to the store's admin page, and
//! every mapped field declared in the fake org, as an admin would have created it.

use fake_salesforce::FakeSalesforce;

use crate::config::{Settings, ValueKind};
use crate::salesforce::SfObject;

/// The Opportunity field holding the demo's link back to the store (README: Field mapping).
const LINK_FIELD: &str = "Store_Order_URL__c";
const LINK: &str = "https://store.example.com/admin/orders/{order.number}";

/// Maps the store-admin link unless the config maps Opportunity fields itself, and declares every
/// mapped field in the fake org, as an admin would have created it. Returns the link's field.
pub(super) fn demo_mapping(
    settings: &mut Settings,
    fake: &FakeSalesforce,
) -> anyhow::Result<Option<String>> {
    let mapping = &mut settings.salesforce.mapping;
    let mut link = None;
    if mapping.for_object(SfObject::Opportunity).next().is_none() {
        mapping.insert(SfObject::Opportunity, LINK_FIELD, LINK)?;
        link = Some(LINK_FIELD.to_string());
    }
    for m in mapping.all() {
        let (Some(object), Ok(template)) = (m.object, &m.template) else {
            continue;
        };
        if !fake.has_field(object.name(), &m.field) {
            let ftype = match template.single().map(|p| p.kind()) {
                Some(ValueKind::Whole | ValueKind::Money) => "double",
                Some(ValueKind::Date) => "date",
                Some(ValueKind::DateTime) => "datetime",
                _ => "textarea",
            };
            fake.add_field(object.name(), &m.field, ftype);
        }
    }
    Ok(link)
}

pub(super) fn print_link(settings: &Settings, fake: &FakeSalesforce, field: &str, order_id: i64) {
    let key = order_id.to_string();
    let opps = fake.find(
        "Opportunity",
        &settings.salesforce.fields.order_external_id,
        &key,
    );
    if let Some(opp) = opps.first() {
        let url = opp
            .fields
            .get(field)
            .and_then(|v| v.as_str())
            .unwrap_or("-");
        println!(
            "\nReps open the store's order from Salesforce: Opportunity {} {field} = {url}",
            opp.id
        );
    }
}
