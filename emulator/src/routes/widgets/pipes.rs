//! Pipes (`pipes`; contract §7.7 I1–I6, G1) and PipesAdmin (`pipes-admin`; §7.8 J1–J8): the
//! providers a member may connect, their connected accounts, the organization's shared accounts,
//! and the organization's provider settings. Both act with a member's widget token of an
//! organization (403 for an organization-level token or one without `org_id`); PipesAdmin's calls
//! need `widgets:pipes:manage` (403 without it). A provider the organization does not offer, or an
//! account that is not the caller's, is 404. The OAuth popup these calls start is
//! `routes/pipes.rs`; the rules are `pipes.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Deserializer, Serialize};

use super::bodies::{DataBody, Success};
use crate::auth::WidgetCaller;
use crate::clock::{now, timestamp};
use crate::entities::Data;
use crate::entities::pipes::{
    AuthMethod, Authorization, ConfigField, CredentialsType, DataIntegration, Installation,
    InstallationState, Ownership,
};
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::pipes::{DEFAULT_TEAM_NAME, Effective, OverrideChange, Owner, last_4};
use crate::routes::pipes::{CALLBACK_PATH, authorize_url};
use crate::seed::PIPES_MANAGE;

/// The Pipes widget's calls (I1–I6) and the settings both widgets read (G1).
pub fn router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/settings", get(settings))
        .route("/DataIntegrations/mine", get(mine))
        .route(
            "/DataIntegrations/shared-connections",
            get(shared_connections),
        )
        .route(
            "/DataIntegrations/{slug}/authorize",
            post(authorize::<Mine>),
        )
        .route("/DataIntegrations/{slug}/api-key", put(api_key::<Mine>))
        .route(
            "/DataIntegrations/{slug}/client-credentials",
            put(client_credentials::<Mine>),
        )
        .route(
            "/DataIntegrations/installations/{installation_id}",
            delete(disconnect::<Mine>),
        )
}

/// PipesAdmin's calls (J1–J8).
pub fn admin_router() -> Router<Arc<Environment>> {
    Router::new()
        .route(
            "/DataIntegrations/configurations",
            get(configurations::<ConfigurationBody>),
        )
        .route(
            "/DataIntegrations/organization",
            get(configurations::<OrganizationIntegrationBody>),
        )
        .route(
            "/DataIntegrations/{slug}/configuration",
            put(configure::<ConfigurationBody>),
        )
        .route(
            "/DataIntegrations/{slug}/organization/configuration",
            put(configure::<OrganizationIntegrationBody>),
        )
        .route(
            "/DataIntegrations/{slug}/organization/authorize",
            post(authorize::<Shared>),
        )
        .route(
            "/DataIntegrations/{slug}/organization/api-key",
            put(api_key::<Shared>),
        )
        .route(
            "/DataIntegrations/{slug}/organization/client-credentials",
            put(client_credentials::<Shared>),
        )
        .route(
            "/DataIntegrations/organization/installations/{installation_id}",
            delete(disconnect::<Shared>),
        )
}

/// The caller's own accounts in the token's organization: 403 without an organization.
fn member(caller: &WidgetCaller) -> Result<Owner<'_>, ApiError> {
    Ok(Owner::User {
        user_id: &caller.user_id,
        organization_id: caller.organization()?,
    })
}

/// The token's organization, for PipesAdmin: 403 without `widgets:pipes:manage` (checked first) or
/// without an organization.
fn admin(caller: &WidgetCaller) -> Result<Owner<'_>, ApiError> {
    caller.require(PIPES_MANAGE)?;
    Ok(Owner::Organization {
        organization_id: caller.organization()?,
    })
}

/// Whose account a connect or disconnect call acts on: Pipes' calls act on the caller's own
/// ([`Mine`]), PipesAdmin's on the organization's shared one ([`Shared`]). The calls are otherwise
/// the same, so one handler serves both (`authorize::<Mine>`, `authorize::<Shared>`).
trait Accounts {
    /// The account's owner, once the caller's token is checked (403 as [`member`] or [`admin`]).
    fn owner(caller: &WidgetCaller) -> Result<Owner<'_>, ApiError>;
}

/// The caller's own accounts (Pipes, I3–I6): [`member`].
struct Mine;

/// The organization's shared accounts (PipesAdmin, J5–J8): [`admin`].
struct Shared;

