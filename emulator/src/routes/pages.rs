//! HTML pages the browser sees on the emulator: the AuthKit sign-in page and plain notices.

use maud::{DOCTYPE, Markup, PreEscaped, html};

/// What an authorization request carries through the sign-in form.
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

const STYLE: &str = r#"
:root { color-scheme: light dark; --bg:#f6f7f9; --card:#fff; --fg:#1c2024; --muted:#60646c; --line:#e0e1e6; --accent:#6e56cf; --err:#ce2c31; }
@media (prefers-color-scheme: dark) { :root { --bg:#111113; --card:#18191b; --fg:#edeef0; --muted:#b0b4ba; --line:#2e3135; --accent:#9e8cfc; --err:#ff9592; } }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); display:flex; justify-content:center; padding:48px 16px; }
main { width:100%; max-width:420px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:12px; padding:28px; }
h1 { font-size:22px; margin:0 0 4px; } p.sub { color:var(--muted); margin:0 0 20px; }
label { display:block; font-weight:500; margin:12px 0 4px; }
input[type=email], input[type=password], input[type=text] { width:100%; padding:9px 11px; border:1px solid var(--line); border-radius:8px; background:transparent; color:inherit; font:inherit; }
button { font:inherit; cursor:pointer; }
.primary { width:100%; margin-top:18px; padding:10px; border:0; border-radius:8px; background:var(--accent); color:#fff; font-weight:600; }
.error { color:var(--err); margin:12px 0 0; }
h2 { font-size:14px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); margin:28px 0 8px; }
.demo { display:block; width:100%; text-align:left; padding:10px 12px; margin:6px 0; border:1px solid var(--line); border-radius:8px; background:var(--card); color:inherit; }
.demo:hover { border-color:var(--accent); }
.demo small { display:block; color:var(--muted); }
details summary { cursor:pointer; color:var(--muted); margin-top:8px; }
footer { color:var(--muted); font-size:13px; margin-top:16px; text-align:center; }
"#;

fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" href="data:,";
                style { (PreEscaped(STYLE)) }
            }
            body { main { (body) footer { "WorkOS emulator · local AuthKit" } } }
        }
    }
}

fn hidden_fields(request: &AuthorizeRequest) -> Markup {
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
pub fn sign_in(
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

/// The form of both TOTP steps: the authorization request, the pending step, a 6-digit code.
fn code_form(request: &AuthorizeRequest, pending: &str, error: Option<&str>) -> Markup {
    html! {
        form method="post" action="/user_management/authorize/totp" {
            (hidden_fields(request))
            input type="hidden" name="pending" value=(pending);
            label for="code" { "Code" }
            input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus;
            @if let Some(error) = error { p class="error" role="alert" { (error) } }
            button class="primary" type="submit" { "Continue" }
        }
    }
}

/// The second sign-in step for a user with a TOTP factor.
pub fn totp(request: &AuthorizeRequest, pending: &str, error: Option<&str>) -> Markup {
    page(
        "Two-factor authentication",
        html! {
            div class="card" {
                h1 { "Two-factor authentication" }
                p class="sub" { "Enter the 6-digit code from your authenticator app." }
                (code_form(request, pending, error))
            }
        },
    )
}

/// The MFA enrollment step of a sign-in into an organization that requires MFA: scan the QR code
/// (or type the secret) into an authenticator app, then give its current code.
pub fn totp_enrollment(
    request: &AuthorizeRequest,
    pending: &str,
    secret: &str,
    uri: &str,
    qr_data_url: &str,
    error: Option<&str>,
) -> Markup {
    page(
        "Set up two-factor authentication",
        html! {
            div class="card" {
                h1 { "Set up two-factor authentication" }
                p class="sub" { "This organization requires an authenticator app. Scan the QR code, then enter the 6-digit code it shows." }
                img src=(qr_data_url) alt="QR code for your authenticator app" width="180" height="180";
                p { "Or enter this key: " code data-testid="totp-secret" { (secret) } }
                input type="hidden" value=(uri) data-testid="totp-uri";
                (code_form(request, pending, error))
            }
        },
    )
}

/// A plain notice page (signed out, or a bad authorization request).
pub fn notice(title: &str, message: &str) -> Markup {
    page(
        title,
        html! { div class="card" { h1 { (title) } p { (message) } } },
    )
}

/// The mailbox page: every email the emulator "sent", newest first.
pub fn mailbox(mails: &[crate::store::Mail]) -> Markup {
    page(
        "Mailbox",
        html! {
            div class="card" {
                h1 { "Mailbox" }
                p class="sub" { "Emails the WorkOS emulator would have sent." }
                @if mails.is_empty() { p { "No mail yet." } }
                @for mail in mails {
                    article class="demo" {
                        strong { (mail.subject) }
                        small { "To " (mail.to) " · " (crate::store::timestamp(mail.created_at)) }
                        p { (mail.body) }
                        @if let Some(code) = &mail.code { p { "Code: " code { (code) } } }
                    }
                }
            }
        },
    )
}
