//! The Admin Portal: `POST /portal/generate_link` (API key; spec `PortalSessionsController_create`)
//! and the emulator's own small portal that its links open (the HTML is `pages/admin_portal.rs`).
//!
//! A link is `<emulator>/portal/<id>?apiToken=<token>`, bound to one organization and one intent,
//! single-use and valid for 5 minutes, as WorkOS's portal links are. The widgets open it with a
//! form POST of `apiToken` to `/portal/<id>` (SSO, domains; contract §7.3) or a plain GET with
//! `apiToken` in the URL (log streams, directory sync; §7.5, §7.6). Opening it starts a 15-minute
//! portal session: a cookie scoped to `/portal/<id>` on the emulator's host, which the portal's
//! own forms then carry. Every change made there is what the widgets' endpoints answer next.
//! A bad, used or expired link shows a page saying so, with a 4xx status.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use maud::Markup;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::auth::ApiKey;
use crate::clock::now;
use crate::entities::{
    AuditLogStream, AuditLogStreamState, AuditLogStreamType, ConnectionProtocol, ConnectionState,
    ConnectionType, Data, Directory, DirectoryState, DirectoryType, DomainState, NameServer,
    OrganizationDomain, PortalIntent, PortalLink, PortalSession, SsoConnection, X509Certificate,
    valid_domain,
};
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::ids::{new_id, new_secret, secret_eq};
use crate::keys::self_signed_certificate;
use crate::pages::admin_portal::{CertificateChoice, FormError, PortalView, SECTIONS, portal_page};
use crate::pages::layout::style_source;
use crate::pages::notice::notice;

/// Portal links open once within 5 minutes of their creation (WorkOS: "It expires five minutes
/// after issuance").
pub const PORTAL_LINK_TTL: Duration = Duration::minutes(5);
/// A portal session lasts 15 minutes from opening its link.
pub const PORTAL_SESSION_TTL: Duration = Duration::minutes(15);
/// The portal session cookie (path `/portal/<link id>`).
pub const PORTAL_COOKIE: &str = "workos_emulator_portal";
/// Where a portal link leads, below the emulator's base URL.
const PORTAL_PATH: &str = "/portal";

pub fn router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/portal/generate_link", post(generate_link_api))
        .route("/portal/{id}", get(open_with_get).post(open_with_form))
        .route("/portal/{id}/sso", post(save_connection))
        .route("/portal/{id}/domains", post(add_domain))
        .route(
            "/portal/{id}/domains/{domain_id}/verify",
            post(verify_domain),
        )
        .route("/portal/{id}/domains/{domain_id}/fail", post(fail_domain))
        .route("/portal/{id}/directory", post(save_directory))
        .route("/portal/{id}/log-stream", post(save_log_stream))
}

/// A new one-time portal link for `organization_id` and `intent` (5 minutes): its URL,
/// `<base_url>/portal/<id>?apiToken=<token>`. Expired links whose session has ended are dropped
/// here, so the store does not grow with every widget that asks for a link.
pub fn generate_link(
    data: &mut Data,
    base_url: &str,
    organization_id: &str,
    intent: Option<PortalIntent>,
    return_url: Option<String>,
) -> String {
    let now = now();
    data.portal_links.retain(|_, link| {
        link.expires_at > now || link.session.as_ref().is_some_and(|s| s.expires_at > now)
    });
    let link = PortalLink {
        id: new_id("portal_link"),
        organization_id: organization_id.into(),
        intent,
        token: new_secret(),
        expires_at: now + PORTAL_LINK_TTL,
        return_url,
        used_at: None,
        session: None,
    };
    let url = format!(
        "{base_url}{PORTAL_PATH}/{}?apiToken={}",
        link.id, link.token
    );
    data.portal_links.insert(link.id.clone(), link);
    url
}

/// Body of `POST /portal/generate_link` (spec `GenerateLinkDto`); other fields are accepted and
/// ignored.
#[derive(Debug, Deserialize)]
struct GenerateLinkRequest {
    organization: String,
    intent: Option<String>,
    return_url: Option<String>,
}

