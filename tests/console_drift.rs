//! The console's Drift page: what the last reconcile found, Fix where order-sync can mend it (by
//! the same token rules as Retry), what a person must do where it cannot.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::console::{PASSWORD, REP, cheap_hash, serve_console};
use crate::helpers::{Backend, TestApp, on_every_backend};
use crate::reconcile::{sent_orders, the_record};
use order_sync::reconcile::{Scope, keep, survey};

const KEY: &str = "Store_Order_Id__c";

/// Two sent orders Salesforce disagrees about: `edited`'s Amount was changed there (order-sync can
/// fix it), `copied`'s Opportunity was copied (a person must merge it). Returns (app, edited, copied).
async fn drifted(backend: Backend) -> Option<(TestApp, i64, i64)> {
    let (mut app, _, ids) = sent_orders(backend, 2).await?;
    app.settings.console.reps = REP.into();
    let (edited, copied) = (ids[0], ids[1]);
    let opp = the_record(&app, "Opportunity", edited).id;
    app.fake
        .update_fields("Opportunity", &opp, json!({"Amount": 1.0}));
    let original = the_record(&app, "Opportunity", copied);
    let mut copy = json!({ KEY: copied.to_string() });
    for field in ["Name", "StageName", "CloseDate", "Amount", "AccountId"] {
        copy[field] = original.get(field).cloned().unwrap_or_default();
    }
    app.fake.insert_duplicate("Opportunity", copy);
    Some((app, edited, copied))
}

