//! `order-sync demo`: a throwaway SQLite store, an in-process fake Salesforce, one pass, a table.

use chrono::Utc;
use fake_salesforce::FakeSalesforce;
use secrecy::SecretString;

use crate::app::worker_with;
use crate::config::{AuthFlow, Settings};
use crate::salesforce::Salesforce;

mod link;
use crate::store::{NewCustomer, NewLine, NewOrder, NewProduct, Store};
use link::{demo_mapping, print_link};

struct DemoOrder {
    number: &'static str,
    customer: usize,
    status: &'static str,
    payment: &'static str,
    lines: &'static [(&'static str, i64, &'static str)],
}

const PRODUCTS: &[(&str, &str, &str, bool)] = &[
    ("WIDGET-1", "Torque widget", "standard", true),
    ("GADGET-2", "Calibration gadget", "standard", true),
    ("EVAL", "Repair evaluation", "evaluation", true),
    ("OLD-9", "Discontinued gauge", "standard", false),
];

const ORDERS: &[DemoOrder] = &[
    DemoOrder {
        number: "ATS-1001",
        customer: 0,
        status: "Order Placed",
        payment: "credit_card",
        lines: &[("WIDGET-1", 2, "19.99"), ("GADGET-2", 1, "249.00")],
    },
    DemoOrder {
        number: "ATS-1002",
        customer: 1,
        status: "Order Placed",
        payment: "purchase_order",
        lines: &[("GADGET-2", 3, "249.00")],
    },
    DemoOrder {
        number: "ATS-1003",
        customer: 2,
        status: "Order Placed",
        payment: "credit_card",
        lines: &[("EVAL", 1, "0.00")],
    },
    DemoOrder {
        number: "ATS-1004",
        customer: 0,
        status: "Incomplete",
        payment: "credit_card",
        lines: &[("WIDGET-1", 1, "19.99")],
    },
    DemoOrder {
        number: "ATS-1005",
        customer: 1,
        status: "Order Placed",
        payment: "credit_card",
        lines: &[("OLD-9", 1, "75.00")],
    },
];

pub async fn run(mut settings: Settings) -> anyhow::Result<i32> {
    let fake = FakeSalesforce::start().await;
    let db = std::env::temp_dir().join(format!("order-sync-demo-{}.db", std::process::id()));
    settings.database.url = format!("sqlite://{}", db.display());
    settings.salesforce.login_url = fake.url();
    settings.salesforce.auth = AuthFlow::ClientCredentials;
    settings.salesforce.client_id = "test-client".into();
    settings.salesforce.client_secret = SecretString::from("test-secret");
    // One pass and a table: no daemon, so no scheduled reconcile (said, in case that changes).
    settings.reconcile.enabled = false;
    // The demo plays the store too: it creates the store's tables, as no real install would.
    let store = crate::app::connect_store(&settings, crate::app::Access::Migrate).await?;
    store.create_store_tables().await?;
    store.migrate().await?;
    let numbers = seed(&store, &fake).await?;
    let link = demo_mapping(&mut settings, &fake)?;
    println!(
        "order-sync demo: store {} · fake Salesforce at {}\n",
        db.display(),
        fake.url()
    );

    let salesforce = Salesforce::new(&settings.salesforce, settings.sync.max_graphs_per_request)?;
    salesforce.connect().await?;
    let worker = worker_with(&settings, store.clone(), salesforce.clone());
    let before: Vec<String> = ORDERS.iter().map(|o| o.status.to_string()).collect();
    let started = std::time::Instant::now();
    let report = worker.run_until_idle().await?;
    let elapsed = started.elapsed();
    let calls_first_pass = salesforce.calls();
    print_table(&store, &numbers, &before).await?;
    println!(
        "\n{} order(s) sent, {} parked, in {:.0?}; Salesforce API calls: {} (+{} token request)",
        report.sent.len(),
        report.parked.len(),
        elapsed,
        calls_first_pass,
        fake.token_requests()
    );

    if let Some(field) = link {
        print_link(&settings, &fake, &field, numbers[0].0);
    }

    let repaired = repair_path(&settings, &worker, &fake, numbers[2].0).await?;
    println!(
        "\nRepair path for {}: a technician marks the evaluation complete, the customer accepts the priced quote:",
        numbers[2].1
    );
    let mut rows = vec![numbers[2]];
    if let Some(new_id) = repaired {
        rows.push((new_id, "reissued"));
    }
    let before_repair = vec!["Awaiting Evaluation".to_string(), "(new)".to_string()];
    print_table(&store, &rows, &before_repair).await?;
    later_cancel(&settings, &worker, &fake, numbers[0]).await?;
    println!("\nSalesforce API calls in all: {}.", salesforce.calls());
    println!(
        "Fake Salesforce now holds {} Opportunities, {} Quotes, {} Orders, {} OrderItems: no duplicates.",
        fake.count("Opportunity"),
        fake.count("Quote"),
        fake.count("Order"),
        fake.count("OrderItem")
    );
    store.close().await;
    let _ = std::fs::remove_file(&db);
    fake.shutdown();
    Ok(0)
}

