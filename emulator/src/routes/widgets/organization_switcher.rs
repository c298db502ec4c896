//! OrganizationSwitcher widget (`organization-switcher`): the caller's organizations (contract §6.5).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::WidgetCaller;

pub fn router() -> Router<AppState> {
    Router::new().route("/UserManagement/organizations", get(list_organizations))
}

/// O1 `GET /_widgets/UserManagement/organizations` → `{data: [{id, name, current, favicon}]}`: the
/// organizations the caller is an active member of; `current` is the token's `org_id`.
async fn list_organizations(caller: WidgetCaller, State(env): State<AppState>) -> Json<Value> {
    let state = env.store.read();
    let data: Vec<Value> = state
        .active_memberships(&caller.user_id)
        .into_iter()
        .filter_map(|m| state.organizations.get(&m.organization_id))
        .map(|o| json!({"id": o.id, "name": o.name, "current": caller.organization_id.as_deref() == Some(o.id.as_str()), "favicon": null}))
        .collect();
    Json(json!({"data": data}))
}
