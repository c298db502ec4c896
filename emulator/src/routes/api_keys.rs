//! API keys area of the public API (the `workos` crate's `api_keys()` and
//! `user_management().*_user_api_keys`; spec tags `api_keys`, `organizations.api_keys`):
//! organization and user API keys, their validation by the host app's own API, revocation and
//! expiry, with the environment's API key. Also the rules every way of creating or expiring a key
//! shares (the ApiKeys widget's calls in `widgets/api_keys.rs` use them).
//!
//! Secrets: a key's full value is in the answer that created it and nowhere else; the store keeps
//! its SHA-256 digest (`Data::issue_api_key`), and `POST /api_keys/validations` finds a key by the
//! digest of the value it is given.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::ApiKey as EnvironmentApiKey;
use crate::clock::{now, timestamp};
use crate::entities::{ApiKey, ApiKeyOwner, Data, MembershipStatus};
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::models::{ListMetadata, paginate};

/// The longest key name accepted (characters).
const MAX_NAME_CHARS: usize = 255;

pub fn router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/api_keys/validations", post(validate))
        .route("/api_keys/{id}", delete(delete_key))
        .route("/api_keys/{id}/expire", post(expire_key))
        .route(
            "/organizations/{id}/api_keys",
            get(list_organization_keys).post(create_organization_key),
        )
        .route(
            "/user_management/users/{id}/api_keys",
            get(list_user_keys).post(create_user_key),
        )
}

// ---------------------------------------------------------------------------------------------
// Rules shared with the ApiKeys widget.

/// A new key's checked fields.
pub(crate) struct NewApiKey {
    /// Trimmed, 1–255 characters.
    pub name: String,
    /// Known API key permission slugs, each once, in the environment's order.
    pub permissions: Vec<String>,
    /// In the future, or `None` for a key that never expires.
    pub expires_at: Option<OffsetDateTime>,
}

/// A timestamp of a request body (ISO 8601 / RFC 3339); 422 naming `field` otherwise.
fn moment(text: &str, field: &'static str) -> Result<OffsetDateTime, ApiError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        ApiError::invalid_field(
            "invalid_date",
            field,
            format!("{field} must be an ISO 8601 timestamp, not '{text}'."),
        )
    })
}

/// Checks a new key's fields: 422 `{errors: [{code, field}]}` naming the first invalid one — a
/// blank (`required`) or over-long (`too_long`) `name`, an unknown permission (`invalid`,
/// `permissions`), an expiry that is not a timestamp (`invalid_date`) or not in the future
/// (`must_be_in_the_future`). `expires_field` is the expiry's name in the request (`expiresAt`
/// for the widgets, `expires_at` for the public API).
pub(crate) fn check_new_key(
    data: &Data,
    name: &str,
    permissions: &[String],
    expires_at: Option<&str>,
    expires_field: &'static str,
) -> Result<NewApiKey, ApiError> {
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::invalid_field(
            "required",
            "name",
            "Enter a name for the API key.",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid_field(
            "too_long",
            "name",
            format!("The name is longer than {MAX_NAME_CHARS} characters."),
        ));
    }
    if let Some(unknown) = permissions
        .iter()
        .find(|slug| !data.api_key_permissions.iter().any(|p| &p.slug == *slug))
    {
        return Err(ApiError::invalid_field(
            "invalid",
            "permissions",
            format!("'{unknown}' is not an API key permission of this environment."),
        ));
    }
    let permissions = data
        .api_key_permissions
        .iter()
        .filter(|p| permissions.contains(&p.slug))
        .map(|p| p.slug.clone())
        .collect();
    let expires_at = match expires_at {
        None => None,
        Some(text) => {
            let at = moment(text, expires_field)?;
            if at <= now() {
                return Err(ApiError::invalid_field(
                    "must_be_in_the_future",
                    expires_field,
                    "The expiry must be in the future.",
                ));
            }
            Some(at)
        }
    };
    Ok(NewApiKey {
        name,
        permissions,
        expires_at,
    })
}

