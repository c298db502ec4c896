//! The Admin Portal widgets (contract §7.3, §7.4, §7.6): AdminPortalSsoConnection
//! (`admin-portal-sso-connection`, A1), AdminPortalDomainVerification
//! (`admin-portal-domain-verification`, D1–D3) and AdminPortalAuditLogStreaming
//! (`admin-portal-audit-log-streaming`, L1), and the Admin Portal link all three ask for (A2).
//! Each acts on the token's organization only and needs its widget's scope (403 without it, the
//! only 403 besides a bad token: contract §4.4); another organization's ids are 404. Tokens may
//! be organization-level (no user). Shapes follow `dist/esm/api/endpoint.d.ts`, fields in order:
//! an unknown `type` or `state` makes the widgets throw, so every value comes from a closed enum.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::bodies::DataBody;
use crate::auth::OrganizationCaller;
use crate::clock::{now, timestamp};
use crate::entities::{
    AuditLogStream, DomainState, OrganizationDomain, PortalIntent, SsoConnection, X509Certificate,
};
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::routes::admin_portal::{PortalLinkResponse, generate_link};
use crate::seed::{
    AUDIT_LOG_STREAMING_MANAGE, DOMAIN_VERIFICATION_MANAGE, DSYNC_MANAGE, SSO_MANAGE,
};

/// AdminPortalSsoConnection's routes: A1, and A2, which the three Admin Portal widgets share.
pub fn sso_router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/admin-portal/sso-connections", get(list_connections))
        .route("/admin-portal/generate-link", post(generate_portal_link))
}

/// AdminPortalDomainVerification's routes (D1–D3; "Add domain" is A2).
pub fn domain_verification_router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/admin-portal/organization-domains", get(list_domains))
        .route(
            "/admin-portal/organization-domains/{id}",
            delete(delete_domain),
        )
        .route(
            "/admin-portal/organization-domains/{id}/reverify",
            post(reverify_domain),
        )
}

/// AdminPortalAuditLogStreaming's route (L1; "Set up Log Streams" is A2).
pub fn audit_log_streaming_router() -> Router<Arc<Environment>> {
    Router::new().route("/admin-portal/audit-log-stream", get(get_stream))
}

/// The widgets' `X509CertificateJSON`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct X509Body {
    id: String,
    /// PEM.
    value: String,
    not_before: Option<String>,
    not_after: Option<String>,
    /// Always `null`: the emulator sends no expiry events.
    last_expiry_event_sent_at: Option<String>,
}

impl X509Body {
    fn new(c: &X509Certificate) -> Self {
        Self {
            id: c.id.clone(),
            value: c.value.clone(),
            not_before: Some(timestamp(c.not_before)),
            not_after: Some(timestamp(c.not_after)),
            last_expiry_event_sent_at: None,
        }
    }
}

/// The widgets' `SsoConnectionSessionJSON`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SsoSessionBody {
    id: String,
    created_at: String,
    state: &'static str,
}

/// The widgets' `SsoConnection`, either form: SAML (`providerTag: "Saml"`, certificates) or
/// OpenID Connect (`providerTag: "OpenIdConnect"`, certificate fields `null`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SsoConnectionBody {
    id: String,
    #[serde(rename = "type")]
    connection_type: &'static str,
    name: String,
    /// `Inactive`, `Validating`, `Active`, `Deleting`.
    state: &'static str,
    x509_certificates: Option<Vec<X509Body>>,
    /// The valid certificate that expires last (the widget warns when within 30 days).
    latest_expiring_certificate: Option<X509Body>,
    /// Set when no certificate is valid any more (the widget says "Requires action").
    latest_expired_certificate: Option<X509Body>,
    created_at: String,
    /// `Saml` or `OpenIdConnect`.
    provider_tag: &'static str,
    last_session: Option<SsoSessionBody>,
}