impl Accounts for Mine {
    fn owner(caller: &WidgetCaller) -> Result<Owner<'_>, ApiError> {
        member(caller)
    }
}

impl Accounts for Shared {
    fn owner(caller: &WidgetCaller) -> Result<Owner<'_>, ApiError> {
        admin(caller)
    }
}

/// The widgets' `Settings` (G1).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    object: &'static str,
    /// Where the OAuth popup opens: the emulator itself.
    authkit_origin: String,
    team_name: String,
    logo_dark_icon_path: Option<String>,
    logo_dark_path: Option<String>,
    logo_light_icon_path: Option<String>,
    logo_light_path: Option<String>,
}

/// G1 `GET /_widgets/settings` → `Settings`: `authkitOrigin` is the emulator's own origin (the
/// popup pages are there), `teamName` the seed's `team_name`, no logos. 403 for a bad token.
async fn settings(_caller: WidgetCaller, State(env): State<Arc<Environment>>) -> Json<Settings> {
    let data = env.store.read();
    Json(Settings {
        object: "settings",
        authkit_origin: env.base_url.clone(),
        team_name: data
            .team_name
            .clone()
            .unwrap_or_else(|| DEFAULT_TEAM_NAME.into()),
        logo_dark_icon_path: None,
        logo_dark_path: None,
        logo_light_icon_path: None,
        logo_light_path: None,
    })
}

/// The widgets' `DataInstallation`.
#[derive(Debug, Serialize)]
pub struct InstallationBody {
    object: &'static str,
    id: String,
    user_id: Option<String>,
    organization_id: Option<String>,
    scopes: Vec<String>,
    auth_method: AuthMethod,
    api_key_last_4: Option<String>,
    client_id: Option<String>,
    client_secret_last_4: Option<String>,
    config: BTreeMap<String, String>,
    state: InstallationState,
    created_at: String,
    updated_at: String,
}

impl InstallationBody {
    pub fn new(i: &Installation) -> Self {
        Self {
            object: "data_installation",
            id: i.id.clone(),
            user_id: i.user_id.clone(),
            organization_id: Some(i.organization_id.clone()),
            scopes: i.scopes.clone(),
            auth_method: i.auth_method,
            api_key_last_4: i.api_key_last_4.clone(),
            client_id: i.client_id.clone(),
            client_secret_last_4: i.client_secret_last_4.clone(),
            config: i.config.clone(),
            state: i.state,
            created_at: timestamp(i.created_at),
            updated_at: timestamp(i.updated_at),
        }
    }
}

/// The widgets' `DataIntegration` (I1 rows with `connected_accounts`; J2 rows with more).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct IntegrationBody {
    object: &'static str,
    id: String,
    name: String,
    description: Option<String>,
    slug: String,
    integration_type: String,
    ownership: Ownership,
    credentials_type: CredentialsType,
    /// What a new connection asks for: the organization's scopes, else the developer's.
    scopes: Vec<String>,
    created_at: String,
    updated_at: String,
    /// The caller's (or organization's) account, if any.
    installation: Option<InstallationBody>,
    config_fields: Vec<ConfigField>,
    config: BTreeMap<String, String>,
    /// One of the widget's known provider icons (the app serves them from its own origin).
    icon_slug: String,
    auth_methods: Vec<AuthMethod>,
    #[serde(rename = "connected_accounts")]
    connected_accounts: Vec<InstallationBody>,
}

impl IntegrationBody {
    fn new(data: &Data, owner: Owner<'_>, i: &DataIntegration, effective: &Effective) -> Self {
        let accounts = data.installations_of(owner, &i.slug);
        Self {
            object: "data_integration",
            id: i.id.clone(),
            name: i.name.clone(),
            description: i.description.clone(),
            slug: i.slug.clone(),
            integration_type: i.slug.clone(),
            ownership: i.ownership,
            credentials_type: i.credentials_type,
            scopes: effective.scopes.clone(),
            created_at: timestamp(i.created_at),
            updated_at: timestamp(i.updated_at),
            installation: accounts.first().map(|a| InstallationBody::new(a)),
            config_fields: i.config_fields.clone(),
            config: effective.config.clone(),
            icon_slug: i.slug.clone(),
            auth_methods: i.auth_methods.clone(),
            connected_accounts: accounts.into_iter().map(InstallationBody::new).collect(),
        }
    }
}

