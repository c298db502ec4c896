//! `<Widget kind=…/>`: the one component behind every widget page.
//!
//! SSR renders a sized skeleton (so nothing jumps when the widget arrives) and, once the token is
//! there, the widget's boot data: a `<script type="application/json" data-widget-boot>` inside
//! the widget's section with its token and props (not executable; the page is `no-store`). The
//! bridge entry, loaded early on widget pages (`<script type="module" async>`,
//! `widgets::preload`), mounts the widget from it at once, without waiting for the WASM
//! (`bridge/src/index.js`, "Boot"). When the WASM hydrates, it asks the bridge to mount the same
//! widget into the same host and the bridge hands over the booted one instead (one owner of the
//! handle, one React root): the WASM passes what only it has (`authToken`,
//! `switchToOrganization`, the theme as it tracks it) and owns the handle from then on
//! (`handle.update` for theme changes, `on_cleanup` unmounts). A page the browser renders itself
//! (an in-app navigation, Try again) mounts from the WASM as before.
//!
//! The first token: on the server, from the server's token cache (`token_cache.rs`, the same one
//! the `widget_token` server function uses, so a reload mints nothing); it reaches the WASM with
//! the page's resource data. In the browser (in-app navigations, Try again), a token the page keeps
//! or the `widget_token` server function. The widget's `authToken` is a JS async function that
//! calls the `widget_token` server function for a fresh token, so the widgets re-mint before `exp`
//! and after a 403 by themselves; until the WASM has adopted a booted widget, the bridge holds
//! such calls until the WASM's function is there.
//!
//! Tokens are reused across in-app navigations: the page keeps each token it got, by token level
//! and permission (the registry's), for as long as the server said it may (`reuse_secs`: until
//! shortly before `exp`, and no longer than the session's access token). The next widget that
//! needs the same token mounts with it and calls no server function; an organization switch
//! forgets them, and a fresh token from `authToken` replaces the one kept.

use leptos::html::Div;
use leptos::prelude::*;

use super::registry::ExtraProp;
use super::{WidgetGrant, WidgetKind};
use crate::error::AppError;

// Only the browser leaves `Loading`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Loading,
    Ready,
    Failed(AppError),
}

/// The widget's first token: during SSR from the server's token cache (minted when it holds none),
/// in the browser a token the page keeps or the `widget_token` server function.
type FirstGrant = Resource<Result<WidgetGrant, AppError>>;

#[component]
pub fn Widget(kind: WidgetKind) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    let phase = RwSignal::new(Phase::Loading);
    let attempt = RwSignal::new(0u32);
    let first: FirstGrant = Resource::new(|| (), move |_| first_grant(kind));

    #[cfg(feature = "hydrate")]
    client::mount_on_hydrate(kind, host, phase, attempt, first);

    let retry = move |_| {
        phase.set(Phase::Loading);
        attempt.update(|n| *n += 1);
    };
    view! {
        <section
            class=format!("widget widget-{}", kind.id())
            data-widget=kind.id()
            aria-busy=move || (phase.get() == Phase::Loading).to_string()
        >
            <Show when=move || phase.get() == Phase::Loading>
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
            </Show>
            {move || match phase.get() {
                Phase::Failed(error) => Some(view! { <WidgetError kind error on_retry=retry /> }),
                _ => None,
            }}
            <div class="widget-host" node_ref=host></div>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let boot = boot_data(kind, first.await);
                    view! { <script type="application/json" data-widget-boot="" inner_html=boot></script> }
                })}
            </Suspense>
        </section>
    }
}

#[cfg(feature = "ssr")]
async fn first_grant(kind: WidgetKind) -> Result<WidgetGrant, AppError> {
    super::token::page_grant(kind).await
}

