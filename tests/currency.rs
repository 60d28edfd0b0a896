//! Currencies: a multi-currency org books each order in its own currency with entries in it;
//! an order in a currency the org or its price book lacks is parked with a reason naming it.

use crate::helpers::{Backend, TestApp, on_every_backend};

async fn reason_of(app: &TestApp, id: i64) -> String {
    let detail = app.store.order_detail(id).await.unwrap().unwrap();
    assert_eq!(detail.sync_state.as_deref(), Some("parked"));
    detail.last_error.unwrap_or_default()
}

async fn an_eur_order_in_a_multi_currency_org_books_eur_entries_and_currency(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.fake.enable_multi_currency(&["USD", "EUR"]);
    let widget = app.product("WIDGET-1", "standard", true).await;
    let eur_entry = app
        .fake
        .add_product_in("WIDGET-1", "WIDGET-1", "9.00", "EUR");
    let customer = app.customer("Curie").await;
    let eur = app
        .order(customer)
        .edit(|o| o.currency = Some("EUR".into()))
        .line(widget, 2, "8.50")
        .place()
        .await;
    let usd = app.order(customer).line(widget, 1, "10.00").place().await;

    let report = app.worker().run_until_idle().await.expect("pass");

    assert_eq!(report.sent.len(), 2, "{report:?}");
    assert_eq!(app.status_of(eur).await, "In Process");
    for object in ["Opportunity", "Quote", "Order"] {
        let found = app.fake.find(object, "Store_Order_Id__c", &eur.to_string());
        assert_eq!(found[0].fields["CurrencyIsoCode"], "EUR", "{object}");
        let found = app.fake.find(object, "Store_Order_Id__c", &usd.to_string());
        assert_eq!(found[0].fields["CurrencyIsoCode"], "USD", "{object}");
    }
    let order = app
        .fake
        .find("Order", "Store_Order_Id__c", &eur.to_string());
    let items = app.fake.find("OrderItem", "OrderId", &order[0].id);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].fields["PricebookEntryId"], eur_entry.as_str());
    assert_eq!(order[0].fields["Status"], "Activated");
    let quote = app
        .fake
        .find("Quote", "Store_Order_Id__c", &eur.to_string());
    let lines = app.fake.find("QuoteLineItem", "QuoteId", &quote[0].id);
    assert_eq!(lines[0].fields["PricebookEntryId"], eur_entry.as_str());
}
on_every_backend!(an_eur_order_in_a_multi_currency_org_books_eur_entries_and_currency);

async fn an_order_in_a_currency_without_entries_is_parked_naming_the_currency(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.fake.enable_multi_currency(&["USD", "EUR", "GBP"]);
    let widget = app.product("WIDGET-1", "standard", true).await;
    app.fake
        .add_product_in("WIDGET-1", "WIDGET-1", "9.00", "EUR");
    let customer = app.customer("Meitner").await;
    let gbp = app
        .order(customer)
        .edit(|o| o.currency = Some("GBP".into()))
        .line(widget, 1, "7.00")
        .place()
        .await;

    let report = app.worker().run_until_idle().await.expect("pass");

    assert_eq!(report.parked.len(), 1);
    assert_eq!(app.status_of(gbp).await, "Order Placed");
    let reason = reason_of(&app, gbp).await;
    let pricebook = app.fake.standard_pricebook_id();
    for part in ["WIDGET-1", "GBP", pricebook.as_str()] {
        assert!(reason.contains(part), "{part} in {reason}");
    }
    assert_eq!(app.fake.count("Opportunity"), 0);
}
on_every_backend!(an_order_in_a_currency_without_entries_is_parked_naming_the_currency);

async fn a_single_currency_org_parks_an_order_in_another_currency(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Franklin").await;
    let eur = app
        .order(customer)
        .edit(|o| o.currency = Some("EUR".into()))
        .line(widget, 1, "7.00")
        .place()
        .await;
    let usd = app.order(customer).line(widget, 1, "7.00").place().await;

    let report = app.worker().run_until_idle().await.expect("pass");

    assert_eq!(report.parked, vec![order_sync::domain::OrderId(eur)]);
    assert_eq!(app.status_of(usd).await, "In Process");
    let reason = reason_of(&app, eur).await;
    assert!(reason.contains("EUR") && reason.contains("USD"), "{reason}");
    assert!(reason.contains("single currency"), "{reason}");
    assert_eq!(
        app.fake
            .find("Opportunity", "Store_Order_Id__c", &eur.to_string())
            .len(),
        0
    );
    let opp = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &usd.to_string());
    assert!(opp[0].fields.get("CurrencyIsoCode").is_none());
}
on_every_backend!(a_single_currency_org_parks_an_order_in_another_currency);

async fn forcing_multi_currency_on_a_single_currency_org_stops_with_the_reason(backend: Backend) {
    let env = [("ORDER_SYNC__SALESFORCE__MULTI_CURRENCY", "true")];
    let Some(app) = TestApp::spawn_with(backend, &env).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Lamarr").await;
    let id = app.order(customer).line(widget, 1, "7.00").place().await;

    let pass = app.worker().run_pass().await;
    let items = order_sync::check::checklist(&app.settings).await;

    let fatal = pass.expect_err("a misconfigured org stops the worker").0;
    assert!(fatal.contains("salesforce.multi_currency"), "{fatal}");
    let detail = app.store.order_detail(id).await.unwrap().unwrap();
    assert_ne!(
        detail.sync_state.as_deref(),
        Some("parked"),
        "the order is not parked"
    );
    assert_eq!(app.status_of(id).await, "Order Placed");
    let failed: Vec<_> = items.iter().filter(|i| !i.ok).collect();
    assert!(
        failed
            .iter()
            .any(|i| i.label.contains("currencies could not be read")),
        "{failed:#?}"
    );
}
on_every_backend!(forcing_multi_currency_on_a_single_currency_org_stops_with_the_reason);