/// I1 `GET /_widgets/DataIntegrations/mine` → `{data: DataIntegration[]}`: the member-owned
/// providers the organization offers (enabled and, for its own OAuth client, configured), in
/// catalogue order, each with the caller's account. 403 without an organization.
async fn mine(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<DataBody<Vec<IntegrationBody>>>, ApiError> {
    let owner = member(&caller)?;
    let data = env.store.read();
    let rows = data
        .integrations_of(Ownership::UserlandUser)
        .filter_map(|i| {
            let effective = data.effective(owner.organization_id(), i);
            effective
                .available
                .then(|| IntegrationBody::new(&data, owner, i, &effective))
        })
        .collect();
    Ok(Json(DataBody { data: rows }))
}

/// One account of a `SharedDataConnection`.
#[derive(Debug, Serialize)]
struct SharedAccount {
    object: &'static str,
    id: String,
    state: InstallationState,
    /// `available` (connected) or `needs_admin_attention`.
    availability: &'static str,
    created_at: String,
    updated_at: String,
}

/// The widgets' `SharedDataConnection` (I2).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SharedConnection {
    object: &'static str,
    id: String,
    name: String,
    description: Option<String>,
    slug: String,
    ownership: Ownership,
    icon_slug: String,
    #[serde(rename = "connected_accounts")]
    connected_accounts: Vec<SharedAccount>,
}

/// I2 `GET /_widgets/DataIntegrations/shared-connections` → `{data: SharedDataConnection[]}`:
/// the organization-owned providers the organization has connected, with their accounts. 403
/// without an organization.
async fn shared_connections(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<DataBody<Vec<SharedConnection>>>, ApiError> {
    let organization_id = member(&caller)?.organization_id();
    let owner = Owner::Organization { organization_id };
    let data = env.store.read();
    let rows = data
        .integrations_of(Ownership::Organization)
        .filter(|i| data.effective(organization_id, i).enabled)
        .filter_map(|i| {
            let accounts: Vec<SharedAccount> = data
                .installations_of(owner, &i.slug)
                .into_iter()
                .map(|a| SharedAccount {
                    object: "connected_account",
                    id: a.id.clone(),
                    state: a.state,
                    availability: match a.state {
                        InstallationState::Connected => "available",
                        InstallationState::NeedsReauthorization => "needs_admin_attention",
                    },
                    created_at: timestamp(a.created_at),
                    updated_at: timestamp(a.updated_at),
                })
                .collect();
            (!accounts.is_empty()).then(|| SharedConnection {
                object: "data_integration",
                id: i.id.clone(),
                name: i.name.clone(),
                description: i.description.clone(),
                slug: i.slug.clone(),
                ownership: i.ownership,
                icon_slug: i.slug.clone(),
                connected_accounts: accounts,
            })
        })
        .collect();
    Ok(Json(DataBody { data: rows }))
}

/// I3's and J5's body: `{requireHandoff?, config?}` (installation config values).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizeRequest {
    /// Always `true` from the widgets; the emulator always hands off.
    #[serde(default)]
    #[allow(dead_code)] // Read by serde only: the emulator always requires the handoff.
    require_handoff: Option<bool>,
    #[serde(default)]
    config: Option<BTreeMap<String, String>>,
}

/// The widgets' `AuthorizeDataIntegrationResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizeResponse {
    /// The popup's consent page, `<emulator>/pipes/authorize/<redirectToken>`.
    url: String,
    redirect_token: String,
    handoff_token: String,
}

/// I3 `POST /_widgets/DataIntegrations/{slug}/authorize` `{requireHandoff: true, config?}` →
/// `{url, redirectToken, handoffToken}`: a pending OAuth connection of the caller's account (10
/// minutes). The widget opens `url` in its popup and posts `{handoffToken, redirectToken}` to it;
/// the account is connected when the person allows it there. 404 for a provider the organization
/// does not offer; 400 when it has no OAuth.
///
/// J5 `POST /_widgets/DataIntegrations/{slug}/organization/authorize` `{config?}` (`Shared`): as
/// I3, for the organization's shared account. 403 without `widgets:pipes:manage`.
async fn authorize<A: Accounts>(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<AuthorizeRequest>,
) -> Result<Json<AuthorizeResponse>, ApiError> {
    let owner = A::owner(&caller)?;
    let mut data = env.store.write();
    let Authorization {
        redirect_token,
        handoff_token,
        ..
    } = data.authorize(owner, &slug, body.config.unwrap_or_default(), now())?;
    Ok(Json(AuthorizeResponse {
        url: authorize_url(&env.base_url, &redirect_token),
        redirect_token,
        handoff_token,
    }))
}

