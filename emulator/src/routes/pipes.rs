//! The Pipes OAuth popup (contract §7.7, "OAuth handoff"), served at `authkitOrigin` (the
//! emulator's own origin, `/_widgets/settings`), and the providers' icons for its pages.
//!
//! 1. The widget opens `/pipes/redirecting` in a popup, then asks for an authorization (I3 or J5,
//!    `routes/widgets/pipes.rs`) and sends the popup to its `url`,
//!    `/pipes/authorize/<redirectToken>`: the provider's consent screen, waiting.
//! 2. The widget posts `{handoffToken, redirectToken}` to the popup every 100 ms. The page's script
//!    (`/pipes/handoff.js`) takes the first message from its opener with its own redirect token,
//!    proves the handoff token to `POST /pipes/authorize/<redirectToken>/handoff` (which answers a
//!    one-time consent token, or 403), answers the opener `{redirectToken}` (ending its loop), and
//!    shows the consent screen: the scopes asked for, Allow and Deny.
//! 3. Allow (`POST /pipes/authorize/<redirectToken>` with the consent token) records the connected
//!    account and the window closes itself; the widget refetches its list when its window regains
//!    focus. Deny records nothing and says so. Either ends the authorization.
//!
//! A page that is not the widget's popup never gets the consent screen: without the handoff token
//! (which only the widget has) there is no consent token, and a decision without it is refused.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, extract::FromRequest};
use maud::Markup;
use serde::{Deserialize, Serialize};

use crate::clock::now;
use crate::entities::Data;
use crate::entities::pipes::{AuthMethod, Authorization};
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::ids::{new_secret, secret_eq};
use crate::pages::layout::style_source;
use crate::pages::pipes::{Consent, consent_page, outcome_page, redirecting_page};
use crate::pipes::{DEFAULT_TEAM_NAME, Owner};

/// Where the consent screens live: `<base>/pipes/authorize/<redirect token>`.
const AUTHORIZE_PATH: &str = "/pipes/authorize";
/// The redirect URI PipesAdmin shows for an organization's own OAuth client (the route below).
pub const CALLBACK_PATH: &str = "/pipes/callback";

pub fn router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/pipes/redirecting", get(redirecting))
        .route("/pipes/handoff.js", get(handoff_script))
        .route("/pipes/icons/{file}", get(icon))
        .route("/pipes/callback", get(callback))
        .route(
            "/pipes/authorize/{redirect_token}",
            get(consent).post(decide),
        )
        .route("/pipes/authorize/{redirect_token}/handoff", post(handoff))
}

/// The popup URL of an authorization.
pub fn authorize_url(base_url: &str, redirect_token: &str) -> String {
    format!("{base_url}{AUTHORIZE_PATH}/{redirect_token}")
}

/// An HTML page of the popup: its own script and stylesheet, its icons, forms and fetches to this
/// origin only; not framed, not cached, no referrer (the URL carries the redirect token).
fn html(status: StatusCode, markup: Markup) -> Response {
    let policy = format!(
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src {}; \
         img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        style_source()
    );
    super::html_page(status, &policy, markup)
}

fn unknown_authorization() -> Response {
    html(
        StatusCode::NOT_FOUND,
        outcome_page(
            "Connection request not found",
            "This connection request does not exist, was already answered or has expired. Start \
             the connection again from the app.",
            true,
            false,
        ),
    )
}

/// `GET /pipes/redirecting` → 200 HTML: "Connecting…", until the widget sends the popup on.
async fn redirecting() -> Response {
    html(StatusCode::OK, redirecting_page())
}

/// The consent page's script: the handoff (see the module doc) and the close buttons.
pub const HANDOFF_SCRIPT: &str = r#"(() => {
  const root = document.getElementById("pipes");
  if (!root) return;
  for (const button of document.querySelectorAll("[data-action=close]")) {
    button.addEventListener("click", () => window.close());
  }
  if (root.dataset.close === "true") {
    setTimeout(() => window.close(), 800);
    return;
  }
  const redirectToken = root.dataset.redirectToken;
  if (!redirectToken) return;
  const show = (step) => {
    for (const el of root.querySelectorAll("[data-step]")) el.hidden = el.dataset.step !== step;
  };
  let started = false;
  window.addEventListener("message", async (event) => {
    const data = event.data || {};
    if (started || !window.opener || event.source !== window.opener) return;
    if (data.redirectToken !== redirectToken || typeof data.handoffToken !== "string") return;
    started = true;
    let consentToken = null;
    try {
      const response = await fetch(root.dataset.handoff, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ handoffToken: data.handoffToken }),
      });
      if (response.ok) consentToken = (await response.json()).consentToken;
    } catch {}
    event.source.postMessage({ redirectToken }, event.origin);
    if (!consentToken) return show("refused");
    for (const input of root.querySelectorAll("input[name=consent_token]")) input.value = consentToken;
    show("consent");
  });
  setTimeout(() => { if (!started) show("orphan"); }, 15000);
})();
"#;

