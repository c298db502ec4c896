//! `<Widget kind=…/>`: the one component behind every widget page.
//!
//! SSR renders a sized skeleton (so nothing jumps when the widget arrives). After hydration an
//! `Effect` gets the first widget token, imports the bridge and mounts the React widget into the
//! host `<div>`; `on_cleanup` unmounts it. The widget's `authToken` is a JS async function that
//! calls the `widget_token` server function for a fresh token, so the widgets re-mint before `exp`
//! and after a 403 by themselves.
//!
//! Tokens are reused across in-app navigations: the page keeps each token it got, by token level
//! and permission (the registry's), for as long as the server said it may (`reuse_secs`: until
//! shortly before `exp`, and no longer than the session's access token). The next widget that
//! needs the same token mounts with it and calls no server function; an organization switch
//! forgets them, and a fresh token from `authToken` replaces the one kept.

use leptos::html::Div;
use leptos::prelude::*;

use super::WidgetKind;
use crate::error::AppError;

// Only the browser leaves `Loading`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Loading,
    Ready,
    Failed(AppError),
}

#[component]
pub fn Widget(kind: WidgetKind) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    let phase = RwSignal::new(Phase::Loading);
    let attempt = RwSignal::new(0u32);

    #[cfg(feature = "hydrate")]
    client::mount_on_hydrate(kind, host, phase, attempt);

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
        </section>
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

    use super::Phase;
    use crate::error::AppError;
    use crate::widgets::bridge::{WidgetHandle, load_bridge};
    use crate::widgets::registry::{ExtraProp, Permission, TokenLevel};
    use crate::widgets::{WidgetApi, WidgetGrant, WidgetKind, widget_token};

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

    /// A mounted widget and the JS functions it holds (dropped after unmounting).
    struct Mounted {
        handle: WidgetHandle,
        _auth_token: Closure<dyn FnMut() -> js_sys::Promise>,
        _switch: Option<Closure<dyn FnMut(JsValue) -> js_sys::Promise>>,
    }

    pub fn mount_on_hydrate(
        kind: WidgetKind,
        host: NodeRef<Div>,
        phase: RwSignal<Phase>,
        attempt: RwSignal<u32>,
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
            attempt.track();
            let Some(element) = host.get() else { return };
            unmount();
            let element: web_sys::Element = element.into();
            leptos::task::spawn_local(async move {
                match mount(kind, &element, viewer, theme.appearance_untracked()).await {
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

    async fn mount(
        kind: WidgetKind,
        element: &web_sys::Element,
        viewer: crate::auth::ViewerResource,
        appearance: &str,
    ) -> Result<Mounted, AppError> {
        // The bridge loads while the token is fetched (if this page keeps none to reuse).
        let bridge = load_bridge();
        let grant = match held_grant(kind) {
            Some(grant) => grant,
            None => {
                let grant = widget_token(kind, false).await?;
                hold(kind, &grant);
                grant
            }
        };
        let props = provider_props(kind, &grant.api, &grant.token, appearance);
        if let Some(session_id) = grant
            .current_session_id
            .as_ref()
            .filter(|_| kind.spec().props.contains(&ExtraProp::CurrentSessionId))
        {
            let _ = js_sys::Reflect::set(
                &props,
                &JsValue::from_str("currentSessionId"),
                &JsValue::from_str(session_id),
            );
        }
        for prop in kind.spec().props {
            if let ExtraProp::EnableSharedConnections(on) = prop {
                let _ = js_sys::Reflect::set(
                    &props,
                    &JsValue::from_str("enableSharedConnections"),
                    &JsValue::from_bool(*on),
                );
            }
        }
        let auth_token = token_source(kind);
        let _ = js_sys::Reflect::set(&props, &JsValue::from_str("authToken"), auth_token.as_ref());
        let switch = kind
            .spec()
            .props
            .contains(&ExtraProp::SwitchToOrganization)
            .then(|| organization_switch(viewer));
        if let Some(switch) = &switch {
            let _ = js_sys::Reflect::set(
                &props,
                &JsValue::from_str("switchToOrganization"),
                switch.as_ref(),
            );
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

    /// The bridge's props but `authToken`: the API host, the token already minted (`initialToken`,
    /// so the widget's first request carries it), the widget's `WorkOS-Widgets-Type`
    /// (`widgetsType`, the key of its token query) and the theme.
    fn provider_props(
        kind: WidgetKind,
        api: &WidgetApi,
        initial_token: &str,
        appearance: &str,
    ) -> JsValue {
        let props = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = js_sys::Reflect::set(&props, &JsValue::from_str(key), value);
        };
        set("initialToken", &JsValue::from_str(initial_token));
        set("widgetsType", &JsValue::from_str(kind.spec().widgets_type));
        set("apiHostname", &JsValue::from_str(&api.hostname));
        set(
            "port",
            &api.port
                .map(|p| JsValue::from(p as u32))
                .unwrap_or(JsValue::NULL),
        );
        set("https", &JsValue::from_bool(api.https));
        let _ = js_sys::Object::assign(&props, theme_props(appearance).unchecked_ref());
        props.into()
    }
}