/// I4's and J6's body.
#[derive(Debug, Deserialize)]
struct ApiKeyRequest {
    secret: String,
}

/// I5's and J7's body.
#[derive(Debug, Deserialize)]
struct ClientCredentialsRequest {
    client_id: String,
    client_secret: String,
    /// Replaces the stored config; absent keeps it.
    #[serde(default)]
    config: Option<BTreeMap<String, String>>,
}

/// 400 unless `value` has a non-blank value.
fn required(field: &'static str, value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_request_parameters",
            format!("{field} is required."),
        ));
    }
    Ok(value.to_string())
}

/// 400 unless the provider connects with `method`.
fn check_method(integration: &DataIntegration, method: AuthMethod) -> Result<(), ApiError> {
    if integration.supports(method) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "auth_method_not_supported",
            format!(
                "{} does not connect with {}.",
                integration.name,
                method.as_str()
            ),
        ))
    }
}

/// Connects (or updates) `owner`'s account of `slug` with `method`, `fill` setting its
/// credentials; answers its `DataInstallation`. 400 for a provider that does not connect with
/// `method`; 404 for a provider the organization does not offer; 409 when the account is
/// connected another way.
fn connect(
    env: &Environment,
    owner: Owner<'_>,
    slug: &str,
    method: AuthMethod,
    fill: impl FnOnce(&mut Installation),
) -> Result<Json<InstallationBody>, ApiError> {
    let mut data = env.store.write();
    let integration = data.connectable(owner, slug)?.clone();
    check_method(&integration, method)?;
    let installation = data.connect(owner, &integration, method, fill, now())?;
    Ok(Json(InstallationBody::new(&installation)))
}

/// I4 `PUT /_widgets/DataIntegrations/{slug}/api-key` `{secret}` → `DataInstallation`: connects
/// the caller's account with an API key, or rotates it (only its last four characters are kept).
/// 400 for a blank secret or a provider without API keys; 404 for a provider the organization does
/// not offer; 409 when the account is connected another way.
///
/// J6 `PUT /_widgets/DataIntegrations/{slug}/organization/api-key` `{secret}` (`Shared`): as I4,
/// for the organization's shared account. 403 without `widgets:pipes:manage`.
async fn api_key<A: Accounts>(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ApiKeyRequest>,
) -> Result<Json<InstallationBody>, ApiError> {
    let owner = A::owner(&caller)?;
    let secret = required("secret", &body.secret)?;
    connect(&env, owner, &slug, AuthMethod::ApiKey, |i| {
        i.api_key_last_4 = Some(last_4(&secret));
        i.client_id = None;
        i.client_secret_last_4 = None;
    })
}

/// I5 `PUT /_widgets/DataIntegrations/{slug}/client-credentials` `{client_id, client_secret,
/// config?}` → `DataInstallation`: connects (or updates) the caller's account with client
/// credentials; `config` replaces the stored one, absent keeps it. Errors as I4.
///
/// J7 `PUT /_widgets/DataIntegrations/{slug}/organization/client-credentials` (`Shared`): as I5,
/// for the organization's shared account. 403 without `widgets:pipes:manage`.
async fn client_credentials<A: Accounts>(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ClientCredentialsRequest>,
) -> Result<Json<InstallationBody>, ApiError> {
    let owner = A::owner(&caller)?;
    let client_id = required("client_id", &body.client_id)?;
    let client_secret = required("client_secret", &body.client_secret)?;
    connect(&env, owner, &slug, AuthMethod::ClientCredentials, |i| {
        i.client_id = Some(client_id);
        i.client_secret_last_4 = Some(last_4(&client_secret));
        i.api_key_last_4 = None;
        if let Some(config) = body.config {
            i.config = config;
        }
    })
}

/// I6 `DELETE /_widgets/DataIntegrations/installations/{installationId}` → `{success: true}`:
/// disconnects the caller's account. 404 for any other account.
///
/// J8 `DELETE /_widgets/DataIntegrations/organization/installations/{installationId}`
/// (`Shared`): as I6, for the organization's shared account. 403 without
/// `widgets:pipes:manage`; 404 for any other account.
async fn disconnect<A: Accounts>(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(installation_id): Path<String>,
) -> Result<Json<Success>, ApiError> {
    let owner = A::owner(&caller)?;
    env.store.write().disconnect(owner, &installation_id)?;
    Ok(Json(Success::YES))
}

