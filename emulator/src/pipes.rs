//! Pipes behaviour: what an organization sees of the providers (data integrations) an environment
//! offers, and connecting, disconnecting, configuring and authorizing them (contract §7.7, §7.8).
//! The entities themselves are `entities/pipes.rs`; the widget endpoints are
//! `routes/widgets/pipes.rs`, the popup pages `routes/pipes.rs`.
//!
//! What an organization sees of a provider: enabled when its override says so, else when the
//! developer enabled it (`enabled` of the catalogue entry); the scopes of its override, else the
//! developer's default scopes; connectable ("available", as the widget decides it in
//! `isIntegrationAvailable`) when enabled and, for an OAuth provider whose credentials are the
//! organization's own, once the organization has entered a client id and secret.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};

use crate::entities::Data;
use crate::entities::pipes::{
    AuthMethod, Authorization, CredentialsType, DataIntegration, Installation, InstallationState,
    IntegrationOverride, Ownership,
};
use crate::error::ApiError;

/// The app's name on the Pipes dialogs when the seed gives none (`teamName`).
pub const DEFAULT_TEAM_NAME: &str = "This application";

/// Pending authorizations last 10 minutes (the widget stops its handoff after about 10 s).
pub const AUTHORIZATION_TTL: Duration = Duration::minutes(10);

/// What one organization sees of one provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Effective {
    pub enabled: bool,
    /// Why it is disabled: `developer` (no override, off in the catalogue) or `organization`.
    pub disabled_source: Option<&'static str>,
    pub has_override: bool,
    pub override_enabled: Option<bool>,
    pub scopes: Vec<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub config: BTreeMap<String, String>,
    /// Connectable: enabled and, for OAuth with the organization's own credentials, configured.
    pub available: bool,
    /// The organization has entered its OAuth client (credentials type `organization`).
    pub has_credentials: bool,
}

/// Who a request acts for: a member (their own accounts) or the organization (shared accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    User {
        user_id: &'a str,
        organization_id: &'a str,
    },
    Organization {
        organization_id: &'a str,
    },
}

impl<'a> Owner<'a> {
    pub fn organization_id(self) -> &'a str {
        match self {
            Self::User {
                organization_id, ..
            }
            | Self::Organization { organization_id } => organization_id,
        }
    }

    pub fn user_id(self) -> Option<&'a str> {
        match self {
            Self::User { user_id, .. } => Some(user_id),
            Self::Organization { .. } => None,
        }
    }

    /// The provider ownership this owner's accounts have.
    pub fn ownership(self) -> Ownership {
        match self {
            Self::User { .. } => Ownership::UserlandUser,
            Self::Organization { .. } => Ownership::Organization,
        }
    }

    fn owns(self, installation: &Installation) -> bool {
        installation.organization_id == self.organization_id()
            && installation.user_id.as_deref() == self.user_id()
    }
}