/// `{link}` (spec `PortalLinkResponse`; also the widgets' `GenerateAdminPortalLink201`).
#[derive(Debug, Serialize)]
pub struct PortalLinkResponse {
    pub link: String,
}

/// `POST /portal/generate_link` (API key) → 201 `{link}`: a one-time Admin Portal link for the
/// organization and intent (`sso`, `dsync`, `log_streams`, `domain_verification`,
/// `certificate_renewal`; none: every section). Errors: 401 bad API key; 404 unknown
/// organization; 422 an intent the emulator has no portal for (`audit_logs`,
/// `bring_your_own_key`) or a `return_url` that is not http(s).
async fn generate_link_api(
    _: ApiKey,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<GenerateLinkRequest>,
) -> Result<(StatusCode, Json<PortalLinkResponse>), ApiError> {
    let intent =
        body.intent
            .as_deref()
            .map(|text| {
                serde_json::from_value::<PortalIntent>(serde_json::Value::String(text.into()))
                    .map_err(|_| {
                        ApiError::Unprocessable(format!(
                            "intent '{text}' has no Admin Portal in the emulator: use sso, dsync, \
                         log_streams, domain_verification or certificate_renewal."
                        ))
                    })
            })
            .transpose()?;
    if let Some(url) = &body.return_url
        && !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        return Err(ApiError::Unprocessable(format!(
            "return_url '{url}' is not an http(s) URL."
        )));
    }
    let mut data = env.store.write();
    if !data.organizations.contains_key(&body.organization) {
        return Err(ApiError::not_found("organization", body.organization));
    }
    let link = generate_link(
        &mut data,
        &env.base_url,
        &body.organization,
        intent,
        body.return_url,
    );
    Ok((StatusCode::CREATED, Json(PortalLinkResponse { link })))
}

/// An HTML answer of the portal with its headers: a Content-Security-Policy that allows the
/// page's one stylesheet (by hash), `data:` images, forms to this origin and nothing else; no
/// caching; no referrer (a link's URL may carry its token).
fn html(status: StatusCode, markup: Markup) -> Response {
    let policy = format!(
        "default-src 'none'; style-src {}; img-src data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
        style_source()
    );
    super::html_page(status, &policy, markup)
}

/// A page that says why the portal cannot be shown.
fn refusal(status: StatusCode, title: &str, message: &str) -> Response {
    html(status, notice(title, message))
}

fn unknown_link() -> Response {
    refusal(
        StatusCode::NOT_FOUND,
        "Admin Portal link not found",
        "This Admin Portal link does not exist. Open the Admin Portal from the app again.",
    )
}

fn session_ended() -> Response {
    refusal(
        StatusCode::FORBIDDEN,
        "Admin Portal session ended",
        "Your Admin Portal session has ended or was opened in another browser. Open the Admin \
         Portal from the app again.",
    )
}

/// A redirect after a form (303, so the browser then GETs the page).
fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// Whether the request carries the live session of `link`.
fn has_session(link: &PortalLink, headers: &HeaderMap, now: OffsetDateTime) -> bool {
    link.session.as_ref().is_some_and(|session| {
        session.expires_at > now
            && super::cookies(headers, PORTAL_COOKIE).any(|c| secret_eq(c, &session.secret))
    })
}

/// The query of `GET /portal/{id}`: the link's token when opening it, `saved` after a change.
#[derive(Debug, Deserialize)]
struct OpenQuery {
    #[serde(rename = "apiToken")]
    api_token: Option<String>,
    saved: Option<String>,
}

/// The form the widgets post to open a link (contract §7.3 `openAdminPortalViaForm`).
#[derive(Debug, Deserialize)]
struct OpenForm {
    #[serde(rename = "apiToken")]
    api_token: String,
}

/// `GET /portal/{id}?apiToken=…` opens a link (a plain GET: the audit-log streaming and directory
/// sync widgets): 303 to `/portal/{id}` with the session cookie. `GET /portal/{id}` with the
/// session cookie: the portal page (200 HTML). Errors (HTML): 404 unknown link; 403 wrong token or
/// no live session; 410 a link already used (by another browser) or expired.
async fn open_with_get(
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    query: Result<Query<OpenQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "Admin Portal link not valid",
            "This Admin Portal link is malformed.",
        );
    };
    match query.api_token {
        Some(token) => open(&env, &id, &token, &headers),
        None => {
            let saved = query.saved.as_deref().map(|_| "Saved.");
            render(&env, &id, &headers, saved, None)
        }
    }
}

