//! The AuthKit sign-in page: email and password, and the demo accounts as one-click buttons.

use maud::{Markup, html};

use super::layout::page;

/// An AuthKit authorization request (`GET /user_management/authorize`'s query): the client, where
/// to send the code, the app's OAuth `state`, the PKCE S256 challenge, the organization to sign in
/// to and an email hint. Every step's form carries it along as hidden fields.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub organization_id: Option<String>,
    pub login_hint: Option<String>,
}

/// One demo account offered for one-click sign-in.
pub struct DemoAccount {
    pub name: String,
    pub email: String,
    /// e.g. "Acme Corp admin · Globex member".
    pub memberships: String,
}

/// The authorization request as hidden fields, so every step's form carries it to the next.
pub fn hidden_fields(request: &AuthorizeRequest) -> Markup {
    html! {
        input type="hidden" name="client_id" value=(request.client_id);
        input type="hidden" name="redirect_uri" value=(request.redirect_uri);
        @if let Some(v) = &request.state { input type="hidden" name="state" value=(v); }
        @if let Some(v) = &request.code_challenge { input type="hidden" name="code_challenge" value=(v); }
        @if let Some(v) = &request.code_challenge_method { input type="hidden" name="code_challenge_method" value=(v); }
        @if let Some(v) = &request.organization_id { input type="hidden" name="organization_id" value=(v); }
    }
}

/// The AuthKit sign-in page: email + password, and each demo account as a one-click button.
pub fn sign_in_page(
    request: &AuthorizeRequest,
    accounts: &[DemoAccount],
    email: &str,
    error: Option<&str>,
    demo_password: &str,
) -> Markup {
    let (featured, more) = accounts.split_at(accounts.len().min(3));
    let demo_button = |account: &DemoAccount| {
        html! {
            form method="post" action="/user_management/authorize" {
                (hidden_fields(request))
                input type="hidden" name="email" value=(account.email);
                input type="hidden" name="password" value=(demo_password);
                button class="demo" type="submit" data-email=(account.email) {
                    strong { (account.name) } " · " (account.email)
                    small { (account.memberships) }
                }
            }
        }
    };
    page(
        "Sign in",
        html! {
            div class="card" {
                h1 { "Sign in" }
                p class="sub" { "Continue to your account" }
                form method="post" action="/user_management/authorize" {
                    (hidden_fields(request))
                    label for="email" { "Email" }
                    input id="email" name="email" type="email" autocomplete="username" required value=(email) autofocus[email.is_empty()];
                    label for="password" { "Password" }
                    input id="password" name="password" type="password" autocomplete="current-password" required autofocus[!email.is_empty()];
                    @if let Some(error) = error { p class="error" role="alert" { (error) } }
                    button class="primary" type="submit" { "Sign in" }
                }
                @if !accounts.is_empty() {
                    h2 { "Demo accounts" }
                    p class="sub" { "Password for all: " code { (demo_password) } }
                    @for account in featured { (demo_button(account)) }
                    @if !more.is_empty() {
                        details {
                            summary { (more.len()) " more members" }
                            @for account in more { (demo_button(account)) }
                        }
                    }
                }
            }
        },
    )
}
