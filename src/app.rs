//! The shell, the routes and the layout (nav: who is signed in, in which organization; sign-out).

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::auth::{Viewer, get_viewer};
use crate::error::AppError;
use crate::pages::{
    auth_error::AuthErrorPage, home::HomePage, not_found::NotFoundPage, profile::ProfilePage,
    security::SecurityPage, sessions::SessionsPage, switch::SwitchPage, users::UsersPage,
};

/// The HTML document around the app (server-rendered).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::security::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=crate::theme::initial_choice().attribute()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                {widget_preloads()}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// On a widget page: early loading of the widget's code and styles (server-rendered only; see
/// `widgets::preload`).
fn widget_preloads() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        use crate::widgets::{WidgetKind, preload};
        let parts = use_context::<http::request::Parts>();
        let kind = parts
            .as_ref()
            .and_then(|p| WidgetKind::for_page(p.uri.path()));
        // Members get a notice, not the users table: nothing to preload for them.
        let allowed = |kind: WidgetKind| {
            kind != WidgetKind::UsersManagement
                || parts
                    .as_ref()
                    .and_then(|p| p.extensions.get::<crate::auth::session::SessionStatus>())
                    .is_some_and(|s| match s {
                        crate::auth::session::SessionStatus::SignedIn(session) => {
                            session.can_manage_members()
                        }
                        _ => false,
                    })
        };
        kind.filter(|k| allowed(*k)).map(|kind| {
            let loads = preload::early_loads(kind);
            view! {
                {loads.entry.map(|src| view! { <script type="module" src=src async></script> })}
                {loads.modules.into_iter().map(|href| view! { <link rel="modulepreload" href=href /> }).collect_view()}
                {loads.css.map(|href| view! { <link rel="preload" href=href r#as="style" /> })}
            }
        })
    }
    #[cfg(not(feature = "ssr"))]
    {}
}

pub type ViewerResource = Resource<Result<Option<Viewer>, AppError>>;

/// The signed-in user, loaded once per page view (blocking, so the nav is in the first HTML).
pub fn use_viewer() -> ViewerResource {
    expect_context::<ViewerResource>()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::theme::provide_theme();
    let viewer: ViewerResource = Resource::new_blocking(|| (), |_| get_viewer());
    provide_context(viewer);

    view! {
        <Stylesheet id="leptos" href="/pkg/app.css" />
        <Title formatter=|text| format!("{text} · Account") />
        <Router>
            <Nav />
            <SessionNotice />
            <main class="page">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/account/profile") view=ProfilePage />
                    <Route path=path!("/account/security") view=SecurityPage />
                    <Route path=path!("/account/sessions") view=SessionsPage />
                    <Route path=path!("/organization/users") view=UsersPage />
                    <Route path=path!("/organization/switch") view=SwitchPage />
                    <Route path=path!("/auth-error") view=AuthErrorPage />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Nav() -> impl IntoView {
    let viewer = use_viewer();
    view! {
        <nav class="nav">
            <A href="/" attr:class="brand">"Account"</A>
            <div class="nav-links">
                <A href="/account/profile">"Profile"</A>
                <A href="/account/security">"Security"</A>
                <A href="/account/sessions">"Sessions"</A>
                <A href="/organization/users">"Members"</A>
                <A href="/organization/switch">"Organizations"</A>
            </div>
            <Suspense fallback=|| view! { <div class="nav-user"><span class="sk sk-pill"></span></div> }>
                {move || Suspend::new(async move {
                    match viewer.await {
                        Ok(Some(v)) => view! { <SignedIn viewer=v /> }.into_any(),
                        Ok(None) => view! {
                            <div class="nav-user"><a class="button button-primary" href="/sign-in">"Sign in"</a></div>
                        }.into_any(),
                        Err(_) => view! {
                            <div class="nav-user"><span class="notice-inline" role="status">"Session unavailable"</span></div>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <crate::theme::ThemeToggle />
        </nav>
    }
}

/// A banner when the session exists but cannot be checked now (WorkOS unavailable or busy while
/// refreshing): the cookie is kept, so the user stays signed in and a later page load recovers.
#[component]
fn SessionNotice() -> impl IntoView {
    let viewer = use_viewer();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                viewer.await.err().map(|error| view! {
                    <div class="banner notice notice-error" role="alert" data-testid="session-notice">
                        <strong>"Your session could not be checked."</strong>
                        <p>{error.to_string()} " You are still signed in: reload the page in a moment."</p>
                    </div>
                })
            })}
        </Suspense>
    }
}

#[component]
fn SignedIn(viewer: Viewer) -> impl IntoView {
    let organization = viewer
        .organization_name
        .clone()
        .or(viewer.organization_id.clone())
        .unwrap_or_else(|| "No organization".into());
    view! {
        <div class="nav-user" data-testid="nav-user">
            <div class="who">
                <span class="who-name">{viewer.name}</span>
                <span class="who-org" data-testid="nav-organization">{organization}</span>
            </div>
            <form method="post" action="/sign-out">
                <button class="button" type="submit">"Sign out"</button>
            </form>
        </div>
    }
}
