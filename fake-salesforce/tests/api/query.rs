//! SOQL subset: paging, literals, relationship fields, filters and errors.

use serde_json::{Value, json};

use crate::common::{Env, error_code, id_of};

#[tokio::test]
async fn paging_with_batch_size_returns_each_record_once() {
    let env = Env::new().await;
    for i in 0..5 {
        env.upsert_account(&i.to_string(), &format!("Acct {i}"))
            .await;
    }
    let first = env
        .send(
            env.request(reqwest::Method::GET, "/query")
                .query(&[("q", "SELECT Id, Name FROM Account")])
                .header("Sforce-Query-Options", "batchSize=2"),
        )
        .await;
    assert_eq!(first.status, 200);
    assert!(first.headers.contains_key("sforce-limit-info"));
    let mut page = first.body;
    let mut ids: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        assert_eq!(page["totalSize"], 5);
        ids.extend(
            page["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["Id"].as_str().unwrap().to_string()),
        );
        if page["done"] == true {
            assert!(page.get("nextRecordsUrl").is_none());
            break;
        }
        let next = page["nextRecordsUrl"].as_str().unwrap().to_string();
        assert!(
            next.starts_with("/services/data/v62.0/query/01gFAKE"),
            "{next}"
        );
        page = env
            .send(
                env.http
                    .get(format!("{}{next}", env.fake.url()))
                    .bearer_auth(&env.token),
            )
            .await
            .body;
    }
    assert_eq!(pages, 3);
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!((ids.len(), unique.len()), (5, 5));
}

#[tokio::test]
async fn escaped_quote_literal_matches() {
    let env = Env::new().await;
    env.patch(
        "/sobjects/Contact/Store_Customer_Id__c/1",
        json!({"LastName": "O'Brien"}),
    )
    .await;
    env.patch(
        "/sobjects/Contact/Store_Customer_Id__c/2",
        json!({"LastName": "Back\\slash"}),
    )
    .await;
    let resp = env
        .query(r"SELECT Id, LastName FROM Contact WHERE LastName = 'O\'Brien'")
        .await;
    assert_eq!(resp.body["totalSize"], 1, "{}", resp.body);
    assert_eq!(resp.body["records"][0]["LastName"], "O'Brien");
    let resp = env
        .query(r"SELECT Id FROM Contact WHERE LastName = 'Back\\slash'")
        .await;
    assert_eq!(resp.body["totalSize"], 1);
}

#[tokio::test]
async fn relationship_fields_are_nested() {
    let env = Env::new().await;
    let pbe = env.fake.add_product("SKU-9", "Gadget", "12");
    let soql = "SELECT Id, UnitPrice, product2.productcode, Product2.Name FROM PricebookEntry WHERE Product2.ProductCode = 'SKU-9'";
    let resp = env.query(soql).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let record = &resp.body["records"][0];
    assert_eq!(record["Id"], json!(pbe));
    assert_eq!(record["Product2"]["ProductCode"], "SKU-9");
    assert_eq!(record["Product2"]["Name"], "Gadget");
    assert_eq!(record["Product2"]["attributes"]["type"], "Product2");
    assert_eq!(
        record["attributes"]["url"],
        json!(format!(
            "/services/data/v62.0/sobjects/PricebookEntry/{pbe}"
        ))
    );
}

#[tokio::test]
async fn filters_order_limit_and_nulls() {
    let env = Env::new().await;
    for (key, name, phone) in [
        ("1", "Alpha", Value::Null),
        ("2", "Beta", json!("555")),
        ("3", "Gamma", json!("777")),
    ] {
        env.patch(
            &format!("/sobjects/Account/Store_Customer_Id__c/{key}"),
            json!({"Name": name, "Phone": phone}),
        )
        .await;
    }
    let names = |body: &Value| {
        body["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let resp = env
        .query(
            "SELECT Name FROM Account WHERE Store_Customer_Id__c IN ('1','3') ORDER BY Name DESC",
        )
        .await;
    assert_eq!(names(&resp.body), ["Gamma", "Alpha"]);
    let resp = env
        .query("select name, phone from account where phone = null")
        .await;
    assert_eq!(names(&resp.body), ["Alpha"]);
    assert_eq!(resp.body["records"][0]["Phone"], Value::Null);
    let resp = env
        .query("SELECT Name FROM Account WHERE Phone != null AND Name != 'Gamma' LIMIT 5")
        .await;
    assert_eq!(names(&resp.body), ["Beta"]);
    let resp = env.query("SELECT Name FROM Account WHERE SystemModstamp > 2020-01-01T00:00:00Z ORDER BY Name LIMIT 2").await;
    assert_eq!(names(&resp.body), ["Alpha", "Beta"]);
    let resp = env
        .query("SELECT Name FROM Account WHERE CreatedDate >= 2099-01-01T00:00:00.000+0000")
        .await;
    assert_eq!(resp.body["totalSize"], 0);
    let resp = env
        .query("SELECT Id FROM Pricebook2 WHERE IsStandard = true")
        .await;
    assert_eq!(
        resp.body["records"][0]["Id"],
        json!(env.fake.standard_pricebook_id())
    );
    let resp = env
        .query("SELECT COUNT() FROM Account WHERE Name LIKE '%a'")
        .await;
    assert_eq!(resp.body["totalSize"], 3);
}

#[tokio::test]
async fn bad_queries_are_salesforce_errors() {
    let env = Env::new().await;
    let resp = env.query("SELECT Nope__c FROM Account").await;
    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (400, "INVALID_FIELD")
    );
    assert!(
        resp.body[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("No such column 'Nope__c' on entity 'Account'.")
    );
    let resp = env.query("SELECT Id FROM Nothing__c").await;
    assert_eq!(error_code(&resp.body), "INVALID_FIELD");
    for bad in [
        "SELECT FROM Account",
        "SELECT Id FROM Account WHERE Name = 'open",
        "SELECT Id FROM Account LIMIT x",
    ] {
        let resp = env.query(bad).await;
        assert_eq!(
            (resp.status.as_u16(), error_code(&resp.body)),
            (400, "MALFORMED_QUERY"),
            "{bad}"
        );
    }
}

/// The Names of the Accounts `soql` returns.
async fn account_names(env: &Env, soql: &str) -> Vec<String> {
    let resp = env.query(soql).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    resp.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn null_and_datetime_comparisons_filter_rows() {
    let env = Env::new().await;
    let before = id_of(&env.upsert_account("1", "Before").await);
    let at = id_of(&env.upsert_account("2", "At").await);
    env.patch(
        "/sobjects/Account/Store_Customer_Id__c/2",
        json!({"Phone": "555"}),
    )
    .await;
    env.fake.update_fields(
        "Account",
        &before,
        json!({"CreatedDate": "2025-12-31T23:59:59.000+0000"}),
    );
    env.fake.update_fields(
        "Account",
        &at,
        json!({"CreatedDate": "2026-01-01T00:00:00.000+0000"}),
    );
    let cases: [(&str, &[&str]); 6] = [
        ("CreatedDate >= 2026-01-01T00:00:00Z", &["At"]),
        ("CreatedDate < 2026-01-01T00:00:00Z", &["Before"]),
        ("CreatedDate > 2025-12-31T23:59:59Z", &["At"]),
        ("Phone != null", &["At"]),
        ("Phone = null", &["Before"]),
        ("Phone = null OR Phone != null", &["At", "Before"]),
    ];
    for (condition, expected) in cases {
        let soql = format!("SELECT Name FROM Account WHERE {condition} ORDER BY Name");
        assert_eq!(account_names(&env, &soql).await, expected, "{condition}");
    }
}
