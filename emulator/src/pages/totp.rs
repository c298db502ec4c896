//! The TOTP steps of a sign-in: the code of an existing factor, or enrolling a new one when the
//! organization requires MFA.

use maud::{Markup, html};

use super::layout::page;
use super::sign_in::{AuthorizeRequest, hidden_fields};

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
pub fn totp_page(request: &AuthorizeRequest, pending: &str, error: Option<&str>) -> Markup {
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
pub fn totp_enrollment_page(
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