/// A provider's row in PipesAdmin, as its list calls and its configure calls answer it:
/// `ConfigurationBody` for the member-owned providers (J1, J3), `OrganizationIntegrationBody` for
/// the organization-owned ones (J2, J4). The calls are otherwise the same, so one handler serves
/// both (`configurations::<R>`, `configure::<R>`).
trait AdminRow: Serialize {
    /// The providers the row is for.
    const OWNERSHIP: Ownership;

    /// The row of provider `i` with the organization's settings.
    fn new(env: &Environment, data: &Data, organization_id: &str, i: &DataIntegration) -> Self;
}

/// The widgets' `Credentials`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CredentialsBody {
    credentials_type: CredentialsType,
    has_credentials: bool,
    #[serde(rename = "client_id")]
    client_id: Option<String>,
    /// The stored secret's last four characters (the widget masks them as `••••…<last 4>`).
    redacted_client_secret: Option<String>,
    /// Where the provider sends the person back (the emulator's own callback).
    redirect_uri: String,
}

impl CredentialsBody {
    fn new(env: &Environment, i: &DataIntegration, e: &Effective) -> Self {
        let own = i.credentials_type == CredentialsType::Organization;
        Self {
            credentials_type: i.credentials_type,
            has_credentials: if own { e.has_credentials } else { true },
            client_id: if own { e.client_id.clone() } else { None },
            redacted_client_secret: if own {
                e.client_secret.as_deref().map(last_4)
            } else {
                None
            },
            redirect_uri: format!("{}{CALLBACK_PATH}", env.base_url),
        }
    }
}

/// The widgets' `DataIntegrationConfiguration` (J1 rows; J3's answer).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigurationBody {
    object: &'static str,
    id: String,
    name: String,
    description: Option<String>,
    slug: String,
    integration_type: String,
    ownership: Ownership,
    enabled: bool,
    scopes: Vec<String>,
    default_scopes: Vec<String>,
    available_scopes: Vec<String>,
    credentials: CredentialsBody,
    auth_methods: Vec<AuthMethod>,
    config_fields: Vec<ConfigField>,
    config: BTreeMap<String, String>,
    icon_slug: String,
    created_at: String,
    updated_at: String,
}

impl AdminRow for ConfigurationBody {
    const OWNERSHIP: Ownership = Ownership::UserlandUser;

    fn new(env: &Environment, data: &Data, organization_id: &str, i: &DataIntegration) -> Self {
        let e = data.effective(organization_id, i);
        Self {
            object: "data_integration_configuration",
            id: i.id.clone(),
            name: i.name.clone(),
            description: i.description.clone(),
            slug: i.slug.clone(),
            integration_type: i.slug.clone(),
            ownership: i.ownership,
            enabled: e.enabled,
            scopes: e.scopes.clone(),
            default_scopes: i.default_scopes.clone(),
            available_scopes: i.available_scopes.clone(),
            credentials: CredentialsBody::new(env, i, &e),
            auth_methods: i.auth_methods.clone(),
            config_fields: i.config_fields.clone(),
            config: e.config.clone(),
            icon_slug: i.slug.clone(),
            created_at: timestamp(i.created_at),
            updated_at: timestamp(i.updated_at),
        }
    }
}

/// The `configuration` of an `OrganizationDataIntegration`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct OrganizationConfiguration {
    has_override: bool,
    root_enabled: bool,
    override_enabled: Option<bool>,
    enabled: bool,
    disabled_source: Option<&'static str>,
    scopes: Vec<String>,
    default_scopes: Vec<String>,
    available_scopes: Vec<String>,
    credentials: CredentialsBody,
    configured: bool,
    config_fields: Vec<ConfigField>,
    config: BTreeMap<String, String>,
}

/// What an admin may do with an organization-owned provider's row.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Capabilities {
    can_configure: bool,
    can_connect: bool,
    can_update_credentials: bool,
    can_reauthorize: bool,
    can_disconnect: bool,
}

