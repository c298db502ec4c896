//! OrganizationSwitcher widget (`organization-switcher`): the caller's organizations (contract §6.5).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::bodies::DataBody;
use crate::auth::WidgetCaller;
use crate::environment::Environment;

pub fn router() -> Router<Arc<Environment>> {
    Router::new().route("/UserManagement/organizations", get(list_organizations))
}

/// The widgets' `OrganizationInfo`: one organization the caller belongs to.
#[derive(Debug, Serialize)]
struct OrganizationInfo {
    id: String,
    name: String,
    /// The token's organization.
    current: bool,
    /// Always `null`: the emulator has no favicons.
    favicon: Option<String>,
}

/// O1 `GET /_widgets/UserManagement/organizations` → `{data: [{id, name, current, favicon}]}`: the
/// organizations the caller is an active member of, oldest membership first; `current` is the
/// token's `org_id`.
async fn list_organizations(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
) -> Json<DataBody<Vec<OrganizationInfo>>> {
    let data = env.store.read();
    let organizations = data
        .active_memberships(&caller.user_id)
        .into_iter()
        .filter_map(|m| data.organizations.get(&m.organization_id))
        .map(|o| OrganizationInfo {
            id: o.id.clone(),
            name: o.name.clone(),
            current: caller.organization_id.as_deref() == Some(o.id.as_str()),
            favicon: None,
        })
        .collect();
    Json(DataBody {
        data: organizations,
    })
}
