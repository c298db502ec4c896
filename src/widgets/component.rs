//! `<Widget kind=…/>`: the one component behind every widget page.
//!
//! Pages are server-rendered HTML; the widget's host is an island ([`WidgetHost`], Leptos
//! islands), the only part of a widget page that ships as WASM besides the theme toggle.
//!
//! SSR renders a sized skeleton (so nothing jumps when the widget arrives) and, once the token is
//! there, the widget's boot data: a `<script type="application/json" data-widget-boot>` inside
//! the widget's section with its token and props (not executable; the page is `no-store`; the
//! token is written once: the server-only resource is not serialized for hydration). The bridge
//! entry, loaded early on widget pages (`<script type="module" async>`, `widgets::preload`),
//! mounts the widget from it at once, without waiting for the WASM (`bridge/src/index.js`,
//! "Boot"). When the island hydrates (when the browser is idle), it asks the bridge to mount the
//! same widget into the same host and the bridge hands over the booted one (one owner of the
//! handle, one React root): the WASM passes what only it has (`authToken`,
//! `switchToOrganization`, the theme as it tracks it) and owns the handle from then on
//! (`handle.update` for theme changes, `on_cleanup` unmounts).
//!
//! The first token comes from the server's token cache (`token_cache.rs`, the same one the
//! `widget_token` server function uses, so a reload or another widget page of the same session
//! mints nothing). When the server could not get one, it renders the error instead
//! (`<script type="application/json" data-widget-error>`), which the island shows with Try
//! again; Try again asks the `widget_token` server function. The widget's `authToken` is a JS async function that calls the `widget_token` server
//! function for a fresh token, so the widgets re-mint before `exp` and after a 403 by themselves;
//! until the island has adopted a booted widget, the bridge holds such calls until the WASM's
//! function is there.

use leptos::html::Div;
use leptos::prelude::*;

use super::registry::ExtraProp;
use super::{WidgetGrant, WidgetKind};
use crate::error::AppError;

