//! `/auth-error?reason=…`: why a sign-in did not complete. `reason` is a fixed code chosen by the
//! server; unknown codes get a generic message (no text from the URL is shown).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn explain(reason: &str) -> &'static str {
    match reason {
        "denied" => "The sign-in was cancelled or refused.",
        "expired" => {
            "The sign-in took too long or was started in another browser. Please start again."
        }
        "state" => {
            "The sign-in response did not belong to this browser, so it was ignored. Please start again."
        }
        "exchange" => "WorkOS did not accept the sign-in code. Please start again.",
        "unavailable" => "WorkOS is unavailable right now. Try again in a moment.",
        "configuration" => "The app is not configured correctly for sign-in. Check the server log.",
        _ => "The sign-in did not complete. Please start again.",
    }
}

#[component]
pub fn AuthErrorPage() -> impl IntoView {
    let query = use_query_map();
    let message = move || explain(&query.read().get("reason").unwrap_or_default());
    view! {
        <leptos_meta::Title text="Sign-in problem" />
        <div class="notice notice-error" role="alert">
            <h1>"Sign-in problem"</h1>
            <p>{message}</p>
            <a class="button button-primary" href="/sign-in">"Sign in again"</a>
        </div>
    }
}