/// The findings kept as a reconcile keeps them.
async fn reconcile_and_keep(app: &TestApp) {
    let found = survey(&app.store, &app.salesforce, Scope::All)
        .await
        .unwrap();
    keep(&app.store, &found, "test").await.expect("kept");
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(base: &str, path: &str, accept: &str) -> reqwest::Response {
    client()
        .get(format!("{base}{path}"))
        .basic_auth(REP, Some(PASSWORD))
        .header("Accept", accept)
        .send()
        .await
        .unwrap()
}

/// The anti-forgery token the Drift page sets in its cookie and carries in its Fix forms.
async fn drift_page_token(base: &str) -> String {
    let page = get(base, "/drift", "text/html").await;
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
    let token = cookie
        .strip_prefix("order_sync_csrf=")
        .and_then(|c| c.split(';').next())
        .expect("the anti-forgery cookie")
        .to_string();
    assert!(
        page.text().await.unwrap().contains(&token),
        "the forms carry it"
    );
    token
}

/// The Fix form for `order` as `user`'s browser sends it from the console's own page.
async fn fix_form(
    base: &str,
    order: i64,
    user: &str,
    cookie: &str,
    csrf: &str,
) -> reqwest::Response {
    client()
        .post(format!("{base}/orders/id:{order}/fix"))
        .basic_auth(user, Some(PASSWORD))
        .header("Cookie", format!("order_sync_csrf={cookie}"))
        .header("Origin", base)
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap()
}

async fn sync_state(app: &TestApp, id: i64) -> Option<String> {
    app.store
        .order_detail(id)
        .await
        .unwrap()
        .unwrap()
        .sync_state
}

async fn number_of(app: &TestApp, id: i64) -> String {
    app.store
        .order_detail(id)
        .await
        .unwrap()
        .unwrap()
        .order_number
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drift_page_lists_what_a_reconcile_run_by_hand_found_with_fix_only_where_order_sync_can()
 {
    let (app, edited, copied) = drifted(Backend::Sqlite).await.expect("sqlite");
    let by_hand = app.run_cli(&["reconcile"], &[]).await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;

    let html = get(&base, "/drift", "text/html")
        .await
        .text()
        .await
        .unwrap();
    let page: Value = get(&base, "/drift", "application/json")
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(by_hand.code, Some(3), "{}", by_hand.output);
    let (edited_no, copied_no) = (number_of(&app, edited).await, number_of(&app, copied).await);
    assert!(
        html.contains(r#"<a href="/drift" class="on">Drift</a>"#),
        "in the navigation"
    );
    assert!(html.contains(&format!(r#"href="/orders/{edited_no}""#)));
    assert!(html.contains("the Opportunity Amount is 1.00 in Salesforce, 44.98 in the store"));
    assert!(html.contains(&format!(r#"action="/orders/id:{edited}/fix""#)));
    assert!(html.contains(&format!(r#"href="/orders/{copied_no}""#)));
    assert!(html.contains("merge or delete the extra ones in Salesforce"));
    assert!(
        !html.contains(&format!(r#"action="/orders/id:{copied}/fix""#)),
        "no Fix for a person's task"
    );
    let last = &page["last"];
    assert_eq!(last["checked"], 2);
    assert_eq!(last["disagreeing"], 2);
    assert!(
        last["run_by"]
            .as_str()
            .unwrap()
            .starts_with("order-sync reconcile on ")
    );
    let count = |kind: &str| {
        page["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == kind)
            .unwrap()["orders"]
            .clone()
    };
    assert_eq!(
        (count("amount"), count("duplicate"), count("missing")),
        (json!(1), json!(1), json!(0))
    );
    let orders = page["orders"].as_array().unwrap();
    let of = |id: i64| orders.iter().find(|o| o["order_id"] == id).unwrap();
    assert_eq!(of(edited)["fix"], "Fix sends the order again as it is now");
    assert_eq!(of(copied)["fix"], Value::Null);
    assert_eq!(of(copied)["findings"][0]["kind"], "duplicate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_without_the_pages_token_or_with_a_forged_or_borrowed_one_is_refused_and_nothing_is_queued()
 {
    let (app, edited, copied) = drifted(Backend::Sqlite).await.expect("sqlite");
    reconcile_and_keep(&app).await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;
    let token = drift_page_token(&base).await;

    let none = fix_form(&base, edited, REP, &token, "").await;
    let forged = fix_form(&base, edited, REP, &"ab".repeat(32), &"ab".repeat(32)).await;
    let borrowed = fix_form(&base, edited, "mallory", &token, &token).await;
    let untouched = sync_state(&app, edited).await;
    let for_a_person = fix_form(&base, copied, REP, &token, &token).await;

    assert_eq!(none.status(), StatusCode::FORBIDDEN);
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(borrowed.status(), StatusCode::FORBIDDEN);
    assert_eq!(untouched.as_deref(), Some("done"), "not queued");
    assert_eq!(for_a_person.status(), StatusCode::CONFLICT);
    assert!(
        for_a_person
            .text()
            .await
            .unwrap()
            .contains("nothing order-sync can fix")
    );
    assert_eq!(sync_state(&app, copied).await.as_deref(), Some("done"));
}

async fn fix_with_the_pages_token_queues_the_order_names_the_rep_and_the_next_reconcile_agrees(
    backend: Backend,
) {
    let Some((app, edited, copied)) = drifted(backend).await else {
        return;
    };
    reconcile_and_keep(&app).await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;
    let token = drift_page_token(&base).await;
    let number = number_of(&app, edited).await;

    let fixed = fix_form(&base, edited, REP, &token, &token).await;
    let queued = sync_state(&app, edited).await;
    let story: Value = get(&base, &format!("/orders/{number}"), "application/json")
        .await
        .json()
        .await
        .unwrap();
    let after = get(
        &base,
        fixed.headers()["location"].to_str().unwrap(),
        "text/html",
    )
    .await;
    let after = after.text().await.unwrap();
    app.worker()
        .resend_until_idle(|_, _| {})
        .await
        .expect("the re-send loop's drain");
    let again = survey(&app.store, &app.salesforce, Scope::All)
        .await
        .unwrap();

    assert_eq!(fixed.status(), StatusCode::SEE_OTHER);
    assert_eq!(queued.as_deref(), Some("resend"));
    let logged = story["attempts_log"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["worker"] == "fix by ana (console)" && a["outcome"] == "resend_queued");
    assert!(logged, "{story}");
    assert!(
        after.contains(&format!("Order {number} is queued")),
        "{after}"
    );
    assert!(after.contains("Queued: fix by ana (console)"), "{after}");
    assert!(
        !after.contains(&format!(r#"action="/orders/id:{edited}/fix""#)),
        "no second Fix"
    );
    let left: Vec<i64> = again.drifts.iter().map(|d| d.order_id.0).collect();
    assert_eq!(left, [copied], "{:?}", again.drifts);
}
on_every_backend!(
    fix_with_the_pages_token_queues_the_order_names_the_rep_and_the_next_reconcile_agrees
);