/// A widget: its section with a sized skeleton (server-rendered), its host (an island, the only
/// part that ships as WASM) and the server's boot data.
#[component]
pub fn Widget(kind: WidgetKind) -> impl IntoView {
    // The widget's first token, from the server's token cache (minted when it holds none).
    let first = Resource::new(|| (), move |_| first_grant(kind));
    view! {
        <section class=format!("widget widget-{}", kind.id()) data-widget=kind.id() aria-busy="true">
            <div class="widget-skeleton" role="status" aria-label=format!("Loading your {}", kind.spec().noun)>
                {(0..kind.spec().skeleton_rows)
                    .map(|_| view! {
                        <div class="sk-row">
                            <span class="sk sk-label"></span>
                            <span class="sk sk-value"></span>
                            <span class="sk sk-action"></span>
                        </div>
                    })
                    .collect_view()}
            </div>
            <WidgetHost />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(grant) => view! {
                            <script type="application/json" data-widget-boot="" inner_html=boot_data(kind, &grant)></script>
                        }.into_any(),
                        Err(error) => view! {
                            <script type="application/json" data-widget-error="" inner_html=script_json(&error)></script>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What a widget's host shows besides the widget: nothing, or why the widget could not be shown.
type Failure = Option<(WidgetKind, AppError)>;

/// The widget's host (an island without props: it learns its widget from its section's
/// `data-widget` once hydrated): the element the bridge mounts into and the error with Try again.
/// Its section's `aria-busy` says whether the skeleton shows (the app's CSS): "true" while the
/// widget loads, "false" once it shows (the skeleton is then removed) or failed.
#[island]
fn WidgetHost() -> impl IntoView {
    let host = NodeRef::<Div>::new();
    let failure = RwSignal::new(Failure::None);
    let attempt = RwSignal::new(0u32);

    #[cfg(feature = "hydrate")]
    client::mount_on_hydrate(host, failure, attempt);

    let retry = move |_| {
        failure.set(None);
        attempt.update(|n| *n += 1);
    };
    view! {
        {move || failure.get().map(|(kind, error)| view! { <WidgetError kind error on_retry=retry /> })}
        <div class="widget-host" node_ref=host></div>
    }
}

#[cfg(feature = "ssr")]
async fn first_grant(kind: WidgetKind) -> Result<WidgetGrant, AppError> {
    super::token::page_grant(kind).await
}

// Server-rendered only: the browser never runs `Widget` (only its island).
#[cfg(not(feature = "ssr"))]
async fn first_grant(kind: WidgetKind) -> Result<WidgetGrant, AppError> {
    super::widget_token(kind, false).await
}

/// The name of the widget prop `authToken` (a function).
const AUTH_TOKEN: &str = "authToken";
/// The name of the widget prop `switchToOrganization` (a function).
const SWITCH_TO_ORGANIZATION: &str = "switchToOrganization";

/// A value of a prop the bridge's `mount` takes.
// Read by the server's boot data and the WASM's mount; a build with neither feature has no reader.
#[cfg_attr(not(any(feature = "ssr", feature = "hydrate")), allow(dead_code))]
#[derive(Debug, Clone, PartialEq)]
enum PropValue {
    Str(String),
    Bool(bool),
    Port(Option<u16>),
}

/// The props the bridge mounts `kind` with, but the theme and the functions
/// ([`function_props`]): the token already minted (`initialToken`, so the widget's first request
/// carries it), the widget's `WorkOS-Widgets-Type` (`widgetsType`, the key of its token query),
/// the API host (`apiHostname`, `port`, `https`), and the registry's extra props
/// (`currentSessionId` when the grant carries it, `enableSharedConnections`). The one list of
/// them: the server's boot data and the WASM's mount both take it from here.
// Read by the server's boot data and the WASM's mount; a build with neither feature has no reader.
#[cfg_attr(not(any(feature = "ssr", feature = "hydrate")), allow(dead_code))]
fn widget_props(kind: WidgetKind, grant: &WidgetGrant) -> Vec<(&'static str, PropValue)> {
    let spec = kind.spec();
    let mut props = vec![
        ("initialToken", PropValue::Str(grant.token.clone())),
        ("widgetsType", PropValue::Str(spec.widgets_type.into())),
        ("apiHostname", PropValue::Str(grant.api.hostname.clone())),
        ("port", PropValue::Port(grant.api.port)),
        ("https", PropValue::Bool(grant.api.https)),
    ];
    for prop in spec.props {
        match prop {
            ExtraProp::CurrentSessionId => {
                if let Some(session_id) = &grant.current_session_id {
                    props.push(("currentSessionId", PropValue::Str(session_id.clone())));
                }
            }
            ExtraProp::EnableSharedConnections(on) => {
                props.push(("enableSharedConnections", PropValue::Bool(*on)));
            }
            ExtraProp::SwitchToOrganization => {}
        }
    }
    props
}

/// The function props `kind` takes: `authToken`, and `switchToOrganization` when the registry
/// says so.
#[cfg(feature = "ssr")]
fn function_props(kind: WidgetKind) -> Vec<&'static str> {
    let mut names = vec![AUTH_TOKEN];
    if kind.spec().props.contains(&ExtraProp::SwitchToOrganization) {
        names.push(SWITCH_TO_ORGANIZATION);
    }
    names
}

/// The boot data of the `<script data-widget-boot>`: `{"widget": id, "props": {…}, "functions":
/// [names]}` ([`widget_props`], [`function_props`]), as [`script_json`]. Written by the server
/// only (the browser never renders [`Widget`]).
fn boot_data(kind: WidgetKind, grant: &WidgetGrant) -> String {
    #[cfg(feature = "ssr")]
    {
        let props: serde_json::Map<String, serde_json::Value> = widget_props(kind, grant)
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    PropValue::Str(s) => serde_json::Value::from(s),
                    PropValue::Bool(b) => serde_json::Value::from(b),
                    PropValue::Port(p) => {
                        p.map_or(serde_json::Value::Null, serde_json::Value::from)
                    }
                };
                (name.to_string(), value)
            })
            .collect();
        script_json(&serde_json::json!({
            "widget": kind.id(),
            "props": props,
            "functions": function_props(kind),
        }))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (kind, grant);
        String::new()
    }
}

/// `value` as the JSON text of a `<script type="application/json">`, `<` escaped so it cannot
/// close the element. A widget page's `<script data-widget-error>` holds the [`AppError`] the
/// server got instead of a token, which the island shows.
fn script_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

#[component]
fn WidgetError(
    kind: WidgetKind,
    error: AppError,
    on_retry: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let action = match &error {
        AppError::NotSignedIn => {
            let here = window_path();
            view! { <a class="button" href=format!("/sign-in?return_to={here}")>"Sign in"</a> }
                .into_any()
        }
        AppError::Forbidden(_) => ().into_any(),
        _ => view! { <button class="button" on:click=on_retry>"Try again"</button> }.into_any(),
    };
    view! {
        <div class="notice notice-error widget-error" role="alert">
            <strong>{format!("Your {} could not be shown.", kind.spec().noun)}</strong>
            <p>{error.to_string()}</p>
            {action}
        </div>
    }
}