impl SsoConnectionBody {
    fn new(c: &SsoConnection, now: time::OffsetDateTime) -> Self {
        let saml = c.connection_type.protocol() == crate::entities::ConnectionProtocol::Saml;
        Self {
            id: c.id.clone(),
            connection_type: c.connection_type.as_str(),
            name: c.name.clone(),
            state: c.state.as_str(),
            x509_certificates: saml
                .then(|| c.x509_certificates.iter().map(X509Body::new).collect()),
            latest_expiring_certificate: c.latest_expiring_certificate(now).map(X509Body::new),
            latest_expired_certificate: c.latest_expired_certificate(now).map(X509Body::new),
            created_at: timestamp(c.created_at),
            provider_tag: c.connection_type.protocol().as_str(),
            last_session: c.last_session.as_ref().map(|s| SsoSessionBody {
                id: s.id.clone(),
                created_at: timestamp(s.created_at),
                state: s.state.as_str(),
            }),
        }
    }
}

/// A1 `GET /_widgets/admin-portal/sso-connections` → `SsoConnection[]` (a bare array, oldest
/// first; the widget shows `[0]`, an empty array is "not configured"). 403 without
/// `widgets:sso:manage`.
async fn list_connections(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<Vec<SsoConnectionBody>>, ApiError> {
    let org = caller.organization_with(SSO_MANAGE)?;
    let data = env.store.read();
    let now = now();
    let mut connections: Vec<&SsoConnection> = data
        .sso_connections
        .values()
        .filter(|c| c.organization_id == org)
        .collect();
    connections.sort_by_key(|c| (c.created_at, c.id.clone()));
    Ok(Json(
        connections
            .into_iter()
            .map(|c| SsoConnectionBody::new(c, now))
            .collect(),
    ))
}

/// The query of A2: `intent`.
#[derive(Debug, Deserialize)]
struct GenerateLinkQuery {
    intent: PortalIntent,
}

/// The widget scope a link of `intent` needs.
fn intent_scope(intent: PortalIntent) -> &'static str {
    match intent {
        PortalIntent::Sso | PortalIntent::CertificateRenewal => SSO_MANAGE,
        PortalIntent::DomainVerification => DOMAIN_VERIFICATION_MANAGE,
        PortalIntent::LogStreams => AUDIT_LOG_STREAMING_MANAGE,
        PortalIntent::Dsync => DSYNC_MANAGE,
    }
}

/// A2 `POST /_widgets/admin-portal/generate-link?intent=sso|domain_verification|log_streams|dsync|
/// certificate_renewal` (no body) → 201 `{link}`: a one-time Admin Portal link on the emulator
/// (`/portal/<id>?apiToken=…`, 5 minutes; `routes/admin_portal.rs`) for the token's
/// organization. 403 without the intent's scope (`widgets:sso:manage`,
/// `widgets:domain-verification:manage`, `widgets:audit-log-streaming:manage`,
/// `widgets:dsync:manage`); 422 a missing or unknown intent.
async fn generate_portal_link(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
    ApiQuery(query): ApiQuery<GenerateLinkQuery>,
) -> Result<(StatusCode, Json<PortalLinkResponse>), ApiError> {
    let org = caller
        .organization_with(intent_scope(query.intent))?
        .to_string();
    let mut data = env.store.write();
    let link = generate_link(&mut data, &env.base_url, &org, Some(query.intent), None);
    Ok((StatusCode::CREATED, Json(PortalLinkResponse { link })))
}

/// The widgets' `OrganizationDomain`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct OrganizationDomainBody {
    id: String,
    domain: String,
    /// `Pending`, `Verified`, `Failed`, `LegacyVerified`.
    state: &'static str,
    name_server: &'static str,
    verification_prefix: Option<String>,
    verification_token: Option<String>,
    /// Always `null`: the TXT record is on the domain itself (`@`).
    subdomain: Option<String>,
    created_at: String,
}

impl OrganizationDomainBody {
    fn new(d: &OrganizationDomain) -> Self {
        Self {
            id: d.id.clone(),
            domain: d.domain.clone(),
            state: d.state.widget_name(),
            name_server: d.name_server.as_str(),
            verification_prefix: d.verification_prefix.clone(),
            verification_token: d.verification_token.clone(),
            subdomain: None,
            created_at: timestamp(d.created_at),
        }
    }
}