/// Sets the expiry of `key`: `None` clears it, a moment in the future schedules it, any other
/// moment expires the key now. 409 when the key has already expired (it stays expired: make a new
/// one); 422 when `expires_at` is not a timestamp.
pub(crate) fn set_expiry(
    key: &mut ApiKey,
    expires_at: Option<&str>,
    expires_field: &'static str,
) -> Result<(), ApiError> {
    let now = now();
    if !key.is_active(now) {
        return Err(ApiError::Conflict(format!(
            "The API key '{}' has already expired.",
            key.name
        )));
    }
    key.expires_at = match expires_at {
        None => None,
        Some(text) => Some(moment(text, expires_field)?.max(now)),
    };
    key.updated_at = now;
    Ok(())
}

/// Whether `key` authenticates now: not expired, and for a user API key, its owner still an
/// active member of the key's organization (WorkOS: "The user must have an active membership").
fn is_valid(data: &Data, key: &ApiKey, now: OffsetDateTime) -> bool {
    key.is_active(now)
        && data.organizations.contains_key(key.owner.organization_id())
        && match &key.owner {
            ApiKeyOwner::Organization { .. } => true,
            ApiKeyOwner::User {
                user_id,
                organization_id,
            } => data
                .membership(user_id, organization_id)
                .is_some_and(|m| m.status == MembershipStatus::Active),
        }
}

// ---------------------------------------------------------------------------------------------
// Shapes (spec `ApiKey`, `OrganizationApiKey`, `UserApiKey`, their `…WithValue` and lists).

/// `owner` of a key: `{type: "organization", id}` or `{type: "user", id, organization_id}`.
#[derive(Debug, Serialize)]
struct Owner {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_id: Option<String>,
}

/// Spec `ApiKey` (also `OrganizationApiKey`, `UserApiKey`), plus `expires_at` (the `workos`
/// crate's models read it) and, at creation only, the secret `value` (`…WithValue`).
#[derive(Debug, Serialize)]
struct PublicApiKey {
    object: &'static str,
    id: String,
    owner: Owner,
    name: String,
    obfuscated_value: String,
    last_used_at: Option<String>,
    expires_at: Option<String>,
    permissions: Vec<String>,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

impl PublicApiKey {
    fn new(key: &ApiKey) -> Self {
        let owner = match &key.owner {
            ApiKeyOwner::Organization { organization_id } => Owner {
                kind: "organization",
                id: organization_id.clone(),
                organization_id: None,
            },
            ApiKeyOwner::User {
                user_id,
                organization_id,
            } => Owner {
                kind: "user",
                id: user_id.clone(),
                organization_id: Some(organization_id.clone()),
            },
        };
        Self {
            object: "api_key",
            id: key.id.clone(),
            owner,
            name: key.name.clone(),
            obfuscated_value: key.obfuscated_value.clone(),
            last_used_at: key.last_used_at.map(timestamp),
            expires_at: key.expires_at.map(timestamp),
            permissions: key.permissions.clone(),
            created_at: timestamp(key.created_at),
            updated_at: timestamp(key.updated_at),
            value: None,
        }
    }