/// Marks the evaluation complete and the quote accepted in the fake, runs the repair loop twice
/// and the push loop once; returns the reissued order's id.
async fn repair_path(
    settings: &Settings,
    worker: &crate::sync::Worker,
    fake: &FakeSalesforce,
    order_id: i64,
) -> anyhow::Result<Option<i64>> {
    let repairer = crate::app::repairer_for(settings, worker);
    let key = order_id.to_string();
    let field = &settings.salesforce.fields.order_external_id;
    for opp in fake.find("Opportunity", field, &key) {
        fake.update_fields("Opportunity", &opp.id, serde_json::json!({ settings.repair.evaluation_field.clone(): settings.repair.evaluation_complete_value }));
    }
    repairer.run_pass().await?;
    for quote in fake.find("Quote", field, &key) {
        for line in fake.find("QuoteLineItem", "QuoteId", &quote.id) {
            fake.update_fields(
                "QuoteLineItem",
                &line.id,
                serde_json::json!({"UnitPrice": 450.0}),
            );
        }
        fake.update_fields(
            "Quote",
            &quote.id,
            serde_json::json!({"Status": settings.repair.quote_accepted_status}),
        );
    }
    let report = repairer.run_pass().await?;
    worker.run_until_idle().await?;
    Ok(report.reissued.first().map(|(_, new)| *new))
}

/// An administrator cancels a routed order in the store; the lifecycle loop closes its deal.
async fn later_cancel(
    settings: &Settings,
    worker: &crate::sync::Worker,
    fake: &FakeSalesforce,
    (id, number): (i64, &str),
) -> anyhow::Result<()> {
    worker
        .store
        .store_moves(id, crate::domain::OrderStatus::Canceled)
        .await?;
    let pass = crate::app::lifecycle_for(settings, worker)
        .run_pass()
        .await?;
    let field = &settings.salesforce.fields.order_external_id;
    let stage = fake
        .find("Opportunity", field, &id.to_string())
        .first()
        .and_then(|o| {
            o.get("StageName")
                .and_then(|v| v.as_str().map(String::from))
        })
        .unwrap_or_default();
    println!(
        "\nLater, an administrator cancels {number} in the store: {} change brought to Salesforce, \
         its Opportunity is now {stage:?}.",
        pass.shown.len()
    );
    Ok(())
}

async fn print_table(
    store: &Store,
    orders: &[(i64, &str)],
    before: &[String],
) -> anyhow::Result<()> {
    println!(
        "{:<11} {:<40} {:<20} {:<20} NOTE",
        "ORDER", "STATUS BEFORE → AFTER", "OPPORTUNITY", "SF ORDER"
    );
    for (i, (id, _)) in orders.iter().enumerate() {
        let d = store
            .order_detail(*id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("order vanished"))?;
        let note = d.last_error.clone().unwrap_or_default();
        println!(
            "{:<11} {:<40} {:<20} {:<20} {}",
            d.order_number,
            format!("{} → {}", before[i], d.status),
            d.sf_opportunity_id.as_deref().unwrap_or("-"),
            d.sf_order_id.as_deref().unwrap_or("-"),
            note
        );
    }
    Ok(())
}

async fn seed(store: &Store, fake: &FakeSalesforce) -> anyhow::Result<Vec<(i64, &'static str)>> {
    let mut product_ids = std::collections::HashMap::new();
    for (sku, name, kind, in_salesforce) in PRODUCTS {
        let price = ORDERS
            .iter()
            .flat_map(|o| o.lines)
            .find(|l| l.0 == *sku)
            .map(|l| l.2)
            .unwrap_or("0.00");
        let id = store
            .insert_product(&NewProduct {
                sku: sku.to_string(),
                name: name.to_string(),
                kind: kind.to_string(),
                list_price: Some(price.into()),
            })
            .await?;
        product_ids.insert(*sku, id);
        if *in_salesforce {
            fake.add_product(sku, name, price);
        }
    }
    let people = [
        (
            "ada@example.com",
            "Ada",
            "Lovelace",
            Some("Analytical Engines Ltd"),
        ),
        ("grace@example.com", "Grace", "Hopper", Some("Cobol Works")),
        ("sean@example.com", "Seán", "O'Brien", None),
    ];
    let mut customers = Vec::new();
    for (email, first, last, company) in people {
        customers.push(
            store
                .insert_customer(&NewCustomer {
                    email: Some(email.into()),
                    first_name: Some(first.into()),
                    last_name: Some(last.into()),
                    company: company.map(Into::into),
                    phone: None,
                })
                .await?,
        );
    }
    let mut ids = Vec::new();
    for o in ORDERS {
        let lines = o
            .lines
            .iter()
            .map(|(sku, q, p)| NewLine {
                product_id: Some(product_ids[sku]),
                sku: None,
                quantity: Some(*q),
                unit_price: Some(p.to_string()),
            })
            .collect();
        let id = store
            .insert_order(&NewOrder {
                order_number: o.number.into(),
                customer_id: Some(customers[o.customer]),
                guest: None,
                status: o.status.into(),
                payment_method: Some(o.payment.into()),
                po_number: (o.payment == "purchase_order").then(|| "PO-7781".into()),
                currency: Some("USD".into()),
                placed_at: Utc::now(),
                reissue_of: None,
                lines,
            })
            .await?;
        ids.push((id, o.number));
    }
    Ok(ids)
}