/// `POST /portal/{id}` with the form field `apiToken`: opens a link as the SSO and domain
/// widgets do (contract §7.3), like the GET with the token.
async fn open_with_form(
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<OpenForm>, FormRejection>,
) -> Response {
    match form {
        Ok(Form(form)) => open(&env, &id, &form.api_token, &headers),
        Err(_) => refusal(
            StatusCode::BAD_REQUEST,
            "Admin Portal link not valid",
            "Opening the Admin Portal needs the link's apiToken.",
        ),
    }
}

/// Opens link `id` with `token` once: marks it used, starts a session and sends the browser to
/// the portal page with the session cookie. A browser that already holds this link's session is
/// sent to the page again (the log-streams widget keeps the link it opened as its button's `href`).
fn open(env: &Environment, id: &str, token: &str, headers: &HeaderMap) -> Response {
    let now = now();
    let page = format!("{PORTAL_PATH}/{id}");
    let mut data = env.store.write();
    let Some(link) = data.portal_links.get_mut(id) else {
        return unknown_link();
    };
    if !secret_eq(token, &link.token) {
        return refusal(
            StatusCode::FORBIDDEN,
            "Admin Portal link not valid",
            "This Admin Portal link is not valid. Open the Admin Portal from the app again.",
        );
    }
    if has_session(link, headers, now) {
        return see_other(&page);
    }
    if link.used_at.is_some() {
        return refusal(
            StatusCode::GONE,
            "Admin Portal link already used",
            "This Admin Portal link was already used: each link opens the Admin Portal once. \
             Open the Admin Portal from the app again.",
        );
    }
    if link.expires_at <= now {
        return refusal(
            StatusCode::GONE,
            "Admin Portal link expired",
            "This Admin Portal link has expired: links work for 5 minutes. Open the Admin Portal \
             from the app again.",
        );
    }
    let secret = new_secret();
    link.used_at = Some(now);
    link.session = Some(PortalSession {
        secret: secret.clone(),
        expires_at: now + PORTAL_SESSION_TTL,
    });
    tracing::info!(link = %id, organization = %link.organization_id, "Admin Portal session started");
    let cookie = format!(
        "{PORTAL_COOKIE}={secret}; Path={page}; Max-Age={}; HttpOnly; SameSite=Lax",
        PORTAL_SESSION_TTL.whole_seconds()
    );
    let mut response = see_other(&page);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// The portal page of link `id` for a request with its session (else a refusal page).
fn render(
    env: &Environment,
    id: &str,
    headers: &HeaderMap,
    saved: Option<&'static str>,
    error: Option<(StatusCode, FormError)>,
) -> Response {
    let now = now();
    let data = env.store.read();
    let Some(link) = data.portal_links.get(id) else {
        return unknown_link();
    };
    if !has_session(link, headers, now) {
        return session_ended();
    }
    let org = &link.organization_id;
    let mut connections: Vec<&SsoConnection> = data
        .sso_connections
        .values()
        .filter(|c| &c.organization_id == org)
        .collect();
    connections.sort_by_key(|c| (c.created_at, c.id.clone()));
    let (status, error) = match error {
        Some((status, error)) => (status, Some(error)),
        None => (StatusCode::OK, None),
    };
    let view = PortalView {
        base: format!("{PORTAL_PATH}/{id}"),
        organization: data
            .organizations
            .get(org)
            .map_or(org.as_str(), |o| o.name.as_str()),
        sections: SECTIONS.into_iter().filter(|s| link.allows(*s)).collect(),
        connections,
        domains: data.domains_of(org),
        directory: data
            .directories
            .values()
            .find(|d| &d.organization_id == org),
        stream: data.audit_log_streams.get(org),
        return_url: link.return_url.as_deref(),
        saved,
        error,
        now,
    };
    html(status, portal_page(&view))
}

/// What a form handler decided: a redirect to the page with "Saved.", or the page again with an
/// error in `section`.
type Outcome = Result<(), (StatusCode, FormError)>;

fn refuse(status: StatusCode, section: PortalIntent, message: impl Into<String>) -> Outcome {
    Err((
        status,
        FormError {
            section,
            message: message.into(),
        },
    ))
}

/// Runs a portal form: checks the session of link `id` and that the link opens `section`, then
/// `change` on the data with the link's organization; answers 303 to the page ("Saved.") or the
/// page with the error. Errors (HTML): 404 unknown link; 403 no live session, or a section this
/// link does not open; a refused form as `change` decides (400, 404, 409, 422).
fn act(
    env: &Environment,
    id: &str,
    headers: &HeaderMap,
    section: PortalIntent,
    change: impl FnOnce(&mut Data, &str, OffsetDateTime) -> Outcome,
) -> Response {
    let now = now();
    let outcome = {
        let data = env.store.read();
        let Some(link) = data.portal_links.get(id) else {
            return unknown_link();
        };
        if !has_session(link, headers, now) {
            return session_ended();
        }
        if !link.allows(section) {
            return refusal(
                StatusCode::FORBIDDEN,
                "Not part of this Admin Portal link",
                "This Admin Portal link was opened for another task. Open the Admin Portal from \
                 the app again.",
            );
        }
        let organization = link.organization_id.clone();
        drop(data);
        let mut data = env.store.write();
        change(&mut data, &organization, now)
    };
    match outcome {
        Ok(()) => see_other(&format!("{PORTAL_PATH}/{id}?saved=1")),
        Err(error) => render(env, id, headers, None, Some(error)),
    }
}

/// A form that did not parse: 422 in the section.
fn bad_form(section: PortalIntent, rejection: &FormRejection) -> Outcome {
    refuse(
        StatusCode::UNPROCESSABLE_ENTITY,
        section,
        format!(
            "The form is incomplete or invalid: {}",
            rejection.body_text()
        ),
    )
}

/// An optional text field: trimmed, empty = none, at most 100 characters.
fn optional_name(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(100).collect())
}

