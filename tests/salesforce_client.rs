//! Salesforce client tests against wiremock fixtures (being written).