/// The last four characters of a secret.
pub fn last_4(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

fn not_found(slug: &str) -> ApiError {
    ApiError::NotFound {
        entity: "Data integration",
        id: slug.into(),
    }
}

/// A new value for an override field: the body's, where it has one.
#[derive(Debug, Default)]
pub struct OverrideChange {
    pub enabled: Option<bool>,
    /// `Some(None)`: back to the developer's scopes.
    pub scopes: Option<Option<Vec<String>>>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub config: Option<BTreeMap<String, String>>,
}

impl Data {
    /// The catalogue entry with this slug.
    pub fn data_integration(&self, slug: &str) -> Option<&DataIntegration> {
        self.data_integrations.iter().find(|i| i.slug == slug)
    }

    fn integration_override(
        &self,
        organization_id: &str,
        slug: &str,
    ) -> Option<&IntegrationOverride> {
        self.integration_overrides
            .iter()
            .find(|o| o.organization_id == organization_id && o.slug == slug)
    }

    /// What `organization_id` sees of `integration`.
    pub fn effective(&self, organization_id: &str, integration: &DataIntegration) -> Effective {
        let own = self.integration_override(organization_id, &integration.slug);
        let override_enabled = own.and_then(|o| o.enabled);
        let enabled = override_enabled.unwrap_or(integration.enabled);
        let disabled_source = match (enabled, override_enabled) {
            (true, _) => None,
            (false, Some(false)) => Some("organization"),
            (false, _) => Some("developer"),
        };
        let client_id = own.and_then(|o| o.client_id.clone());
        let client_secret = own.and_then(|o| o.client_secret.clone());
        let has_credentials = client_id.is_some() && client_secret.is_some();
        let available = if !integration.supports(AuthMethod::Oauth) {
            enabled
        } else if integration.credentials_type == CredentialsType::Organization {
            enabled && has_credentials
        } else {
            enabled
        };
        Effective {
            enabled,
            disabled_source,
            has_override: own.is_some(),
            override_enabled,
            scopes: own
                .and_then(|o| o.scopes.clone())
                .unwrap_or_else(|| integration.default_scopes.clone()),
            client_id,
            client_secret,
            config: own.map(|o| o.config.clone()).unwrap_or_default(),
            available,
            has_credentials,
        }
    }

    /// The providers of `ownership`, in catalogue order.
    pub fn integrations_of(&self, ownership: Ownership) -> impl Iterator<Item = &DataIntegration> {
        self.data_integrations
            .iter()
            .filter(move |i| i.ownership == ownership)
    }

    /// The provider `slug` as `owner` may connect it: 404 when it is unknown, of the other
    /// ownership, or not available to the organization.
    pub fn connectable(&self, owner: Owner<'_>, slug: &str) -> Result<&DataIntegration, ApiError> {
        self.data_integration(slug)
            .filter(|i| i.ownership == owner.ownership())
            .filter(|i| self.effective(owner.organization_id(), i).available)
            .ok_or_else(|| not_found(slug))
    }

    /// `owner`'s account of `slug`.
    pub fn installation_of(&self, owner: Owner<'_>, slug: &str) -> Option<&Installation> {
        self.installations
            .values()
            .find(|i| i.slug == slug && owner.owns(i))
    }

    /// `owner`'s accounts, oldest first.
    pub fn installations_of(&self, owner: Owner<'_>, slug: &str) -> Vec<&Installation> {
        let mut list: Vec<_> = self
            .installations
            .values()
            .filter(|i| i.slug == slug && owner.owns(i))
            .collect();
        list.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        list
    }

    /// Connects (or reconnects) `owner`'s account of `integration` with `method`. 409 when the
    /// account exists with another method that is not OAuth (disconnect it first); an OAuth
    /// account is replaced by a new authorization.
    pub fn connect(
        &mut self,
        owner: Owner<'_>,
        integration: &DataIntegration,
        method: AuthMethod,
        fill: impl FnOnce(&mut Installation),
        at: OffsetDateTime,
    ) -> Result<Installation, ApiError> {
        let existing = self.installation_of(owner, &integration.slug).cloned();
        if let Some(old) = &existing
            && old.auth_method != method
            && method != AuthMethod::Oauth
        {
            return Err(ApiError::Conflict(format!(
                "{} is already connected with {}; disconnect it first.",
                integration.name,
                match old.auth_method {
                    AuthMethod::Oauth => "OAuth",
                    AuthMethod::ApiKey => "an API key",
                    AuthMethod::ClientCredentials => "client credentials",
                }
            )));
        }
        let mut installation = existing.unwrap_or_else(|| Installation {
            id: crate::ids::new_id("data_installation"),
            slug: integration.slug.clone(),
            organization_id: owner.organization_id().into(),
            user_id: owner.user_id().map(String::from),
            auth_method: method,
            scopes: Vec::new(),
            api_key_last_4: None,
            client_id: None,
            client_secret_last_4: None,
            config: BTreeMap::new(),
            state: InstallationState::Connected,
            created_at: at,
            updated_at: at,
        });
        installation.auth_method = method;
        installation.state = InstallationState::Connected;
        installation.updated_at = at;
        fill(&mut installation);
        self.installations
            .insert(installation.id.clone(), installation.clone());
        Ok(installation)
    }

    /// Disconnects `owner`'s account `id`: 404 when it is not theirs.
    pub fn disconnect(&mut self, owner: Owner<'_>, id: &str) -> Result<(), ApiError> {
        match self.installations.get(id) {
            Some(i) if owner.owns(i) => {
                self.installations.remove(id);
                Ok(())
            }
            _ => Err(ApiError::NotFound {
                entity: "Data installation",
                id: id.into(),
            }),
        }
    }

    /// Applies an organization's settings change to `slug` (of `ownership`): 404 for an unknown
    /// provider; 422 for scopes the provider does not know, or credentials for a provider whose
    /// credentials are not the organization's, or a client id without a secret the first time.
    pub fn configure(
        &mut self,
        organization_id: &str,
        ownership: Ownership,
        slug: &str,
        change: OverrideChange,
    ) -> Result<DataIntegration, ApiError> {
        let integration = self
            .data_integration(slug)
            .filter(|i| i.ownership == ownership)
            .cloned()
            .ok_or_else(|| not_found(slug))?;
        if let Some(Some(scopes)) = &change.scopes
            && let Some(unknown) = scopes
                .iter()
                .find(|s| !integration.available_scopes.contains(s))
        {
            return Err(ApiError::Unprocessable(format!(
                "'{unknown}' is not a scope of {}.",
                integration.name
            )));
        }
        let credentials = change.client_id.is_some() || change.client_secret.is_some();
        if credentials && integration.credentials_type != CredentialsType::Organization {
            return Err(ApiError::Unprocessable(format!(
                "{} uses the developer's OAuth credentials; an organization cannot set its own.",
                integration.name
            )));
        }
        let blank = |v: &Option<String>| v.as_deref().is_some_and(|s| s.trim().is_empty());
        if blank(&change.client_id) || blank(&change.client_secret) {
            return Err(ApiError::Unprocessable(
                "client_id and client_secret must not be empty.".into(),
            ));
        }
        let stored_secret = self
            .integration_override(organization_id, slug)
            .is_some_and(|o| o.client_secret.is_some());
        if change.client_id.is_some() && change.client_secret.is_none() && !stored_secret {
            return Err(ApiError::Unprocessable(
                "client_secret is required with a new client_id.".into(),
            ));
        }
        let index = match self
            .integration_overrides
            .iter()
            .position(|o| o.organization_id == organization_id && o.slug == slug)
        {
            Some(index) => index,
            None => {
                self.integration_overrides.push(IntegrationOverride {
                    organization_id: organization_id.into(),
                    slug: slug.into(),
                    ..IntegrationOverride::default()
                });
                self.integration_overrides.len() - 1
            }
        };
        let own = &mut self.integration_overrides[index];
        if let Some(enabled) = change.enabled {
            own.enabled = Some(enabled);
        }
        if let Some(scopes) = change.scopes {
            own.scopes = scopes;
        }
        if let Some(id) = change.client_id {
            own.client_id = Some(id.trim().into());
        }
        if let Some(secret) = change.client_secret {
            own.client_secret = Some(secret.trim().into());
        }
        if let Some(config) = change.config {
            own.config = config;
        }
        Ok(integration)
    }

    /// Starts an OAuth connection of `slug` for `owner`: the pending authorization (10 minutes).
    /// 404 when the provider is not connectable; 400 when it has no OAuth. Expired ones are
    /// dropped here.
    pub fn authorize(
        &mut self,
        owner: Owner<'_>,
        slug: &str,
        config: BTreeMap<String, String>,
        at: OffsetDateTime,
    ) -> Result<Authorization, ApiError> {
        let integration = self.connectable(owner, slug)?;
        if !integration.supports(AuthMethod::Oauth) {
            return Err(ApiError::bad_request(
                "oauth_not_supported",
                format!("{} does not connect with OAuth.", integration.name),
            ));
        }
        let scopes = self.effective(owner.organization_id(), integration).scopes;
        self.pipes_authorizations.retain(|_, a| a.expires_at > at);
        let authorization = Authorization {
            redirect_token: crate::ids::new_secret(),
            handoff_token: crate::ids::new_secret(),
            slug: slug.into(),
            organization_id: owner.organization_id().into(),
            user_id: owner.user_id().map(String::from),
            scopes,
            config,
            consent_token: None,
            expires_at: at + AUTHORIZATION_TTL,
        };
        self.pipes_authorizations
            .insert(authorization.redirect_token.clone(), authorization.clone());
        Ok(authorization)
    }
}
