//! The Pipes entities (contract §7.7, §7.8): the providers (data integrations) an environment
//! offers, each organization's settings for them, the accounts users and organizations connect,
//! and the pending OAuth authorizations of the popup flow. What an organization sees of them and
//! how they change is `pipes.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How a connected account authenticates (the widgets' `authMethods` items and `auth_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    Oauth,
    ApiKey,
    ClientCredentials,
}

impl AuthMethod {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oauth => "oauth",
            Self::ApiKey => "api_key",
            Self::ClientCredentials => "client_credentials",
        }
    }
}

/// Who owns a provider's connected accounts (the widgets' `ownership`): each user their own
/// (`userland_user`, the Pipes widget's list) or the organization, shared with every member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    UserlandUser,
    Organization,
}

/// Whose OAuth client a provider uses (the widgets' `credentialsType`): WorkOS's shared one, the
/// developer's own (`custom`), or each organization's own, entered in PipesAdmin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialsType {
    Shared,
    Custom,
    Organization,
}

/// Where a config field's value is set (the widgets' `ConfigField.scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigScope {
    Integration,
    Installation,
}

/// A value a provider needs beyond its credentials (the widgets' `ConfigField`; the seed and the
/// wire share this shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigField {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub required: bool,
    pub scope: ConfigScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// Checked as `^(?:pattern)$` by the widget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i32>,
    #[serde(default)]
    pub secret: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// A provider of the environment's catalogue (WorkOS: configured by the developer in the
/// dashboard).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataIntegration {
    pub id: String,
    /// e.g. `github`; also its `integrationType` and its icon (`iconSlug`, one of the widget's
    /// known provider icons, which the app serves locally).
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub ownership: Ownership,
    pub credentials_type: CredentialsType,
    /// In the order the widget offers them.
    pub auth_methods: Vec<AuthMethod>,
    /// Every scope the provider knows (what an organization with its own credentials may pick).
    pub available_scopes: Vec<String>,
    /// The developer's scopes: what is asked for unless an organization overrides them.
    pub default_scopes: Vec<String>,
    /// The developer's switch: whether organizations have it without enabling it themselves.
    pub enabled: bool,
    pub config_fields: Vec<ConfigField>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl DataIntegration {
    pub fn supports(&self, method: AuthMethod) -> bool {
        self.auth_methods.contains(&method)
    }
}

/// An organization's settings for one provider (PipesAdmin J3, J4): each `None` falls back to the
/// developer's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IntegrationOverride {
    pub organization_id: String,
    pub slug: String,
    pub enabled: Option<bool>,
    pub scopes: Option<Vec<String>>,
    /// The organization's own OAuth client (credentials type `organization`).
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Integration-level config values.
    pub config: BTreeMap<String, String>,
}

/// The state of a connected account (the widgets' `DataInstallation.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallationState {
    Connected,
    NeedsReauthorization,
}

/// A connected account: a user's own (`user_id`) or the organization's (`user_id: None`). The
/// emulator keeps only the last four characters of an API key or client secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Installation {
    pub id: String,
    pub slug: String,
    pub organization_id: String,
    pub user_id: Option<String>,
    pub auth_method: AuthMethod,
    pub scopes: Vec<String>,
    pub api_key_last_4: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_last_4: Option<String>,
    pub config: BTreeMap<String, String>,
    pub state: InstallationState,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A pending OAuth connection (I3, J5): the popup at `<emulator>/pipes/authorize/<redirect
/// token>` shows its consent screen once the widget has handed it `handoff_token`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authorization {
    pub redirect_token: String,
    pub handoff_token: String,
    pub slug: String,
    pub organization_id: String,
    /// `None`: an organization's shared account (J5).
    pub user_id: Option<String>,
    pub scopes: Vec<String>,
    pub config: BTreeMap<String, String>,
    /// Issued once the handoff token was presented; Allow and Deny must carry it.
    pub consent_token: Option<String>,
    pub expires_at: OffsetDateTime,
}
