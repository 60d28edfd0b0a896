//! `order-sync check`: a complete org passes; each gap is one ✗ with a hint, and nothing crashes.

use order_sync::check::{CheckItem, checklist};

use crate::helpers::{Backend, TestApp, on_every_backend};

fn failures(items: &[CheckItem]) -> Vec<&CheckItem> {
    items.iter().filter(|i| !i.ok).collect()
}

/// A store with two products in the price book, in a freshly set-up org.
async fn complete_org(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn(backend).await?;
    app.product("WIDGET-1", "standard", true).await;
    app.product("EVAL", "evaluation", true).await;
    Some(app)
}

async fn a_complete_org_passes_every_check(backend: Backend) {
    let Some(app) = complete_org(backend).await else {
        return;
    };

    let items = checklist(&app.settings).await;

    assert_eq!(failures(&items), Vec::<&CheckItem>::new());
    assert!(
        items
            .iter()
            .any(|i| i.label.contains("Order.Store_Order_Id__c")),
        "{items:#?}"
    );
    assert!(
        items.iter().any(|i| i.label.contains("all 2 store skus")),
        "{items:#?}"
    );
    assert!(
        items
            .iter()
            .any(|i| i.label.contains("Evaluation_Status__c")),
        "{items:#?}"
    );
}
on_every_backend!(a_complete_org_passes_every_check);

#[tokio::test]
async fn check_reports_a_missing_external_id_field_with_a_hint() {
    let Some(app) = complete_org(Backend::Sqlite).await else {
        return;
    };
    app.fake.remove_field("Order", "Store_Order_Id__c");

    let items = checklist(&app.settings).await;

    let failed = failures(&items);
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0].label.contains("Order.Store_Order_Id__c"),
        "{}",
        failed[0].label
    );
    let hint = failed[0].hint.as_deref().expect("a hint");
    assert!(
        hint.contains("External ID") && hint.contains("Unique"),
        "{hint}"
    );
}

async fn check_names_the_skus_missing_from_the_price_book(backend: Backend) {
    let Some(app) = complete_org(backend).await else {
        return;
    };
    app.product("GADGET-9", "standard", false).await;

    let items = checklist(&app.settings).await;

    let failed = failures(&items);
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0].label.contains("1 of 3 store skus"),
        "{}",
        failed[0].label
    );
    assert!(failed[0].label.contains("GADGET-9"), "{}", failed[0].label);
    assert!(!failed[0].label.contains("WIDGET-1"), "{}", failed[0].label);
    assert!(
        failed[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("PricebookEntry")
    );
}
on_every_backend!(check_names_the_skus_missing_from_the_price_book);

#[tokio::test]
async fn more_than_ten_missing_skus_are_summed_up() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    for n in 0..12 {
        app.product(&format!("SKU-{n:02}"), "standard", false).await;
    }

    let items = checklist(&app.settings).await;

    let skus = items
        .iter()
        .find(|i| i.label.contains("store skus"))
        .expect("a sku item");
    assert!(!skus.ok);
    assert!(
        skus.label.contains("SKU-09") && skus.label.ends_with("and 2 more"),
        "{}",
        skus.label
    );
}

#[tokio::test]
async fn check_fails_on_bad_credentials_without_crashing() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    app.fake.with_client_credentials("test-client", "other");

    let items = checklist(&app.settings).await;

    let failed = failures(&items);
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(failed[0].label.contains("token"), "{}", failed[0].label);
    assert!(
        failed[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("connected app")
    );
    assert_eq!(
        items.last(),
        Some(failed[0]),
        "no Salesforce check runs after a refused login"
    );
}

#[tokio::test]
async fn check_on_a_store_without_order_syncs_tables_says_to_migrate() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = app.settings.clone();
    settings.database.url = format!("sqlite://{}", dir.path().join("shop.db").display());
    let shop = order_sync::app::connect_store(&settings, order_sync::app::Access::Migrate)
        .await
        .expect("connect");
    shop.create_store_tables()
        .await
        .expect("the store's tables");
    shop.close().await;

    let items = checklist(&settings).await;

    let own = items
        .iter()
        .find(|i| i.label.contains("order_sync_*"))
        .expect("an item on order-sync's tables");
    assert!(!own.ok, "{own:#?}");
    assert!(
        own.hint
            .as_deref()
            .unwrap_or("")
            .contains("order-sync migrate")
    );
    let orders = items
        .iter()
        .find(|i| i.label.starts_with("table orders"))
        .expect("the orders table");
    assert!(orders.ok, "the store's own tables pass: {orders:#?}");
}

