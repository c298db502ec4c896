//! A widget's page (`/account/*`, `/organization/*`): title, one-line lead, the widget — all from
//! its registry entry. A widget that needs a permission the viewer's role lacks shows why instead
//! (and the `widget_token` server function refuses such a viewer anyway).

use leptos::prelude::*;

use crate::auth::{Viewer, use_viewer};
use crate::widgets::registry::Permission;
use crate::widgets::{Widget, WidgetKind};

#[component]
pub fn WidgetPage(kind: WidgetKind) -> impl IntoView {
    let spec = kind.spec();
    let page = move || {
        view! {
            <leptos_meta::Title text=spec.label />
            <header class="page-header">
                <h1>{spec.label}</h1>
                <p class="muted">{spec.lead}</p>
            </header>
            <Widget kind />
        }
    };
    let Some(permission) = spec.permission else {
        return page().into_any();
    };
    let viewer = use_viewer();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) if !v.may_use(kind) => view! { <NotPermitted label=spec.label permission viewer=v /> }.into_any(),
                    _ => page().into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// The notice for a viewer whose role lacks the widget's permission.
#[component]
fn NotPermitted(label: &'static str, permission: Permission, viewer: Viewer) -> impl IntoView {
    let Permission { denied, ask, .. } = permission;
    let organization = viewer
        .organization_name
        .unwrap_or_else(|| "this organization".into());
    let role = viewer.role.unwrap_or_else(|| "member".into());
    view! {
        <leptos_meta::Title text=label />
        <header class="page-header"><h1>{label}</h1></header>
        <div class="notice" role="status" data-testid="not-permitted">
            <strong>{denied}</strong>
            <p>{format!("Your role in {organization} is {role}. {ask}")}</p>
        </div>
    }
}