    /// A key just created, with its secret.
    fn with_value(key: &ApiKey, secret: String) -> Self {
        Self {
            value: Some(secret),
            ..Self::new(key)
        }
    }
}

/// Spec `OrganizationApiKeyList` / `UserApiKeyList`: `{object: "list", data, list_metadata}`.
#[derive(Debug, Serialize)]
struct ApiKeyList {
    object: &'static str,
    data: Vec<PublicApiKey>,
    list_metadata: ListMetadata,
}

/// Spec `ApiKeyValidationResponse`: `{api_key: ApiKey | null}`.
#[derive(Debug, Serialize)]
struct ValidationResponse {
    api_key: Option<PublicApiKey>,
}

/// Body of `POST /api_keys/validations` (spec `ValidateApiKeyDto`).
#[derive(Debug, Deserialize)]
struct ValidateRequest {
    value: String,
}

/// Body of `POST /organizations/{id}/api_keys` (spec `CreateOrganizationApiKeyDto`) and of
/// `POST /user_management/users/{id}/api_keys` (spec `CreateUserApiKeyDto`, with
/// `organization_id`).
#[derive(Debug, Deserialize)]
struct CreateRequest {
    name: String,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    expires_at: Option<String>,
    #[serde(default)]
    organization_id: Option<String>,
}

/// Body of `POST /api_keys/{id}/expire` (the `workos` crate's `ExpireApiKey`): `expires_at`
/// absent expires the key now, `null` clears a scheduled expiry, a moment schedules it.
#[derive(Debug, Deserialize)]
struct ExpireRequest {
    #[serde(default, deserialize_with = "present")]
    expires_at: Option<Option<String>>,
}

/// `Some(value)` for a field that is present, `null` included (`Some(None)`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Query of the two list calls: cursors, `limit` (1–100, default 10), `order` (`desc` default,
/// `asc`, `normal` = `desc`), and for user keys `organization_id`.
#[derive(Debug, Deserialize)]
struct ListQuery {
    before: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
    order: Option<String>,
    organization_id: Option<String>,
}

/// One page of `keys` in the requested order, paged with WorkOS cursors (`after` = next page).
fn page(keys: Vec<&ApiKey>, query: &ListQuery) -> Result<ApiKeyList, ApiError> {
    let limit = query.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::Unprocessable(format!(
            "limit must be between 1 and 100, not {limit}."
        )));
    }
    let ascending = match query.order.as_deref() {
        None | Some("desc") | Some("normal") => false,
        Some("asc") => true,
        Some(other) => {
            return Err(ApiError::Unprocessable(format!(
                "order must be 'asc', 'desc' or 'normal', not '{other}'."
            )));
        }
    };
    let mut keys = keys;
    keys.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    if !ascending {
        keys.reverse();
    }
    let items = keys
        .into_iter()
        .map(|k| (k.id.clone(), PublicApiKey::new(k)))
        .collect();
    let (data, list_metadata) = paginate(
        items,
        limit,
        query.before.as_deref(),
        query.after.as_deref(),
    );
    Ok(ApiKeyList {
        object: "list",
        data,
        list_metadata,
    })
}

// ---------------------------------------------------------------------------------------------
// Handlers.

/// `POST /api_keys/validations` `{value}` (spec `ApiKeysController_validateApiKey`) → 200
/// `{api_key: ApiKey}` for a key that authenticates now (its `last_used_at` becomes now), else
/// `{api_key: null}` (unknown, revoked or expired, or a user key whose owner left the
/// organization). 401 bad environment API key; 422 a body without `value`.
async fn validate(
    _: EnvironmentApiKey,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<ValidateRequest>,
) -> Json<ValidationResponse> {
    let now = now();
    let mut data = env.store.write();
    let id = data
        .api_key_by_secret(&body.value)
        .filter(|key| is_valid(&data, key, now))
        .map(|key| key.id.clone());
    let api_key = id.and_then(|id| data.api_keys.get_mut(&id)).map(|key| {
        key.last_used_at = Some(now);
        PublicApiKey::new(key)
    });
    Json(ValidationResponse { api_key })
}

/// `DELETE /api_keys/{id}` (spec `ApiKeysController_delete`) → 204: the key no longer validates.
/// 404 unknown id; 401 bad environment API key.
async fn delete_key(
    _: EnvironmentApiKey,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    match env.store.write().api_keys.remove(&id) {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(ApiError::not_found("api_key", id)),
    }
}

/// `POST /api_keys/{id}/expire` `{expires_at?}` (the `workos` crate's `create_api_key_expire`;
/// not in spec 0.1.0) → 200 `ApiKey`: `expires_at` absent expires the key now, `null` clears a
/// scheduled expiry, a moment schedules it. 404 unknown id; 409 already expired; 422 not a
/// timestamp; 401 bad environment API key.
async fn expire_key(
    _: EnvironmentApiKey,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ExpireRequest>,
) -> Result<Json<PublicApiKey>, ApiError> {
    let mut data = env.store.write();
    let key = data
        .api_keys
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("api_key", &id))?;
    let now_text = timestamp(now());
    let expires_at = match &body.expires_at {
        None => Some(now_text.as_str()),
        Some(value) => value.as_deref(),
    };
    set_expiry(key, expires_at, "expires_at")?;
    Ok(Json(PublicApiKey::new(key)))
}

