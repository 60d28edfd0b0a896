//! The Salesforce settings a connection needs, listed all at once when any is missing.

impl super::SalesforceSettings {
    /// Settings a Salesforce connection needs that are not set, each with an example: all at
    /// once, so a first run lists everything to fill in rather than one thing per attempt.
    pub fn unset(&self) -> Vec<String> {
        let mut p = Vec::new();
        let mut need = |set: bool, key: &str, what: &str| {
            if !set {
                p.push(format!("{key} is not set: {what}"));
            }
        };
        need(
            !self.client_id.trim().is_empty(),
            "salesforce.client_id",
            "the connected app's consumer key (e.g. 3MVG9…)",
        );
        match self.auth {
            super::AuthFlow::Jwt => {
                need(
                    !self.username.trim().is_empty(),
                    "salesforce.username",
                    "the integration user (e.g. integration@acme.com)",
                );
                let key = self.private_key_path.trim();
                need(
                    !key.is_empty(),
                    "salesforce.private_key_path",
                    "the PEM private key of the connected app's certificate (e.g. /run/credentials/order-sync/salesforce.key)",
                );
                if !key.is_empty() && !std::path::Path::new(key).exists() {
                    p.push(format!(
                        "salesforce.private_key_path: there is no file at {key}"
                    ));
                }
            }
            super::AuthFlow::ClientCredentials => {
                use secrecy::ExposeSecret;
                need(
                    !self.client_secret.expose_secret().is_empty(),
                    "salesforce.client_secret",
                    "the consumer secret (prefer ORDER_SYNC__SALESFORCE__CLIENT_SECRET)",
                );
                let generic = [
                    "https://login.salesforce.com",
                    "https://test.salesforce.com",
                ];
                if generic.contains(&self.login_url.trim_end_matches('/')) {
                    p.push("salesforce.login_url: client credentials need your My Domain host (e.g. https://acme.my.salesforce.com)".into());
                }
            }
        }
        p
    }
}
