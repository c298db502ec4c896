//! DirectorySync widget (`directory-sync`; contract §7.5, Y1): the organization's directories
//! with their user and group counts, and an Admin Portal link to set one up or manage it. Needs
//! `widgets:dsync:manage` (403 without it); tokens may be organization-level (no user).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::auth::OrganizationCaller;
use crate::clock::timestamp;
use crate::entities::{Directory, PortalIntent};
use crate::environment::Environment;
use crate::error::ApiError;
use crate::routes::admin_portal::generate_link;
use crate::seed::DSYNC_MANAGE;

pub fn router() -> Router<Arc<Environment>> {
    Router::new().route("/directory-sync/directories", get(list_directories))
}

/// The widgets' `DirectoryUsersMetadata`.
#[derive(Debug, Serialize)]
struct DirectoryUsers {
    active: u32,
    inactive: u32,
}

/// The widgets' `DirectoryMetadata`.
#[derive(Debug, Serialize)]
struct DirectoryMetadata {
    users: DirectoryUsers,
    groups: u32,
}

/// The widgets' `Directory`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DirectoryBody {
    id: String,
    name: String,
    /// e.g. `okta scim v2.0`.
    #[serde(rename = "type")]
    directory_type: &'static str,
    /// `requires_type`, `linked`, `validating`, `invalid_credentials`, `unlinked`, `deleting`.
    state: &'static str,
    created_at: String,
    updated_at: String,
    last_sync_run_at: Option<String>,
    metadata: DirectoryMetadata,
}

impl DirectoryBody {
    fn new(d: &Directory) -> Self {
        Self {
            id: d.id.clone(),
            name: d.name.clone(),
            directory_type: d.directory_type.as_str(),
            state: d.state.as_str(),
            created_at: timestamp(d.created_at),
            updated_at: timestamp(d.updated_at),
            last_sync_run_at: d.last_sync_run_at.map(timestamp),
            metadata: DirectoryMetadata {
                users: DirectoryUsers {
                    active: d.users_active,
                    inactive: d.users_inactive,
                },
                groups: d.groups,
            },
        }
    }
}

/// The widgets' `DirectoriesResponse`.
#[derive(Debug, Serialize)]
struct DirectoriesResponse {
    data: Vec<DirectoryBody>,
    /// A fresh one-time Admin Portal link (intent `dsync`), which the widget opens with a plain
    /// GET (`<a target=_blank>`).
    link: String,
}

/// Y1 `GET /_widgets/directory-sync/directories` → `{data: Directory[], link}`: the token's
/// organization's directories (oldest first) and a new Admin Portal link for directory sync.
/// 403 without `widgets:dsync:manage`.
async fn list_directories(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<DirectoriesResponse>, ApiError> {
    let org = caller.organization_with(DSYNC_MANAGE)?.to_string();
    let mut data = env.store.write();
    let mut directories: Vec<&Directory> = data
        .directories
        .values()
        .filter(|d| d.organization_id == org)
        .collect();
    directories.sort_by_key(|d| (d.created_at, d.id.clone()));
    let bodies = directories.into_iter().map(DirectoryBody::new).collect();
    let link = generate_link(
        &mut data,
        &env.base_url,
        &org,
        Some(PortalIntent::Dsync),
        None,
    );
    Ok(Json(DirectoriesResponse { data: bodies, link }))
}
