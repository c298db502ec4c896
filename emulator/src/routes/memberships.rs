//! User management area: organization memberships.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::users::ListParams;
use crate::auth::ApiKey;
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::models::{self, List};

pub fn router() -> Router<Arc<Environment>> {
    Router::new().route(
        "/user_management/organization_memberships",
        get(list_memberships),
    )
}

#[derive(Debug, Deserialize)]
struct ListMembershipsParams {
    #[serde(flatten)]
    list: ListParams,
    user_id: Option<String>,
    organization_id: Option<String>,
    /// Comma-separated `active`, `inactive`, `pending` (the `workos` crate's serialisation).
    statuses: Option<String>,
}

/// `GET /user_management/organization_memberships` (API key): 200 list of
/// `OrganizationMembership` (each with its `user`); `user_id` or `organization_id` is required
/// (422 otherwise, as in the spec).
async fn list_memberships(
    _: ApiKey,
    State(env): State<Arc<Environment>>,
    ApiQuery(params): ApiQuery<ListMembershipsParams>,
) -> Result<Json<List>, ApiError> {
    if params.user_id.is_none() && params.organization_id.is_none() {
        return Err(ApiError::Unprocessable(
            "Either user_id or organization_id is required.".into(),
        ));
    }
    let statuses: Option<Vec<&str>> = params.statuses.as_deref().map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    });
    let data = env.store.read();
    let memberships = data
        .memberships
        .values()
        .filter(|m| params.user_id.as_deref().is_none_or(|u| m.user_id == u))
        .filter(|m| {
            params
                .organization_id
                .as_deref()
                .is_none_or(|o| m.organization_id == o)
        })
        .filter(|m| {
            statuses
                .as_ref()
                .is_none_or(|list| list.contains(&m.status.as_str()))
        })
        .map(|m| (m.id.clone(), m.created_at, m))
        .collect();
    let (page, list_metadata) = params.list.page(memberships)?;
    let data = page
        .into_iter()
        .map(|m| models::membership(&data, m))
        .collect();
    Ok(Json(List {
        object: "list",
        data,
        list_metadata,
    }))
}