#[derive(Debug, Deserialize)]
struct ConnectionForm {
    #[serde(rename = "type")]
    connection_type: ConnectionType,
    name: Option<String>,
    certificate: Option<CertificateChoice>,
}

/// `POST /portal/{id}/sso` (session; SSO or certificate-renewal link), form `type` (the widgets'
/// connection type, e.g. `OktaSaml`, `GoogleOidc`), `name` (optional), `certificate` (`valid`,
/// `expiring`: 14 days left, `expired`: 3 days ago; SAML only): sets up the organization's SSO
/// connection (or reconfigures its first one), `Active`. 303 to the page; 422 a bad form.
async fn save_connection(
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ConnectionForm>, FormRejection>,
) -> Response {
    let section = PortalIntent::Sso;
    act(&env, &id, &headers, section, |data, org, now| {
        let form = match form {
            Ok(Form(form)) => form,
            Err(rejection) => return bad_form(section, &rejection),
        };
        let kind = form.connection_type;
        let name = optional_name(form.name.as_deref()).unwrap_or_else(|| kind.label().into());
        let certificates = match kind.protocol() {
            ConnectionProtocol::OpenIdConnect => Vec::new(),
            ConnectionProtocol::Saml => {
                let not_after = match form.certificate.unwrap_or(CertificateChoice::Valid) {
                    CertificateChoice::Valid => now + Duration::days(365),
                    CertificateChoice::Expiring => now + Duration::days(14),
                    CertificateChoice::Expired => now - Duration::days(3),
                };
                let not_before = not_after - Duration::days(365);
                let Ok(value) = self_signed_certificate(&name, not_before, not_after) else {
                    return refuse(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        section,
                        "The signing certificate could not be made.",
                    );
                };
                vec![X509Certificate {
                    id: new_id("cert"),
                    value,
                    not_before,
                    not_after,
                }]
            }
        };
        let existing = data
            .sso_connections
            .values_mut()
            .filter(|c| c.organization_id == org)
            .min_by_key(|c| (c.created_at, c.id.clone()));
        match existing {
            Some(connection) => {
                connection.name = name;
                connection.connection_type = kind;
                connection.state = ConnectionState::Active;
                connection.x509_certificates = certificates;
                connection.updated_at = now;
            }
            None => {
                let connection = SsoConnection {
                    id: new_id("conn"),
                    organization_id: org.into(),
                    name,
                    connection_type: kind,
                    state: ConnectionState::Active,
                    x509_certificates: certificates,
                    last_session: None,
                    created_at: now,
                    updated_at: now,
                };
                data.sso_connections
                    .insert(connection.id.clone(), connection);
            }
        }
        Ok(())
    })
}