/// D1 `GET /_widgets/admin-portal/organization-domains` → `{data: OrganizationDomain[]}`, oldest
/// first. 403 without `widgets:domain-verification:manage`.
async fn list_domains(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<DataBody<Vec<OrganizationDomainBody>>>, ApiError> {
    let org = caller.organization_with(DOMAIN_VERIFICATION_MANAGE)?;
    let data = env.store.read();
    Ok(Json(DataBody {
        data: data
            .domains_of(org)
            .into_iter()
            .map(OrganizationDomainBody::new)
            .collect(),
    }))
}

/// D2 `DELETE /_widgets/admin-portal/organization-domains/{id}` → the removed
/// `OrganizationDomain`. 403 without `widgets:domain-verification:manage`; 404 not a domain of
/// the token's organization.
async fn delete_domain(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
) -> Result<Json<OrganizationDomainBody>, ApiError> {
    let org = caller.organization_with(DOMAIN_VERIFICATION_MANAGE)?;
    let mut data = env.store.write();
    if data
        .organization_domains
        .get(&id)
        .is_none_or(|d| d.organization_id != org)
    {
        return Err(ApiError::not_found("organization_domain", id));
    }
    let removed = data
        .organization_domains
        .remove(&id)
        .ok_or_else(|| ApiError::not_found("organization_domain", &id))?;
    Ok(Json(OrganizationDomainBody::new(&removed)))
}

/// D3 `POST /_widgets/admin-portal/organization-domains/{id}/reverify` (no body) →
/// `OrganizationDomain`: restarts the DNS verification of a `Failed` domain (→ `Pending`, same
/// TXT record); a `Pending` one stays as it is. 403 without `widgets:domain-verification:manage`;
/// 404 not a domain of the token's organization; 409 an already verified domain.
async fn reverify_domain(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
) -> Result<Json<OrganizationDomainBody>, ApiError> {
    let org = caller.organization_with(DOMAIN_VERIFICATION_MANAGE)?;
    let mut data = env.store.write();
    let domain = data
        .organization_domains
        .get_mut(&id)
        .filter(|d| d.organization_id == org)
        .ok_or_else(|| ApiError::not_found("organization_domain", &id))?;
    if domain.state.is_verified() {
        return Err(ApiError::Conflict(format!(
            "The domain {} is already verified.",
            domain.domain
        )));
    }
    if domain.state == DomainState::Failed {
        domain.state = DomainState::Pending;
        domain.updated_at = now();
    }
    Ok(Json(OrganizationDomainBody::new(domain)))
}

/// The widgets' `AuditLogStreamJSON`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AuditLogStreamBody {
    id: String,
    /// `Active`, `Inactive`, `Error`, `Invalid`.
    state: &'static str,
    #[serde(rename = "type")]
    stream_type: &'static str,
    error_message: Option<String>,
    /// Always `null`: the emulator streams no events.
    last_synced_event_id: Option<String>,
    audit_log_trail_id: String,
}

/// L1's answer: the stream, or `{}` when none is set up (the widget tests for an `id` key).
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum StreamOrNone {
    Stream(AuditLogStreamBody),
    None {},
}

impl StreamOrNone {
    fn new(stream: Option<&AuditLogStream>) -> Self {
        match stream {
            Some(s) => Self::Stream(AuditLogStreamBody {
                id: s.id.clone(),
                state: s.state.as_str(),
                stream_type: s.stream_type.as_str(),
                error_message: s.error_message.clone(),
                last_synced_event_id: None,
                audit_log_trail_id: s.audit_log_trail_id.clone(),
            }),
            None => Self::None {},
        }
    }
}

/// L1 `GET /_widgets/admin-portal/audit-log-stream` → `AuditLogStreamJSON`, or `{}` when the
/// organization has no stream. 403 without `widgets:audit-log-streaming:manage`.
async fn get_stream(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<StreamOrNone>, ApiError> {
    let org = caller.organization_with(AUDIT_LOG_STREAMING_MANAGE)?;
    let data = env.store.read();
    Ok(Json(StreamOrNone::new(data.audit_log_streams.get(org))))
}
