//! The built-in catalog: standard objects and their fields, required fields, external ids,
//! picklists, and field-type conventions.

pub(crate) const AUDIT: &[&str] = &["Id", "CreatedDate", "LastModifiedDate", "SystemModstamp"];

pub(crate) const STANDARD: &[(&str, &[&str])] = &[
    (
        "Account",
        &[
            "Name",
            "Phone",
            "Website",
            "BillingStreet",
            "BillingCity",
            "BillingPostalCode",
            "BillingCountry",
            "Store_Customer_Id__c",
        ],
    ),
    (
        "Contact",
        &[
            "AccountId",
            "FirstName",
            "LastName",
            "Email",
            "Phone",
            "Store_Customer_Id__c",
        ],
    ),
    (
        "Opportunity",
        &[
            "Name",
            "AccountId",
            "StageName",
            "CloseDate",
            "Amount",
            "Pricebook2Id",
            "IsClosed",
            "IsWon",
            "SyncedQuoteId",
            "Store_Order_Id__c",
            "Evaluation_Status__c",
        ],
    ),
    (
        "Quote",
        &[
            "Name",
            "OpportunityId",
            "AccountId",
            "ContactId",
            "Pricebook2Id",
            "Status",
            "ExpirationDate",
            "Store_Order_Id__c",
        ],
    ),
    (
        "QuoteLineItem",
        &[
            "QuoteId",
            "PricebookEntryId",
            "Product2Id",
            "Quantity",
            "UnitPrice",
            "Discount",
            "Description",
            "Store_Line_Id__c",
        ],
    ),
    (
        "Order",
        &[
            "AccountId",
            "OpportunityId",
            "QuoteId",
            "Pricebook2Id",
            "EffectiveDate",
            "Status",
            "StatusCode",
            "PoNumber",
            "Store_Order_Id__c",
        ],
    ),
    (
        "OrderItem",
        &[
            "OrderId",
            "PricebookEntryId",
            "Product2Id",
            "QuoteLineItemId",
            "Quantity",
            "UnitPrice",
            "ListPrice",
            "ServiceDate",
            "Store_Line_Id__c",
        ],
    ),
    (
        "Product2",
        &["Name", "ProductCode", "Description", "IsActive"],
    ),
    ("Pricebook2", &["Name", "IsActive", "IsStandard"]),
    (
        "PricebookEntry",
        &[
            "Name",
            "Pricebook2Id",
            "Product2Id",
            "ProductCode",
            "UnitPrice",
            "IsActive",
            "UseStandardPrice",
        ],
    ),
    // Setup objects the fake's own setup writes (the org's currency, Order Status values).
    (
        "Organization",
        &["Name", "IsSandbox", "DefaultCurrencyIsoCode"],
    ),
    (
        "OrderStatus",
        &["ApiName", "MasterLabel", "StatusCode", "IsActive"],
    ),
];

/// Turned on with multiple currencies: the org's currencies.
pub(crate) const CURRENCY_TYPE: (&str, &[&str]) = (
    "CurrencyType",
    &[
        "IsoCode",
        "IsCorporate",
        "IsActive",
        "ConversionRate",
        "DecimalPlaces",
    ],
);

pub(crate) const REQUIRED: &[(&str, &[&str])] = &[
    ("Account", &["Name"]),
    ("Contact", &["LastName"]),
    ("Opportunity", &["Name", "StageName", "CloseDate"]),
    ("Quote", &["Name", "OpportunityId"]),
    (
        "QuoteLineItem",
        &["QuoteId", "PricebookEntryId", "Quantity", "UnitPrice"],
    ),
    ("Order", &["AccountId", "EffectiveDate", "Status"]),
    (
        "OrderItem",
        &["OrderId", "PricebookEntryId", "Quantity", "UnitPrice"],
    ),
];

/// Fields Salesforce computes: describe says they are neither createable nor updateable.
pub(crate) const READ_ONLY: &[(&str, &str)] =
    &[("Opportunity", "IsClosed"), ("Opportunity", "IsWon")];

pub(crate) const EXTERNAL_IDS: &[&str] = &[
    "Store_Customer_Id__c",
    "Store_Order_Id__c",
    "Store_Line_Id__c",
];

const STAGES: &[&str] = &[
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
];
const EVALUATION: &[&str] = &["Not Started", "In Progress", "Evaluation Complete"];
const QUOTE_STATUS: &[&str] = &[
    "Draft",
    "Needs Review",
    "In Review",
    "Approved",
    "Rejected",
    "Presented",
    "Accepted",
    "Denied",
];
const ORDER_STATUS: &[&str] = &["Draft", "Activated"];

pub(crate) fn picklist_for(object: &str, field: &str) -> &'static [&'static str] {
    match (object, field) {
        ("Opportunity", "StageName") => STAGES,
        ("Opportunity", "Evaluation_Status__c") => EVALUATION,
        ("Quote", "Status") => QUOTE_STATUS,
        ("Order", "Status") => ORDER_STATUS,
        _ => &[],
    }
}

/// Field type from the naming conventions of the standard objects.
pub(crate) fn standard_type(object: &str, field: &str) -> &'static str {
    if !picklist_for(object, field).is_empty() {
        return "picklist";
    }
    match field {
        "Id" => "id",
        "CreatedDate" | "LastModifiedDate" | "SystemModstamp" => "datetime",
        "CloseDate" | "EffectiveDate" | "ExpirationDate" | "ServiceDate" => "date",
        "Amount" | "UnitPrice" | "ListPrice" => "currency",
        "Quantity" | "Discount" => "double",
        "Email" => "email",
        "Phone" => "phone",
        "Website" => "url",
        "Description" | "BillingStreet" => "textarea",
        f if f.starts_with("Is") || f == "UseStandardPrice" => "boolean",
        f if f.ends_with("Id") => "reference",
        _ => "string",
    }
}
