//! The shell, the routes and the layout (nav: who is signed in, in which organization; sign-out).

use leptos::prelude::*;
use leptos::tachys::view::iterators::StaticVec;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, RouteChildren, Router, Routes, RoutesProps};
use leptos_router::{NestedRoute, SsrMode, StaticSegment, path};

use crate::auth::{Viewer, provide_viewer, use_viewer};
use crate::pages::{
    auth_error::AuthErrorPage, home::HomePage, not_found::NotFoundPage, widget::WidgetPage,
};
use crate::widgets::REGISTRY;
use crate::widgets::registry::NavSection;

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
                <HydrationScripts options=options.clone() islands=true />
                {asset_links(options.clone())}
                {widget_preloads()}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The app's stylesheet and the bridge entry's URL, both content-hashed (`crate::assets`;
/// server-rendered only: the shell is never hydrated). The WASM reads the entry's URL from the
/// `<meta>` (`widgets::bridge`).
fn asset_links(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
        let bridge = crate::assets::bridge_url(crate::widgets::preload::ENTRY);
        view! {
            <link id="leptos" rel="stylesheet" href=css />
            <meta name=crate::widgets::BRIDGE_META content=bridge />
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = options;
    }
}

/// On a widget page: early loading of the widget's code and styles (server-rendered only; see
/// `widgets::preload`).
fn widget_preloads() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        use crate::auth::session::{self, SessionStatus};
        use crate::widgets::{WidgetKind, preload};
        let parts = use_context::<http::request::Parts>();
        let kind = parts
            .as_ref()
            .and_then(|p| WidgetKind::for_page(p.uri.path()));
        // Members get a notice, not the users table: nothing to preload for them.
        // A viewer whose role lacks the widget's permission gets a notice: nothing to preload.
        let allowed = |kind: WidgetKind| {
            kind.spec().permission.is_none()
                || matches!(session::current(), SessionStatus::SignedIn(s) if s.may_use(kind))
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

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_viewer();

    view! {
        <Title formatter=|text| format!("{text} · Account") />
        <Router>
            <TopBar />
            <SessionNotice />
            <div class="layout">
                <Nav />
                <main class="page">
                    <AppRoutes />
                </main>
            </div>
        </Router>
    }
}

/// The routes: home, one page per registry entry, the AuthKit error page; anything else is the
/// 404 page. Built without `view!` because the widget routes are a list, not a fixed tuple.
///
/// Every page renders with `SsrMode::Async`: the server waits for the viewer and the widget's
/// token (held by the token cache, so usually at once) and sends the page in one piece, with the
/// boot data in place in the widget's section. Out-of-order streaming sent the same page as a shell
/// plus a `<template>` and an inline script per `<Suspense>`, and the compression layer flushed at
/// each wait: 1.6x the server CPU per page (BENCHMARKS.md, SSR vs a bare handler). The cost: when
/// a token must be minted, the page's first byte waits for the mint.
#[component]
fn AppRoutes() -> impl IntoView {
    let home = NestedRoute::new(path!("/"), HomePage).ssr_mode(SsrMode::Async);
    let auth_error = NestedRoute::new(path!("/auth-error"), AuthErrorPage).ssr_mode(SsrMode::Async);
    let widget_pages: Vec<_> = REGISTRY
        .iter()
        .map(|spec| {
            let (section, page) = spec.page_segments();
            let kind = spec.kind;
            NestedRoute::new(
                (StaticSegment(section), StaticSegment(page)),
                move || view! { <WidgetPage kind /> },
            )
            .ssr_mode(SsrMode::Async)
        })
        .collect();
    let widget_pages = StaticVec::from(widget_pages);
    Routes(
        RoutesProps::builder()
            .fallback(NotFoundPage)
            .children(RouteChildren::to_children(move || {
                (home, widget_pages, auth_error)
            }))
            .build(),
    )
}

/// The nav links of one section under its heading, in registry order.
#[component]
fn NavGroup(section: NavSection, label: &'static str) -> impl IntoView {
    let heading = format!("nav-{}", label.to_lowercase());
    view! {
        <div class="nav-group">
            <h2 class="nav-heading" id=heading.clone()>{label}</h2>
            <ul role="list" aria-labelledby=heading>
                {REGISTRY
                    .iter()
                    .filter(|spec| spec.section() == section)
                    .map(|spec| view! { <li><A href=spec.page>{spec.label}</A></li> })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// The pages, grouped by nav section: a sidebar, a scrolling row on narrow screens.
#[component]
fn Nav() -> impl IntoView {
    view! {
        <nav class="sidenav" aria-label="Pages">
            <NavGroup section=NavSection::Account label="Account" />
            <NavGroup section=NavSection::Organization label="Organization" />
        </nav>
    }
}

/// The bar across the top: the app's name, who is signed in and where, sign-out, the theme.
#[component]
fn TopBar() -> impl IntoView {
    let viewer = use_viewer();
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"Account"</A>
            <span class="topbar-fill"></span>
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
        </header>
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