#[derive(Debug, Deserialize)]
struct DomainForm {
    domain: String,
    name_server: Option<NameServer>,
}

/// `POST /portal/{id}/domains` (session; domain-verification link), form `domain`,
/// `name_server` (optional, the widgets' name servers): adds the domain, `Pending`, with a DNS TXT
/// verification token. 303 to the page; 422 not a domain name; 409 a domain some organization
/// already has.
async fn add_domain(
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<DomainForm>, FormRejection>,
) -> Response {
    let section = PortalIntent::DomainVerification;
    act(&env, &id, &headers, section, |data, org, now| {
        let form = match form {
            Ok(Form(form)) => form,
            Err(rejection) => return bad_form(section, &rejection),
        };
        let domain = form
            .domain
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if !valid_domain(&domain) {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                section,
                format!("'{}' is not a domain name.", form.domain.trim()),
            );
        }
        if data
            .organization_domains
            .values()
            .any(|d| d.domain == domain)
        {
            return refuse(
                StatusCode::CONFLICT,
                section,
                format!("The domain {domain} is already in use."),
            );
        }
        let entry = OrganizationDomain::new(
            &new_id("org_domain"),
            org,
            &domain,
            form.name_server.unwrap_or(NameServer::Other),
            now,
        );
        data.organization_domains.insert(entry.id.clone(), entry);
        Ok(())
    })
}

/// The organization's domain `domain_id`, or a 404 in the domains section.
fn own_domain<'a>(
    data: &'a mut Data,
    org: &str,
    domain_id: &str,
) -> Result<&'a mut OrganizationDomain, (StatusCode, FormError)> {
    data.organization_domains
        .get_mut(domain_id)
        .filter(|d| d.organization_id == org)
        .ok_or_else(|| {
            (
                StatusCode::NOT_FOUND,
                FormError {
                    section: PortalIntent::DomainVerification,
                    message: "That domain is not one of this organization's.".into(),
                },
            )
        })
}

