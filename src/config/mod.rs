//! Typed settings: `config/default.toml` (embedded) → optional file → `ORDER_SYNC__…` env, env last.

use std::path::{Path, PathBuf};
use std::time::Duration;

use config::{Config, Environment, File, FileFormat};
use secrecy::SecretString;
use serde::Deserialize;

mod explain;
mod mapping;
mod required;
mod store;
mod template;
mod validate;

pub use mapping::{FieldMapping, MappedField};
pub use store::{
    CustomersTable, HistoryTable, IdFrom, JoinedValue, LinesTable, Literal, MoneyFormat,
    NestedPrice, OrdersTable, PaymentMethods, PaymentsTable, ProductKinds, ProductsTable, Source,
    StatusCodeType, StatusCodes, StoreSettings,
};
pub use template::{PLACEHOLDERS, Part, Placeholder, Template, TemplateError, ValueKind};
pub use validate::{is_api_name, is_record_id};

/// The defaults, compiled in so the binary runs with no files beside it.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub store: StoreSettings,
    pub salesforce: SalesforceSettings,
    pub sync: SyncSettings,
    pub repair: RepairSettings,
    pub lifecycle: LifecycleSettings,
    pub reconcile: ReconcileSettings,
    pub alerts: AlertSettings,
    pub http: HttpSettings,
    pub console: ConsoleSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    #[serde(with = "humantime_serde")]
    pub stuck_after: Duration,
    #[serde(with = "humantime_serde")]
    pub check_interval: Duration,
    pub webhook_url: String,
    pub webhook_max_orders: usize,
    #[serde(with = "humantime_serde")]
    pub webhook_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub attempt_retention: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    pub enabled: bool,
    pub listen: std::net::SocketAddr,
    /// A client must send a request's headers within this long (also the keep-alive idle limit).
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// A request not answered within this long gets 503.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// Connections held open at once; further clients wait to be accepted.
    pub max_connections: usize,
}

/// The service reps' web console (`console` module).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSettings {
    pub enabled: bool,
    /// Empty: `run` serves the console on `http.listen`, and `order-sync console` listens there too.
    pub listen: String,
    /// An Argon2id PHC string; empty: every console page is refused.
    pub password_hash: SecretString,
    /// The address reps' browsers use (the single sign-on proxy's), e.g. `https://orders.acme.com`.
    pub public_url: String,
    /// Reps' user names, comma-separated, recorded as typed; any other name is recorded as
    /// "console" (everyone shares one password, so a name typed is not proof of who acted).
    pub reps: String,
}

impl ConsoleSettings {
    /// The names in `reps`, trimmed, empty ones left out.
    pub fn rep_names(&self) -> Vec<String> {
        self.reps
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect()
    }

    /// Where the console listens on its own, if not on the ops endpoint's address.
    pub fn own_listen(&self) -> Result<Option<std::net::SocketAddr>, ConfigError> {
        if self.listen.trim().is_empty() {
            return Ok(None);
        }
        self.listen
            .trim()
            .parse()
            .map(Some)
            .map_err(|e| ConfigError(format!("console.listen {:?}: {e}", self.listen)))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepairSettings {
    pub enabled: bool,
    pub evaluation_object: String,
    pub evaluation_field: String,
    pub evaluation_complete_value: String,
    pub quote_accepted_status: String,
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    #[serde(with = "humantime_serde")]
    pub watermark_overlap: Duration,
    pub reissue_suffix: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub migrate_on_start: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthFlow {
    Jwt,
    ClientCredentials,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesforceSettings {
    pub login_url: String,
    pub auth: AuthFlow,
    pub client_id: String,
    pub client_secret: SecretString,
    pub username: String,
    pub private_key_path: String,
    pub audience: String,
    pub api_version: String,
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    pub allow_http_loopback: bool,
    pub pricebook_id: String,
    #[serde(with = "humantime_serde")]
    pub pricebook_refresh: Duration,
    pub api_budget_share: f64,
    #[serde(with = "humantime_serde")]
    pub circuit_min_cooldown: Duration,
    #[serde(with = "humantime_serde")]
    pub circuit_max_cooldown: Duration,
    pub fields: FieldNames,
    pub stages: StageNames,
    pub order_statuses: OrderStatusNames,
    /// Activate each Salesforce Order once its products exist (same graph).
    pub activate_orders: bool,
    /// The Activated-category Order Status value activation sets.
    pub activated_status: String,
    pub multi_currency: MultiCurrency,
    /// Extra fields per object, filled from the order (`[salesforce.mapping.<Object>]`).
    #[serde(default)]
    pub mapping: FieldMapping,
}

/// `salesforce.multi_currency`: `"auto"` asks the org (does Opportunity have CurrencyIsoCode?);
/// `true` or `false` says so without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiCurrency {
    Auto,
    On,
    Off,
}

impl<'de> Deserialize<'de> for MultiCurrency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Flag(bool),
            Word(String),
        }
        // Environment variables arrive as text: "true" and "false" count as the flags.
        match Raw::deserialize(d)? {
            Raw::Flag(true) => Ok(MultiCurrency::On),
            Raw::Flag(false) => Ok(MultiCurrency::Off),
            Raw::Word(w) => match w.trim().to_ascii_lowercase().as_str() {
                "auto" => Ok(MultiCurrency::Auto),
                "true" => Ok(MultiCurrency::On),
                "false" => Ok(MultiCurrency::Off),
                other => Err(serde::de::Error::custom(format!(
                    "{other:?} is not \"auto\", true or false"
                ))),
            },
        }
    }
}