/// `GET /organizations/{id}/api_keys?before&after&limit&order` (spec
/// `OrganizationApiKeysController_list`) → 200 `OrganizationApiKeyList`, newest first by
/// default. 404 unknown organization; 422 bad `limit` or `order`; 401 bad environment API key.
async fn list_organization_keys(
    _: EnvironmentApiKey,
    State(env): State<Arc<Environment>>,
    Path(organization_id): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ApiKeyList>, ApiError> {
    let data = env.store.read();
    if !data.organizations.contains_key(&organization_id) {
        return Err(ApiError::not_found("organization", organization_id));
    }
    let owner = ApiKeyOwner::Organization { organization_id };
    let keys = data
        .api_keys
        .values()
        .filter(|k| k.owner == owner)
        .collect();
    Ok(Json(page(keys, &query)?))
}

/// `POST /organizations/{id}/api_keys` `{name, permissions?, expires_at?}` (spec
/// `OrganizationApiKeysController_create`) → 201 `OrganizationApiKeyWithValue`, the secret in
/// `value` this once. 404 unknown organization; 422 `{message, errors: [{code, field}]}` as
/// [`check_new_key`]; 401 bad environment API key.
async fn create_organization_key(
    _: EnvironmentApiKey,
    State(env): State<Arc<Environment>>,
    Path(organization_id): Path<String>,
    ApiJson(body): ApiJson<CreateRequest>,
) -> Result<(StatusCode, Json<PublicApiKey>), ApiError> {
    let mut data = env.store.write();
    if !data.organizations.contains_key(&organization_id) {
        return Err(ApiError::not_found("organization", organization_id));
    }
    let new = check_new_key(
        &data,
        &body.name,
        &body.permissions,
        body.expires_at.as_deref(),
        "expires_at",
    )?;
    let owner = ApiKeyOwner::Organization { organization_id };
    let (key, secret) = data.issue_api_key(owner, new.name, new.permissions, new.expires_at);
    Ok((
        StatusCode::CREATED,
        Json(PublicApiKey::with_value(&key, secret)),
    ))
}

/// `GET /user_management/users/{id}/api_keys?organization_id&before&after&limit&order` (spec
/// `UserApiKeysController_list`) → 200 `UserApiKeyList`: the user's keys, in one organization
/// when `organization_id` is given. 404 unknown user; 422 bad `limit` or `order`; 401 bad
/// environment API key.
async fn list_user_keys(
    _: EnvironmentApiKey,
    State(env): State<Arc<Environment>>,
    Path(user_id): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ApiKeyList>, ApiError> {
    let data = env.store.read();
    if !data.users.contains_key(&user_id) {
        return Err(ApiError::not_found("user", user_id));
    }
    let keys = data
        .api_keys
        .values()
        .filter(|k| k.owner.user_id() == Some(user_id.as_str()))
        .filter(|k| {
            query
                .organization_id
                .as_deref()
                .is_none_or(|org| k.owner.organization_id() == org)
        })
        .collect();
    Ok(Json(page(keys, &query)?))
}

/// `POST /user_management/users/{id}/api_keys` `{name, organization_id, permissions?,
/// expires_at?}` (spec `UserApiKeysController_create`) → 201 `UserApiKeyWithValue`. 404 unknown
/// user; 422 `{errors: [{code, field}]}`: no `organization_id` (`required`), the user not an
/// active member of it (`not_a_member`), or as [`check_new_key`]; 401 bad environment API key.
async fn create_user_key(
    _: EnvironmentApiKey,
    State(env): State<Arc<Environment>>,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<CreateRequest>,
) -> Result<(StatusCode, Json<PublicApiKey>), ApiError> {
    let mut data = env.store.write();
    if !data.users.contains_key(&user_id) {
        return Err(ApiError::not_found("user", user_id));
    }
    let organization_id = body.organization_id.clone().ok_or_else(|| {
        ApiError::invalid_field(
            "required",
            "organization_id",
            "organization_id is required.",
        )
    })?;
    if !data.is_active_member(&user_id, &organization_id) {
        return Err(ApiError::invalid_field(
            "not_a_member",
            "organization_id",
            format!("The user is not an active member of organization '{organization_id}'."),
        ));
    }
    let new = check_new_key(
        &data,
        &body.name,
        &body.permissions,
        body.expires_at.as_deref(),
        "expires_at",
    )?;
    let owner = ApiKeyOwner::User {
        user_id,
        organization_id,
    };
    let (key, secret) = data.issue_api_key(owner, new.name, new.permissions, new.expires_at);
    Ok((
        StatusCode::CREATED,
        Json(PublicApiKey::with_value(&key, secret)),
    ))
}