#[cfg(not(feature = "ssr"))]
async fn first_grant(kind: WidgetKind) -> Result<WidgetGrant, AppError> {
    #[cfg(feature = "hydrate")]
    {
        client::obtain(kind).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        super::widget_token(kind, false).await
    }
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

/// The boot data of the `<script data-widget-boot>` (JSON, `<` escaped so it cannot close the
/// element): `{"widget": id, "props": {…}, "functions": [names]}` ([`widget_props`],
/// [`function_props`]). Written by the server only, and only with a token; in the browser the
/// element stays empty (the bridge boots from server-rendered pages only, and hydration leaves the
/// server's text in place).
fn boot_data(kind: WidgetKind, grant: Result<WidgetGrant, AppError>) -> String {
    #[cfg(feature = "ssr")]
    {
        let Ok(grant) = grant else {
            return String::new();
        };
        let props: serde_json::Map<String, serde_json::Value> = widget_props(kind, &grant)
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
        serde_json::json!({
            "widget": kind.id(),
            "props": props,
            "functions": function_props(kind),
        })
        .to_string()
        .replace('<', "\\u003c")
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (kind, grant);
        String::new()
    }
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
    use std::cell::RefCell;

    use leptos::html::Div;
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;

    use super::{AUTH_TOKEN, FirstGrant, Phase, PropValue, SWITCH_TO_ORGANIZATION, widget_props};
    use crate::error::AppError;
    use crate::widgets::bridge::{WidgetHandle, load_bridge};
    use crate::widgets::registry::{ExtraProp, Permission, TokenLevel};
    use crate::widgets::{WidgetGrant, WidgetKind, widget_token};

    /// A token this page keeps for reuse, and what it is for.
    struct Held {
        level: TokenLevel,
        permission: Option<Permission>,
        grant: WidgetGrant,
        /// `Date.now()` after which it is not handed out again.
        until_ms: f64,
    }

    impl Held {
        fn serves(&self, kind: WidgetKind) -> bool {
            self.level == kind.spec().token && self.permission == kind.spec().permission
        }
    }

    thread_local! {
        /// The tokens this page keeps (one per token level and permission; a handful at most).
        static HELD: RefCell<Vec<Held>> = const { RefCell::new(Vec::new()) };
    }

    /// A kept token for `kind` that may still be handed out (with this browser's session id when
    /// the widget needs it).
    fn held_grant(kind: WidgetKind) -> Option<WidgetGrant> {
        let needs_session = kind.spec().props.contains(&ExtraProp::CurrentSessionId);
        let now = js_sys::Date::now();
        HELD.with_borrow(|held| {
            held.iter()
                .find(|h| {
                    h.serves(kind)
                        && now < h.until_ms
                        && (!needs_session || h.grant.current_session_id.is_some())
                })
                .map(|h| h.grant.clone())
        })
    }

    /// Keeps `grant` for the widgets that need what `kind` needs, for its `reuse_secs`.
    fn hold(kind: WidgetKind, grant: &WidgetGrant) {
        HELD.with_borrow_mut(|held| {
            let mut grant = grant.clone();
            if grant.current_session_id.is_none() {
                // This browser's session id, learned from an earlier grant, stays known.
                grant.current_session_id = held
                    .iter()
                    .find(|h| h.serves(kind))
                    .and_then(|h| h.grant.current_session_id.clone());
            }
            held.retain(|h| !h.serves(kind));
            if grant.reuse_secs > 0 {
                held.push(Held {
                    level: kind.spec().token,
                    permission: kind.spec().permission,
                    until_ms: js_sys::Date::now() + grant.reuse_secs as f64 * 1000.0,
                    grant,
                });
            }
        });
    }

    /// Forgets every kept token (the session's context changes).
    fn forget_held() {
        HELD.with_borrow_mut(Vec::clear);
    }

    /// A token for `kind` in the browser: one this page keeps, or one from the `widget_token`
    /// server function (then kept).
    pub async fn obtain(kind: WidgetKind) -> Result<WidgetGrant, AppError> {
        if let Some(grant) = held_grant(kind) {
            return Ok(grant);
        }
        let grant = widget_token(kind, false).await?;
        hold(kind, &grant);
        Ok(grant)
    }

    /// A mounted widget and the JS functions it holds (dropped after unmounting).
    struct Mounted {
        handle: WidgetHandle,
        _auth_token: Closure<dyn FnMut() -> js_sys::Promise>,
        _switch: Option<Closure<dyn FnMut(JsValue) -> js_sys::Promise>>,
    }

    /// Mounts the widget once the page is interactive (adopting the one the bridge booted from the
    /// server's boot data, if any), again on Try again; unmounts it on cleanup.
    pub fn mount_on_hydrate(
        kind: WidgetKind,
        host: NodeRef<Div>,
        phase: RwSignal<Phase>,
        attempt: RwSignal<u32>,
        first: FirstGrant,
    ) {
        let mounted = StoredValue::new_local(None::<Mounted>);
        let viewer = crate::auth::use_viewer();
        let theme = crate::theme::use_theme();
        let unmount = move || {
            if let Some(Some(widget)) = mounted.try_update_value(Option::take) {
                widget.handle.unmount();
            }
        };
        Effect::new(move |_| {
            let retry = attempt.get() > 0;
            let Some(element) = host.get() else { return };
            unmount();
            let element: web_sys::Element = element.into();
            leptos::task::spawn_local(async move {
                // The bridge loads while the token is awaited (if it is not there yet).
                let bridge = load_bridge();
                // The page's first token (from the server's page data when hydrating); after a
                // failure, another try.
                let grant = if retry {
                    obtain(kind).await
                } else {
                    first.await
                };
                let mount = match grant {
                    Ok(grant) => {
                        hold(kind, &grant);
                        mount(
                            bridge,
                            kind,
                            &element,
                            viewer,
                            &grant,
                            theme.appearance_untracked(),
                        )
                        .await
                    }
                    Err(error) => Err(error),
                };
                match mount {
                    Ok(widget) => {
                        // Navigated away meanwhile: the owner is gone, so undo the mount.
                        if let Some(Some(orphan)) = mounted.try_set_value(Some(widget)) {
                            orphan.handle.unmount();
                            return;
                        }
                        phase.try_set(Phase::Ready);
                    }
                    Err(error) => {
                        phase.try_set(Phase::Failed(error));
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

    /// Mounts `kind` into `element` through the bridge with `grant` (the bridge hands over the
    /// widget it booted there from the server's boot data, with these props applied).
    async fn mount(
        bridge: crate::widgets::bridge::BridgeLoad,
        kind: WidgetKind,
        element: &web_sys::Element,
        viewer: crate::auth::ViewerResource,
        grant: &WidgetGrant,
        appearance: &str,
    ) -> Result<Mounted, AppError> {
        let props = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = js_sys::Reflect::set(&props, &JsValue::from_str(key), value);
        };
        for (name, value) in widget_props(kind, grant) {
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
            .then(|| organization_switch(viewer));
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
    /// the nav; the widget then re-fetches its token (now for the new organization) and its data.
    /// When the organization needs SSO or MFA enrollment, the browser signs in through AuthKit.
    fn organization_switch(
        viewer: crate::auth::ViewerResource,
    ) -> Closure<dyn FnMut(JsValue) -> js_sys::Promise> {
        Closure::new(move |arg: JsValue| {
            let organization_id = js_sys::Reflect::get(&arg, &JsValue::from_str("organizationId"))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            // Tokens of the old organization are not handed out again, whatever the outcome.
            forget_held();
            wasm_bindgen_futures::future_to_promise(async move {
                match crate::auth::switch_organization(organization_id).await {
                    Ok(crate::auth::SwitchOutcome::Switched) => viewer.refetch(),
                    // The organization needs SSO or MFA enrollment: through AuthKit, then back.
                    Ok(crate::auth::SwitchOutcome::SignIn(url)) => {
                        let _ = window().location().assign(&url);
                    }
                    Err(e) => return Err(JsValue::from(js_sys::Error::new(&e.to_string()))),
                }
                Ok(JsValue::UNDEFINED)
            })
        })
    }

    /// `authToken`: a fresh token from the `widget_token` server function (`fresh`), kept for the
    /// next widgets. The widgets mount with the token already fetched (`initialToken`, which the
    /// bridge keeps until they ask), so they call this only when they need another: after a 403,
    /// 30 s before `exp`, or after an organization switch.
    fn token_source(kind: WidgetKind) -> Closure<dyn FnMut() -> js_sys::Promise> {
        Closure::new(move || {
            wasm_bindgen_futures::future_to_promise(async move {
                let grant = widget_token(kind, true)
                    .await
                    .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
                hold(kind, &grant);
                Ok(JsValue::from_str(&grant.token))
            })
        })
    }
}