/// Salesforce field API names live in values, never in keys: `__c` would clash with the env separator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldNames {
    pub customer_external_id: String,
    pub order_external_id: String,
    pub line_external_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageNames {
    pub in_process: String,
    pub awaiting_payment: String,
    pub awaiting_evaluation: String,
    pub awaiting_customer_approval: String,
    pub canceled: String,
    pub completed: String,
}

/// The Salesforce Order's Status per store status, for later changes; empty leaves it alone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderStatusNames {
    pub in_process: String,
    pub awaiting_payment: String,
    pub awaiting_customer_approval: String,
    pub canceled: String,
    pub completed: String,
}

/// The lifecycle loop: later store status changes of sent orders, brought to Salesforce.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleSettings {
    pub enabled: bool,
    #[serde(with = "humantime_serde")]
    pub overlap: Duration,
    pub batch_size: u32,
}

/// The scheduled reconcile in `run`: Salesforce against the store, reported, never fixed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileSettings {
    pub enabled: bool,
    #[serde(with = "humantime_serde")]
    pub every: Duration,
    /// Scope: sent orders changed in the last so many days.
    pub days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncSettings {
    pub worker_id: String,
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    pub batch_size: u32,
    pub max_graphs_per_request: usize,
    pub concurrency: usize,
    #[serde(with = "humantime_serde")]
    pub lease_duration: Duration,
    #[serde(with = "humantime_serde")]
    pub retry_min_delay: Duration,
    #[serde(with = "humantime_serde")]
    pub retry_max_delay: Duration,
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

/// A settings problem: always fatal, reported in one line naming the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl Settings {
    /// Loads defaults, then `file` (if any), then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::load_with_env(file, None)
    }

    /// As [`Settings::load`], with an explicit environment map (tests inject env this way).
    pub fn load_with_env(
        file: Option<&Path>,
        env: Option<std::collections::HashMap<String, String>>,
    ) -> Result<Settings, ConfigError> {
        let mut builder =
            Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError(format!(
                    "config file {} not found",
                    path.display()
                )));
            }
            builder = builder.add_source(File::from(PathBuf::from(path)).format(FileFormat::Toml));
        }
        let environment = Environment::with_prefix("ORDER_SYNC")
            .prefix_separator("__")
            .separator("__")
            .source(env);
        let settings: Settings = builder
            .add_source(environment)
            .build()
            .and_then(Config::try_deserialize)
            .map_err(|e| ConfigError(explain::explain(&e)))?;
        let problems = settings.problems().0;
        if !problems.is_empty() {
            return Err(ConfigError(problems.join("\nconfiguration: ")));
        }
        Ok(settings)
    }

    /// The worker id used in leases and history rows.
    pub fn worker_id(&self) -> String {
        if !self.sync.worker_id.is_empty() {
            return self.sync.worker_id.clone();
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "host".into());
        format!("{host}-{}", std::process::id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn multi_currency(env: Option<&str>) -> Result<MultiCurrency, ConfigError> {
        let env = env
            .map(|v| {
                (
                    "ORDER_SYNC__SALESFORCE__MULTI_CURRENCY".to_string(),
                    v.to_string(),
                )
            })
            .into_iter()
            .collect();
        Settings::load_with_env(None, Some(env)).map(|s| s.salesforce.multi_currency)
    }

    #[test]
    fn multi_currency_is_auto_by_default_and_takes_true_false_or_auto() {
        assert_eq!(multi_currency(None).unwrap(), MultiCurrency::Auto);
        assert_eq!(multi_currency(Some("true")).unwrap(), MultiCurrency::On);
        assert_eq!(multi_currency(Some("FALSE")).unwrap(), MultiCurrency::Off);
        assert_eq!(multi_currency(Some("auto")).unwrap(), MultiCurrency::Auto);
        let toml_flag: MultiCurrency = serde_json::from_value(serde_json::json!(true)).unwrap();
        assert_eq!(toml_flag, MultiCurrency::On);
        let bad = multi_currency(Some("sometimes")).unwrap_err().0;
        assert!(
            bad.contains("multi_currency") && bad.contains("sometimes"),
            "{bad}"
        );
    }
}