/// The widgets' `OrganizationDataIntegration` (J2 rows; J4's answer).
#[derive(Debug, Serialize)]
struct OrganizationIntegrationBody {
    #[serde(flatten)]
    integration: IntegrationBody,
    configuration: OrganizationConfiguration,
    capabilities: Capabilities,
}

impl AdminRow for OrganizationIntegrationBody {
    const OWNERSHIP: Ownership = Ownership::Organization;

    fn new(env: &Environment, data: &Data, organization_id: &str, i: &DataIntegration) -> Self {
        let owner = Owner::Organization { organization_id };
        let e = data.effective(organization_id, i);
        let account = data.installation_of(owner, &i.slug);
        let method = account.map(|a| a.auth_method);
        Self {
            integration: IntegrationBody::new(data, owner, i, &e),
            configuration: OrganizationConfiguration {
                has_override: e.has_override,
                root_enabled: i.enabled,
                override_enabled: e.override_enabled,
                enabled: e.enabled,
                disabled_source: e.disabled_source,
                scopes: e.scopes.clone(),
                default_scopes: i.default_scopes.clone(),
                available_scopes: i.available_scopes.clone(),
                credentials: CredentialsBody::new(env, i, &e),
                configured: e.available,
                config_fields: i.config_fields.clone(),
                config: e.config.clone(),
            },
            capabilities: Capabilities {
                can_configure: true,
                can_connect: e.available && account.is_none(),
                can_update_credentials: method.is_some_and(|m| m != AuthMethod::Oauth),
                can_reauthorize: e.available && method == Some(AuthMethod::Oauth),
                can_disconnect: account.is_some(),
            },
        }
    }
}

/// J1 `GET /_widgets/DataIntegrations/configurations` → `{data: DataIntegrationConfiguration[]}`
/// (`ConfigurationBody`): every member-owned provider of the catalogue with the organization's
/// settings (enabled or not).
///
/// J2 `GET /_widgets/DataIntegrations/organization` → `{data: OrganizationDataIntegration[]}`
/// (`OrganizationIntegrationBody`): every organization-owned provider with the organization's
/// settings, its shared account and what the admin may do.
///
/// Both: 403 without `widgets:pipes:manage`.
async fn configurations<R: AdminRow>(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<DataBody<Vec<R>>>, ApiError> {
    let organization_id = admin(&caller)?.organization_id();
    let data = env.store.read();
    let rows = data
        .integrations_of(R::OWNERSHIP)
        .map(|i| R::new(&env, &data, organization_id, i))
        .collect();
    Ok(Json(DataBody { data: rows }))
}

/// `null` and absent told apart: `Some(None)` for `null`.
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// J3's and J4's body: `{enabled?, scopes?: [..]|null, client_id?, client_secret?, config?}`.
#[derive(Debug, Deserialize)]
struct ConfigurationRequest {
    #[serde(default)]
    enabled: Option<bool>,
    /// `null`: back to the developer's scopes.
    #[serde(default, deserialize_with = "nullable")]
    scopes: Option<Option<Vec<String>>>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    config: Option<BTreeMap<String, String>>,
}

impl From<ConfigurationRequest> for OverrideChange {
    fn from(r: ConfigurationRequest) -> Self {
        Self {
            enabled: r.enabled,
            scopes: r.scopes,
            client_id: r.client_id,
            client_secret: r.client_secret,
            config: r.config,
        }
    }
}

/// J3 `PUT /_widgets/DataIntegrations/{slug}/configuration` → `DataIntegrationConfiguration`
/// (`ConfigurationBody`): the organization's settings for a member-owned provider (enable or
/// disable it for its members, the scopes they are asked for, its own OAuth client).
///
/// J4 `PUT /_widgets/DataIntegrations/{slug}/organization/configuration` →
/// `OrganizationDataIntegration` (`OrganizationIntegrationBody`): as J3, for an organization-owned
/// provider.
///
/// Both: 403 without `widgets:pipes:manage`; 404 for an unknown provider; 422 for an unknown
/// scope, credentials the provider does not take, or a new client id without a secret.
async fn configure<R: AdminRow>(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ConfigurationRequest>,
) -> Result<Json<R>, ApiError> {
    let organization_id = admin(&caller)?.organization_id();
    let mut data = env.store.write();
    let integration = data.configure(organization_id, R::OWNERSHIP, &slug, body.into())?;
    Ok(Json(R::new(&env, &data, organization_id, &integration)))
}
