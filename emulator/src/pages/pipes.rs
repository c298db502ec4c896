//! The Pipes OAuth popup's pages: the "redirecting" page the widget opens first, the provider's
//! consent screen (shown once the widget has handed the popup its token), and the outcome. The
//! routes are `routes/pipes.rs`; the handoff script is `HANDOFF_SCRIPT` there.

use maud::{Markup, html};

use super::layout::page;

/// What the consent screen shows.
pub struct Consent<'a> {
    /// The app's name (`teamName`).
    pub team_name: &'a str,
    pub provider: &'a str,
    pub slug: &'a str,
    /// Who connects: the member's email, or `None` for the organization's shared account.
    pub account: Option<&'a str>,
    pub organization: &'a str,
    pub scopes: &'a [String],
    /// `/pipes/authorize/<redirect token>`: the decision form's action; the handoff is posted to
    /// `<action>/handoff`.
    pub action: &'a str,
    pub redirect_token: &'a str,
}

fn script() -> Markup {
    html! { script src="/pipes/handoff.js" defer {} }
}

/// The page the widget opens in its popup before it knows the authorization URL.
pub fn redirecting_page() -> Markup {
    page(
        "Connecting…",
        html! {
            div class="card" {
                h1 { "Connecting…" }
                p class="sub" { "Waiting for the application to start the connection." }
            }
        },
    )
}

fn icon(slug: &str, provider: &str) -> Markup {
    html! {
        img src=(format!("/pipes/icons/{slug}.svg")) alt=(format!("{provider} logo")) width="40" height="40";
    }
}

/// The provider's consent screen. Its steps (`data-step`) are switched by the handoff script:
/// `waiting` until the widget's token is checked, then `consent` (Allow / Deny), or `refused`
/// (a token that does not match) or `orphan` (no widget opened this window).
pub fn consent_page(c: &Consent<'_>) -> Markup {
    let whose = match c.account {
        Some(email) => format!("your {} account ({email})", c.provider),
        None => format!("{}'s shared {} account", c.organization, c.provider),
    };
    page(
        &format!("Connect {}", c.provider),
        html! {
            div class="card" id="pipes" data-redirect-token=(c.redirect_token) data-handoff=(format!("{}/handoff", c.action)) {
                (icon(c.slug, c.provider))
                h1 { "Connect " (c.provider) }
                p class="sub" { (c.organization) " · emulated " (c.provider) " authorization" }
                div data-step="waiting" {
                    p class="status" role="status" { "Checking the request from " (c.team_name) "…" }
                }
                div data-step="consent" hidden {
                    p { strong { (c.team_name) } " wants to access " (whose) "." }
                    @if c.scopes.is_empty() {
                        p class="status" { "No scopes: it asks for the account's basic access only." }
                    } @else {
                        p { "It asks for these scopes:" }
                        ul aria-label="Requested scopes" {
                            @for scope in c.scopes { li { code { (scope) } } }
                        }
                    }
                    div class="actions" {
                        form method="post" action=(c.action) {
                            input type="hidden" name="consent_token" value="";
                            input type="hidden" name="decision" value="deny";
                            button class="secondary" type="submit" { "Deny" }
                        }
                        form method="post" action=(c.action) {
                            input type="hidden" name="consent_token" value="";
                            input type="hidden" name="decision" value="allow";
                            button class="secondary" type="submit" { "Allow" }
                        }
                    }
                }
                div data-step="refused" hidden {
                    p class="error" role="alert" { "This connection request could not be verified. Start it again from " (c.team_name) "." }
                }
                div data-step="orphan" hidden {
                    p class="error" role="alert" { "This window was not opened by " (c.team_name) ". Start the connection from the app." }
                }
            }
            (script())
        },
    )
}

/// The outcome: connected (the window closes itself), denied, or failed; `closes` makes the
/// script close the window after a moment.
pub fn outcome_page(title: &str, message: &str, error: bool, closes: bool) -> Markup {
    page(
        title,
        html! {
            div class="card" id="pipes" data-close=(closes) {
                h1 { (title) }
                @if error {
                    p class="error" role="alert" { (message) }
                } @else {
                    p class="ok" role="status" { (message) }
                }
                button class="secondary done" type="button" data-action="close" { "Close this window" }
            }
            (script())
        },
    )
}