/// `GET /pipes/handoff.js` → 200 JavaScript ([`HANDOFF_SCRIPT`]).
async fn handoff_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        HANDOFF_SCRIPT,
    )
        .into_response()
}

/// FNV-1a, for a stable hue per provider.
fn hue(slug: &str) -> u32 {
    slug.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    }) % 360
}

/// A provider's icon: a rounded tile with its initials, tinted per provider.
fn icon_svg(slug: &str, name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let initials: String = match words.as_slice() {
        [first, second, ..] => first
            .chars()
            .take(1)
            .chain(second.chars().take(1))
            .collect(),
        [one] => {
            let caps: String = one.chars().filter(char::is_ascii_uppercase).collect();
            if caps.len() >= 2 {
                caps.chars().take(2).collect()
            } else {
                one.chars().take(2).collect()
            }
        }
        [] => "?".into(),
    };
    let initials = maud::html! { (initials) }.into_string();
    let hue = hue(slug);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40"><rect width="40" height="40" rx="9" fill="hsl({hue} 55% 40%)"/><text x="20" y="25.5" text-anchor="middle" font-family="system-ui,sans-serif" font-size="15" font-weight="600" fill="#fff">{initials}</text></svg>"##
    )
}

/// `GET /pipes/icons/{slug}.svg` → 200 `image/svg+xml`: the provider's icon on the popup's pages
/// (the widget itself draws the app's local icons by `iconSlug`). 404 for an unknown provider.
async fn icon(State(env): State<Arc<Environment>>, Path(file): Path<String>) -> Response {
    let data = env.store.read();
    let found = file
        .strip_suffix(".svg")
        .and_then(|slug| data.data_integration(slug));
    match found {
        Some(i) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            icon_svg(&i.slug, &i.name),
        )
            .into_response(),
        None => ApiError::not_found("icon", file).into_response(),
    }
}

/// `GET /pipes/callback` → 200 HTML: the redirect URI PipesAdmin shows for an organization's own
/// OAuth client. The emulator's consent screen decides itself, so no provider ever sends anyone
/// here; the page says so.
async fn callback() -> Response {
    html(
        StatusCode::OK,
        outcome_page(
            "Pipes OAuth callback",
            "Providers send people back here after they consent. The emulator's consent screen \
             records the connection itself, so there is nothing to do on this page.",
            false,
            false,
        ),
    )
}

/// The live authorization with this redirect token.
fn pending<'a>(data: &'a Data, redirect_token: &str) -> Option<&'a Authorization> {
    data.pipes_authorizations
        .get(redirect_token)
        .filter(|a| a.expires_at > now())
}

/// `GET /pipes/authorize/{redirectToken}` → 200 HTML: the consent screen of a live authorization,
/// waiting for the widget's handoff. 404 page for an unknown, answered or expired one.
async fn consent(
    State(env): State<Arc<Environment>>,
    Path(redirect_token): Path<String>,
) -> Response {
    let data = env.store.read();
    let Some(a) = pending(&data, &redirect_token) else {
        return unknown_authorization();
    };
    let Some(integration) = data.data_integration(&a.slug) else {
        return unknown_authorization();
    };
    let organization = data
        .organizations
        .get(&a.organization_id)
        .map_or(a.organization_id.as_str(), |o| o.name.as_str());
    let account = a
        .user_id
        .as_ref()
        .and_then(|u| data.users.get(u))
        .map(|u| u.email.as_str());
    let action = format!("{AUTHORIZE_PATH}/{redirect_token}");
    html(
        StatusCode::OK,
        consent_page(&Consent {
            team_name: data.team_name.as_deref().unwrap_or(DEFAULT_TEAM_NAME),
            provider: &integration.name,
            slug: &integration.slug,
            account,
            organization,
            scopes: &a.scopes,
            action: &action,
            redirect_token: &redirect_token,
        }),
    )
}

/// The handoff's body: the token the widget posted to the popup.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HandoffRequest {
    handoff_token: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct HandoffResponse {
    /// What Allow and Deny carry.
    consent_token: String,
}

