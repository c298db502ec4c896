//! User management area: users.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::auth::ApiKey;
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::models::{self, List};

pub fn router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/user_management/users", get(list_users))
        .route("/user_management/users/{id}", get(get_user))
}

/// `GET /user_management/users/{id}` (API key): 200 `User`; 404 unknown id.
async fn get_user(
    _: ApiKey,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let data = env.store.read();
    let user = data
        .users
        .get(&id)
        .ok_or_else(|| ApiError::not_found("user", &id))?;
    Ok(Json(models::user(user)))
}

/// Query of the WorkOS list endpoints: `limit` (1–100, default 10), `before`/`after` cursors
/// (object ids), `order` (`desc` default, `asc`, `normal` = desc).
#[derive(Debug, Deserialize)]
pub struct ListParams {
    /// Kept as text: `serde(flatten)` hands query values over as strings.
    pub limit: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub order: Option<String>,
}

impl ListParams {
    /// Sorts `(id, created_at, item)` by creation time in the requested order and pages it.
    pub fn page<T>(
        &self,
        mut items: Vec<(String, time::OffsetDateTime, T)>,
    ) -> Result<(Vec<T>, models::ListMetadata), ApiError> {
        let ascending = match self.order.as_deref() {
            None | Some("desc") | Some("normal") => false,
            Some("asc") => true,
            Some(other) => {
                return Err(ApiError::Unprocessable(format!(
                    "order must be 'asc', 'desc' or 'normal', not '{other}'"
                )));
            }
        };
        let limit = match self.limit.as_deref() {
            None => 10,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => {
                    return Err(ApiError::Unprocessable(format!(
                        "limit must be a number between 1 and 100, not '{text}'"
                    )));
                }
            },
        };
        items.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        if !ascending {
            items.reverse();
        }
        let items = items.into_iter().map(|(id, _, item)| (id, item)).collect();
        Ok(models::paginate(
            items,
            limit,
            self.before.as_deref(),
            self.after.as_deref(),
        ))
    }
}

#[derive(Debug, Deserialize)]
struct ListUsersParams {
    #[serde(flatten)]
    list: ListParams,
    email: Option<String>,
    organization_id: Option<String>,
}

/// `GET /user_management/users` (API key): 200 `{object: "list", data: [User], list_metadata}`,
/// filtered by `email` (case-insensitive) and `organization_id` (active members).
async fn list_users(
    _: ApiKey,
    State(env): State<Arc<Environment>>,
    ApiQuery(params): ApiQuery<ListUsersParams>,
) -> Result<Json<List>, ApiError> {
    let data = env.store.read();
    let users = data
        .users
        .values()
        .filter(|u| {
            params
                .email
                .as_deref()
                .is_none_or(|e| u.email.eq_ignore_ascii_case(e))
        })
        .filter(|u| {
            params
                .organization_id
                .as_deref()
                .is_none_or(|org| data.is_active_member(&u.id, org))
        })
        .map(|u| (u.id.clone(), u.created_at, u))
        .collect();
    let (page, list_metadata) = params.list.page(users)?;
    let data = page.into_iter().map(models::user).collect();
    Ok(Json(List {
        object: "list",
        data,
        list_metadata,
    }))
}
