//! `/`: what the app is and what each page is for.

use leptos::prelude::*;

use crate::app::use_viewer;

/// Each page: path, title, what it is for.
const PAGES: [(&str, &str, &str); 5] = [
    (
        "/account/profile",
        "Profile",
        "Change your name and see the email address you sign in with.",
    ),
    (
        "/account/security",
        "Security",
        "Change your password and set up two-factor authentication.",
    ),
    (
        "/account/sessions",
        "Sessions",
        "See where you are signed in and sign out other devices.",
    ),
    (
        "/organization/users",
        "Members",
        "Organization admins: invite people, change roles, remove members.",
    ),
    (
        "/organization/switch",
        "Organizations",
        "Switch between the organizations you belong to.",
    ),
];

#[component]
pub fn HomePage() -> impl IntoView {
    let viewer = use_viewer();
    view! {
        <leptos_meta::Title text="Home" />
        <header class="page-header">
            <h1>"Your account"</h1>
            <p class="muted">"Manage your profile and your organization without leaving the app."</p>
        </header>
        <Suspense fallback=|| view! { <div class="sk sk-line sk-wide"></div> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => view! {
                        <p class="lead">"Welcome back, " <strong>{v.name}</strong> "."</p>
                    }.into_any(),
                    _ => view! {
                        <p class="lead">"Sign in to manage your account."</p>
                        <a class="button button-primary" href="/sign-in">"Sign in"</a>
                    }.into_any(),
                }
            })}
        </Suspense>
        <ul class="cards">
            {PAGES
                .iter()
                .map(|(href, title, what)| view! {
                    <li class="card">
                        <a href=*href><h2>{*title}</h2></a>
                        <p>{*what}</p>
                    </li>
                })
                .collect_view()}
        </ul>
    }
}