/// `POST /portal/{id}/domains/{domain_id}/verify` (session; domain-verification link): stands in
/// for the DNS TXT check succeeding: `Pending` or `Failed` → `Verified`. 303 to the page; 404 a
/// domain of another organization.
async fn verify_domain(
    State(env): State<Arc<Environment>>,
    Path((id, domain_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    act(
        &env,
        &id,
        &headers,
        PortalIntent::DomainVerification,
        |data, org, now| {
            let domain = own_domain(data, org, &domain_id)?;
            if !domain.state.is_verified() {
                domain.state = DomainState::Verified;
                domain.updated_at = now;
            }
            Ok(())
        },
    )
}

/// `POST /portal/{id}/domains/{domain_id}/fail` (session; domain-verification link): stands in
/// for the DNS TXT check failing: `Pending` → `Failed` (the widget then offers "Restart
/// verification"). 303 to the page; 404 a domain of another organization; 409 a verified domain.
async fn fail_domain(
    State(env): State<Arc<Environment>>,
    Path((id, domain_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    act(
        &env,
        &id,
        &headers,
        PortalIntent::DomainVerification,
        |data, org, now| {
            let domain = own_domain(data, org, &domain_id)?;
            if domain.state.is_verified() {
                let message = format!("The domain {} is already verified.", domain.domain);
                return refuse(
                    StatusCode::CONFLICT,
                    PortalIntent::DomainVerification,
                    message,
                );
            }
            domain.state = DomainState::Failed;
            domain.updated_at = now;
            Ok(())
        },
    )
}

/// The largest user or group count the directory form takes.
const MAX_COUNT: u32 = 1_000_000;

#[derive(Debug, Deserialize)]
struct DirectoryForm {
    #[serde(rename = "type")]
    directory_type: DirectoryType,
    name: Option<String>,
    users_active: u32,
    users_inactive: u32,
    groups: u32,
}

/// `POST /portal/{id}/directory` (session; dsync link), form `type` (the widgets' directory type,
/// e.g. `okta scim v2.0`), `name` (optional), `users_active`, `users_inactive`, `groups`
/// (0–1,000,000): sets up the organization's directory (or reconfigures it), `linked`, synced now.
/// 303 to the page; 422 a bad form.
async fn save_directory(
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<DirectoryForm>, FormRejection>,
) -> Response {
    let section = PortalIntent::Dsync;
    act(&env, &id, &headers, section, |data, org, now| {
        let form = match form {
            Ok(Form(form)) => form,
            Err(rejection) => return bad_form(section, &rejection),
        };
        if [form.users_active, form.users_inactive, form.groups]
            .iter()
            .any(|n| *n > MAX_COUNT)
        {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                section,
                format!("Counts go up to {MAX_COUNT}."),
            );
        }
        let kind = form.directory_type;
        let name = optional_name(form.name.as_deref()).unwrap_or_else(|| kind.label().into());
        let directory = data
            .directories
            .values_mut()
            .find(|d| d.organization_id == org);
        let directory = match directory {
            Some(directory) => directory,
            None => {
                let id = new_id("directory");
                data.directories.insert(
                    id.clone(),
                    Directory {
                        id: id.clone(),
                        organization_id: org.into(),
                        name: name.clone(),
                        directory_type: kind,
                        state: DirectoryState::Linked,
                        users_active: 0,
                        users_inactive: 0,
                        groups: 0,
                        last_sync_run_at: None,
                        created_at: now,
                        updated_at: now,
                    },
                );
                data.directories.get_mut(&id).expect("just inserted")
            }
        };
        directory.name = name;
        directory.directory_type = kind;
        directory.state = DirectoryState::Linked;
        directory.users_active = form.users_active;
        directory.users_inactive = form.users_inactive;
        directory.groups = form.groups;
        directory.last_sync_run_at = Some(now);
        directory.updated_at = now;
        Ok(())
    })
}

#[derive(Debug, Deserialize)]
struct StreamForm {
    #[serde(rename = "type")]
    stream_type: AuditLogStreamType,
    state: AuditLogStreamState,
}

/// `POST /portal/{id}/log-stream` (session; log-streams link), form `type` (`Datadog`, `Splunk`,
/// `S3`, `GoogleCloudStorage`, `GenericHttps`, `AzureSentinel`, `Snowflake`) and `state`
/// (`Active`, `Inactive`, `Error`, `Invalid`): sets up the organization's audit-log stream (or
/// reconfigures it); `Error` and `Invalid` carry an error message. 303 to the page; 422 a bad form.
async fn save_log_stream(
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<StreamForm>, FormRejection>,
) -> Response {
    let section = PortalIntent::LogStreams;
    act(&env, &id, &headers, section, |data, org, now| {
        let form = match form {
            Ok(Form(form)) => form,
            Err(rejection) => return bad_form(section, &rejection),
        };
        let error_message = match form.state {
            AuditLogStreamState::Error => {
                Some("The destination refused the last batch of events.".to_string())
            }
            AuditLogStreamState::Invalid => {
                Some("The destination's credentials are invalid.".to_string())
            }
            AuditLogStreamState::Active | AuditLogStreamState::Inactive => None,
        };
        let stream = data
            .audit_log_streams
            .entry(org.to_string())
            .or_insert_with(|| AuditLogStream {
                id: new_id("als"),
                organization_id: org.into(),
                stream_type: form.stream_type,
                state: form.state,
                error_message: None,
                audit_log_trail_id: new_id("alt"),
                created_at: now,
                updated_at: now,
            });
        stream.stream_type = form.stream_type;
        stream.state = form.state;
        stream.error_message = error_message;
        stream.updated_at = now;
        Ok(())
    })
}
