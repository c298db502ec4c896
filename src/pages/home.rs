//! `/`: what the app is and what each page is for.

use leptos::prelude::*;

use crate::auth::use_viewer;
use crate::widgets::REGISTRY;

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
            {REGISTRY
                .iter()
                .map(|spec| view! {
                    <li class="card">
                        <a href=spec.page><h2>{spec.label}</h2></a>
                        <p>{spec.card}</p>
                    </li>
                })
                .collect_view()}
        </ul>
    }
}