/// `POST /pipes/authorize/{redirectToken}/handoff` `{handoffToken}` → 200 `{consentToken}`: the
/// popup proves it was opened by the widget that started the authorization. The same consent
/// token again for a repeated handoff. 403 for another handoff token; 404 for an unknown,
/// answered or expired authorization.
async fn handoff(
    State(env): State<Arc<Environment>>,
    Path(redirect_token): Path<String>,
    ApiJson(body): ApiJson<HandoffRequest>,
) -> Result<Json<HandoffResponse>, ApiError> {
    let mut data = env.store.write();
    let live = pending(&data, &redirect_token).is_some();
    let Some(a) = data
        .pipes_authorizations
        .get_mut(&redirect_token)
        .filter(|_| live)
    else {
        return Err(ApiError::not_found("authorization", redirect_token));
    };
    if !secret_eq(&a.handoff_token, &body.handoff_token) {
        return Err(ApiError::Forbidden(
            "The handoff token does not match this authorization.".into(),
        ));
    }
    let consent_token = a.consent_token.get_or_insert_with(new_secret).clone();
    Ok(Json(HandoffResponse { consent_token }))
}

/// The consent screen's decision.
#[derive(Debug, Deserialize)]
struct Decision {
    consent_token: String,
    /// `allow` or `deny`.
    decision: String,
}

/// `POST /pipes/authorize/{redirectToken}` (form `consent_token`, `decision=allow|deny`) → 200
/// HTML. Allow records the connected account (OAuth, the authorization's scopes and config) and
/// the page closes itself; Deny records nothing ("access denied"). Either ends the authorization.
/// 403 page without the handoff's consent token (the authorization stays); 404 page for an
/// unknown, answered or expired authorization; 400 page for a malformed form; 409 page when the
/// provider is no longer offered.
async fn decide(
    State(env): State<Arc<Environment>>,
    Path(redirect_token): Path<String>,
    request: axum::extract::Request,
) -> Response {
    let form: Result<Form<Decision>, FormRejection> = Form::from_request(request, &()).await;
    let Ok(Form(decision)) = form else {
        return html(
            StatusCode::BAD_REQUEST,
            outcome_page(
                "Connection not completed",
                "The consent form was incomplete. Start the connection again from the app.",
                true,
                false,
            ),
        );
    };
    let mut data = env.store.write();
    let Some(a) = pending(&data, &redirect_token).cloned() else {
        return unknown_authorization();
    };
    let consented = a
        .consent_token
        .as_deref()
        .is_some_and(|t| secret_eq(t, &decision.consent_token));
    if !consented || !matches!(decision.decision.as_str(), "allow" | "deny") {
        return html(
            StatusCode::FORBIDDEN,
            outcome_page(
                "Connection not verified",
                "This consent was not given in the window the app opened. Start the connection \
                 again from the app.",
                true,
                false,
            ),
        );
    }
    data.pipes_authorizations.remove(&redirect_token);
    let owner = match &a.user_id {
        Some(user_id) => Owner::User {
            user_id,
            organization_id: &a.organization_id,
        },
        None => Owner::Organization {
            organization_id: &a.organization_id,
        },
    };
    let name = data
        .data_integration(&a.slug)
        .map_or_else(|| a.slug.clone(), |i| i.name.clone());
    if decision.decision == "deny" {
        return html(
            StatusCode::OK,
            outcome_page(
                "Access denied",
                &format!("You denied access. {name} was not connected."),
                true,
                false,
            ),
        );
    }
    let integration = match data.connectable(owner, &a.slug) {
        Ok(i) => i.clone(),
        Err(_) => {
            return html(
                StatusCode::CONFLICT,
                outcome_page(
                    "Connection not completed",
                    &format!("{name} is no longer offered. Ask an admin to enable it."),
                    true,
                    false,
                ),
            );
        }
    };
    let scopes = a.scopes.clone();
    let config: BTreeMap<String, String> = a.config.clone();
    let connected = data.connect(
        owner,
        &integration,
        AuthMethod::Oauth,
        |i| {
            i.scopes = scopes;
            i.api_key_last_4 = None;
            i.client_id = None;
            i.client_secret_last_4 = None;
            i.config = config;
        },
        now(),
    );
    match connected {
        Ok(_) => html(
            StatusCode::OK,
            outcome_page(
                "Connected",
                &format!("{name} is connected. You can close this window."),
                false,
                true,
            ),
        ),
        Err(e) => html(
            StatusCode::CONFLICT,
            outcome_page("Connection not completed", &e.to_string(), true, false),
        ),
    }
}