/// The current path, percent-encoded for a `return_to` parameter.
fn window_path() -> String {
    #[cfg(feature = "hydrate")]
    {
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_else(|| "/".into());
        String::from(js_sys::encode_uri_component(&path))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        "%2F".to_string()
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use leptos::html::Div;
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;

    use super::{AUTH_TOKEN, Failure, PropValue, SWITCH_TO_ORGANIZATION, widget_props};
    use crate::error::AppError;
    use crate::widgets::bridge::{WidgetHandle, load_bridge};
    use crate::widgets::registry::ExtraProp;
    use crate::widgets::{WidgetGrant, WidgetKind, widget_token};

    /// A mounted widget and the JS functions it holds (dropped after unmounting).
    struct Mounted {
        handle: WidgetHandle,
        _auth_token: Closure<dyn FnMut() -> js_sys::Promise>,
        _switch: Option<Closure<dyn FnMut(JsValue) -> js_sys::Promise>>,
    }

    /// What the server rendered into the widget's section with it.
    enum Rendered {
        /// Boot data (a token): the bridge boots the widget from it by itself.
        Boot,
        /// The error the server got instead of a token.
        Failed(AppError),
        /// Neither (the server's answer did not arrive).
        Nothing,
    }

    /// What the server rendered into the widget's `section` (`<script data-widget-boot>` or
    /// `<script data-widget-error>`).
    fn rendered(section: &web_sys::Element) -> Rendered {
        let text = |selector: &str| {
            section
                .query_selector(selector)
                .ok()
                .flatten()
                .and_then(|data| data.text_content())
                .filter(|text| !text.trim().is_empty())
        };
        if text("script[data-widget-boot]").is_some() {
            return Rendered::Boot;
        }
        match text("script[data-widget-error]").map(|json| crate::codec::from_json(&json)) {
            Some(Ok(error)) => Rendered::Failed(error),
            _ => Rendered::Nothing,
        }
    }

    /// Mounts the widget of the host's section when the island hydrates (adopting the one the
    /// bridge booted from the server's boot data; showing the error the server got instead; or,
    /// with neither, with a token from the `widget_token` server function), again on Try again;
    /// unmounts it on cleanup.
    pub fn mount_on_hydrate(
        host: NodeRef<Div>,
        failure: RwSignal<Failure>,
        attempt: RwSignal<u32>,
    ) {
        let mounted = StoredValue::new_local(None::<Mounted>);
        let theme = crate::theme::use_theme();
        let unmount = move || {
            if let Some(Some(widget)) = mounted.try_update_value(Option::take) {
                widget.handle.unmount();
            }
        };
        let appearance = theme.clone();
        Effect::new(move |_| {
            let retry = attempt.get() > 0;
            let Some(element) = host.get() else { return };
            unmount();
            let element: web_sys::Element = element.into();
            let Some(section) = element.closest("[data-widget]").ok().flatten() else {
                return;
            };
            let Some(kind) = section
                .get_attribute("data-widget")
                .and_then(|id| WidgetKind::from_id(&id))
            else {
                return;
            };
            if retry {
                // The skeleton again while Try again loads (a booted widget shows meanwhile).
                let _ = section.set_attribute("aria-busy", "true");
            }
            let appearance = appearance.appearance_untracked();
            leptos::task::spawn_local(async move {
                // The bridge loads while a token is awaited (if one is needed).
                let bridge = load_bridge();
                let grant = match (retry, rendered(&section)) {
                    // The bridge holds the widget booted with the server's token.
                    (false, Rendered::Boot) => Ok(None),
                    (false, Rendered::Failed(error)) => Err(error),
                    _ => widget_token(kind, false).await.map(Some),
                };
                let mount = match grant {
                    Ok(grant) => mount(bridge, kind, &element, grant.as_ref(), appearance).await,
                    Err(error) => Err(error),
                };
                let _ = section.set_attribute("aria-busy", "false");
                match mount {
                    Ok(widget) => {
                        // The island is gone meanwhile: undo the mount.
                        if let Some(Some(orphan)) = mounted.try_set_value(Some(widget)) {
                            orphan.handle.unmount();
                            return;
                        }
                        if let Ok(Some(skeleton)) = section.query_selector(".widget-skeleton") {
                            skeleton.remove();
                        }
                    }
                    Err(error) => {
                        failure.try_set(Some((kind, error)));
                    }
                }
            });
        });
        // A theme change reaches the mounted widget in place (`handle.update`), not by remounting.
        Effect::new(move |_| {
            let props = theme_props(theme.appearance());
            mounted.with_value(|widget| {
                if let Some(widget) = widget {
                    widget.handle.update(&props);
                }
            });
        });
        on_cleanup(unmount);
    }

    /// `{theme: {appearance}}`, the widgets' Radix theme prop.
    fn theme_props(appearance: &str) -> JsValue {
        let theme = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &theme,
            &JsValue::from_str("appearance"),
            &JsValue::from_str(appearance),
        );
        let props = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&props, &JsValue::from_str("theme"), &theme);
        props.into()
    }

    /// Mounts `kind` into `element` through the bridge: with `grant`'s props when given, else
    /// only with the theme and the functions (the bridge then hands over the widget it booted
    /// there from the server's boot data, whose props it keeps).
    async fn mount(
        bridge: crate::widgets::bridge::BridgeLoad,
        kind: WidgetKind,
        element: &web_sys::Element,
        grant: Option<&WidgetGrant>,
        appearance: &str,
    ) -> Result<Mounted, AppError> {
        let props = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = js_sys::Reflect::set(&props, &JsValue::from_str(key), value);
        };
        for (name, value) in grant.map(|g| widget_props(kind, g)).unwrap_or_default() {
            let value = match value {
                PropValue::Str(s) => JsValue::from_str(&s),
                PropValue::Bool(b) => JsValue::from_bool(b),
                PropValue::Port(p) => p.map_or(JsValue::NULL, |p| JsValue::from(u32::from(p))),
            };
            set(name, &value);
        }
        let _ = js_sys::Object::assign(&props, theme_props(appearance).unchecked_ref());
        let auth_token = token_source(kind);
        set(AUTH_TOKEN, auth_token.as_ref());
        let switch = kind
            .spec()
            .props
            .contains(&ExtraProp::SwitchToOrganization)
            .then(organization_switch);
        if let Some(switch) = &switch {
            set(SWITCH_TO_ORGANIZATION, switch.as_ref());
        }
        let handle = bridge
            .mount(element, kind.id(), &props)
            .await
            .map_err(|message| {
                AppError::Server(format!(
                    "The {} widget could not be loaded: {message}",
                    kind.spec().noun
                ))
            })?;
        Ok(Mounted {
            handle,
            _auth_token: auth_token,
            _switch: switch,
        })
    }

    /// `switchToOrganization({organizationId})`: switches the session on the server, then reloads
    /// the page, which the server renders for the new organization (nav, widget, token). When the
    /// organization needs SSO or MFA enrollment, the browser signs in through AuthKit.
    fn organization_switch() -> Closure<dyn FnMut(JsValue) -> js_sys::Promise> {
        Closure::new(move |arg: JsValue| {
            let organization_id = js_sys::Reflect::get(&arg, &JsValue::from_str("organizationId"))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            wasm_bindgen_futures::future_to_promise(async move {
                let location = window().location();
                match crate::auth::switch_organization(organization_id).await {
                    Ok(crate::auth::SwitchOutcome::Switched) => {
                        let _ = location.reload();
                    }
                    // The organization needs SSO or MFA enrollment: through AuthKit, then back.
                    Ok(crate::auth::SwitchOutcome::SignIn(url)) => {
                        let _ = location.assign(&url);
                    }
                    Err(e) => return Err(JsValue::from(js_sys::Error::new(&e.to_string()))),
                }
                Ok(JsValue::UNDEFINED)
            })
        })
    }

    /// `authToken`: a fresh token from the `widget_token` server function (`fresh`). The widgets
    /// mount with a token already (`initialToken`, which the bridge keeps until they ask), so they
    /// call this only when they need another: after a 403, 30 s before `exp`, or after an
    /// organization switch.
    fn token_source(kind: WidgetKind) -> Closure<dyn FnMut() -> js_sys::Promise> {
        Closure::new(move || {
            wasm_bindgen_futures::future_to_promise(async move {
                let grant = widget_token(kind, true)
                    .await
                    .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
                Ok(JsValue::from_str(&grant.token))
            })
        })
    }
}