#[tokio::test]
async fn check_never_creates_a_database_file() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("typo.db");
    let mut settings = app.settings.clone();
    settings.database.url = format!("sqlite://{}", path.display());

    let items = checklist(&settings).await;

    let store = items
        .iter()
        .find(|i| i.label.starts_with("store"))
        .expect("a store item");
    assert!(
        !store.ok && store.label.contains("does not exist"),
        "{store:#?}"
    );
    assert!(!path.exists(), "check created {}", path.display());
}

#[tokio::test]
async fn check_reads_the_stores_own_schema_through_the_mapping() {
    use crate::store_adapter::shops;
    let Some(app) = TestApp::spawn_on(Backend::Sqlite, shops::RENAMED_SHOP, |store| async move {
        store
            .db()
            .execute_script(&shops::renamed_shop_tables(Backend::Sqlite))
            .await?;
        Ok(())
    })
    .await
    else {
        return;
    };
    let customer = app.customer("Typo").await;
    app.order(customer).status("Placed").place().await;
    // The store's own statuses beyond the eight: information, never a failure.
    app.order(customer).status("on_hold").place().await;
    app.order(customer).status("on_hold").place().await;

    let good = checklist(&app.settings).await;
    let mut wrong = app.settings.clone();
    wrong.store.orders.placed_at = "created_at".into();
    wrong.store.order_lines.order_id = "warehouse".into();
    let bad = checklist(&wrong).await;

    let store_items = |items: &[CheckItem]| -> Vec<(bool, String)> {
        items
            .iter()
            .filter(|i| i.label.contains("store.") || i.label.contains("status"))
            .map(|i| (i.ok, i.label.clone()))
            .collect()
    };
    let good_items = store_items(&good);
    assert!(
        good_items.len() > 30,
        "one line per table and column: {good_items:#?}"
    );
    let failed: Vec<_> = good_items.iter().filter(|(ok, _)| !ok).collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0]
            .1
            .contains("1 orders hold status \"Placed\", which looks like \"placed\""),
        "the typo is named with the code it looks like: {failed:#?}"
    );
    let info: Vec<_> = good.iter().filter(|i| i.info).collect();
    assert!(
        info.len() == 1 && info[0].ok && info[0].label.contains("\"on_hold\" (2)"),
        "the store's own status is information with its count: {info:#?}"
    );
    assert!(
        good_items.contains(&(
            true,
            "store.orders.placed_at → shop_order.created (TIMESTAMP)".into()
        )),
        "{good_items:#?}"
    );
    let bad_items = store_items(&bad);
    assert!(
        bad_items.contains(&(
            false,
            "store.orders.placed_at → shop_order.created_at: no such column".into()
        )),
        "{bad_items:#?}"
    );
    assert!(
        bad_items.iter().any(|(ok, l)| !ok
            && l.starts_with("store.order_lines.order_id → shop_order_line.warehouse")),
        "{bad_items:#?}"
    );
}

#[tokio::test]
async fn a_first_check_with_the_defaults_lists_every_setting_still_to_fill_in() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let mut settings = app.settings.clone();
    settings.salesforce.auth = order_sync::config::AuthFlow::Jwt;
    settings.salesforce.client_id = String::new();
    settings.salesforce.username = String::new();
    settings.salesforce.private_key_path = String::new();

    let items = checklist(&settings).await;

    let failed: Vec<&str> = items
        .iter()
        .filter(|i| !i.ok)
        .map(|i| i.label.as_str())
        .collect();
    for key in [
        "salesforce.client_id",
        "salesforce.username",
        "salesforce.private_key_path",
    ] {
        assert!(
            failed
                .iter()
                .any(|l| l.starts_with(key) && l.contains("e.g.")),
            "{key} in {failed:#?}"
        );
    }
    assert!(
        !items.iter().any(|i| i.label.contains("token")),
        "no login is tried with settings missing"
    );
}
