//! `/organization/users`: the UsersManagement widget, for organization admins only. Others get a
//! clear explanation instead (and the `widget_token` server function refuses them anyway).

use leptos::prelude::*;

use super::WidgetPage;
use crate::app::use_viewer;
use crate::widgets::WidgetKind;

#[component]
pub fn UsersPage() -> impl IntoView {
    let viewer = use_viewer();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) if !v.can_manage_members => view! {
                        <leptos_meta::Title text="Members" />
                        <header class="page-header"><h1>"Members"</h1></header>
                        <div class="notice" role="status" data-testid="admins-only">
                            <strong>"Only organization admins manage members."</strong>
                            <p>{format!(
                                "Your role in {} is {}. Ask an admin if you need someone invited, removed or given another role.",
                                v.organization_name.clone().unwrap_or_else(|| "this organization".into()),
                                v.role.clone().unwrap_or_else(|| "member".into()),
                            )}</p>
                        </div>
                    }.into_any(),
                    _ => view! {
                        <WidgetPage title="Members" lead="Invite people, change their roles, or remove them." kind=WidgetKind::UsersManagement />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
