//! ApiKeys widget, both scopes: the organization's API keys (`api-keys`, contract §7.1, K1–K5;
//! `widgets:api-keys:manage`) and members' own user API keys (`user-api-keys`, contract §7.2,
//! UK1–UK5; `widgets:user-api-keys:manage-self` for the caller's own keys,
//! `widgets:user-api-keys:manage-all` for every member's keys in the organization). Shapes follow
//! the widgets' `endpoint.d.ts` (`ListOrganizationApiKeysResponseData`, `ListUserApiKeysResponseData`,
//! `CreateOrganizationApiKeyResponse`, …), fields in the same order.
//!
//! A key's secret is in the answer that created it (`value`) and nowhere else: the store keeps a
//! SHA-256 digest (`Data::issue_api_key`). Refusals: 403 only for a token without the scope (the
//! widget shows any 403 as "Incorrect permissions", contract §4.4); 404 for a key the caller may
//! not see (another organization's, or with `manage-self`, another member's); 400/422
//! `{code, message, errors: [{code, field}]}` for bad input; 409 to re-expire an expired key.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::bodies::Success;
use crate::auth::{OrganizationCaller, WidgetCaller};
use crate::clock::timestamp;
use crate::entities::{ApiKey, ApiKeyOwner, ApiKeyPermission, Data, User};
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::models::paginate_newest_first;
use crate::routes::api_keys::{NewApiKey, check_new_key, set_expiry};
use crate::seed::{API_KEYS_MANAGE, USER_API_KEYS_MANAGE_ALL, USER_API_KEYS_MANAGE_SELF};

/// K1–K5 under `/_widgets/ApiKeys/` (`WorkOS-Widgets-Type: api-keys`).
pub fn organization_router() -> Router<Arc<Environment>> {
    Router::new()
        .route(
            "/ApiKeys/organization-api-keys",
            get(list_organization_keys).post(create_organization_key),
        )
        .route("/ApiKeys/permissions", get(organization_key_permissions))
        .route("/ApiKeys/{id}", delete(delete_organization_key))
        .route("/ApiKeys/{id}/expire", post(expire_organization_key))
}

/// UK1–UK5 under `/_widgets/UserApiKeys/` (`WorkOS-Widgets-Type: user-api-keys`).
pub fn user_router() -> Router<Arc<Environment>> {
    Router::new()
        .route(
            "/UserApiKeys/api-keys",
            get(list_user_keys).post(create_user_key),
        )
        .route("/UserApiKeys/permissions", get(user_key_permissions))
        .route("/UserApiKeys/{id}", delete(delete_user_key))
        .route("/UserApiKeys/{id}/expire", post(expire_user_key))
}

// ---------------------------------------------------------------------------------------------
// Shapes.

/// The widgets' `ListOrganizationApiKeysResponseData`: a row of K1, and K5's answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct OrganizationApiKeyRow {
    id: String,
    name: String,
    obfuscated_value: String,
    created_at: String,
    last_used_at: Option<String>,
    expires_at: Option<String>,
    permissions: Vec<String>,
}

impl OrganizationApiKeyRow {
    fn new(key: &ApiKey) -> Self {
        Self {
            id: key.id.clone(),
            name: key.name.clone(),
            obfuscated_value: key.obfuscated_value.clone(),
            created_at: timestamp(key.created_at),
            last_used_at: key.last_used_at.map(timestamp),
            expires_at: key.expires_at.map(timestamp),
            permissions: key.permissions.clone(),
        }
    }
}

/// The widgets' `ListUserApiKeysResponseDataOwner`: who owns a user API key.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UserApiKeyOwnerBody {
    /// Always `user`.
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    /// "First Last", else the email.
    display_name: String,
}

/// The widgets' `ListUserApiKeysResponseData`: a row of UK1, and UK5's answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UserApiKeyRow {
    id: String,
    owner: UserApiKeyOwnerBody,
    name: String,
    obfuscated_value: String,
    created_at: String,
    last_used_at: Option<String>,
    expires_at: Option<String>,
    permissions: Vec<String>,
}

impl UserApiKeyRow {
    /// The row of `key`, owned by `user` (a key whose owner no longer exists names only its id).
    fn new(key: &ApiKey, user: Option<&User>) -> Self {
        let owner_id = key.owner.user_id().unwrap_or_default().to_string();
        let owner = match user {
            Some(u) => UserApiKeyOwnerBody {
                kind: "user",
                id: u.id.clone(),
                email: u.email.clone(),
                first_name: u.first_name.clone(),
                last_name: u.last_name.clone(),
                display_name: u.display_name(),
            },
            None => UserApiKeyOwnerBody {
                kind: "user",
                display_name: owner_id.clone(),
                id: owner_id,
                email: String::new(),
                first_name: None,
                last_name: None,
            },
        };
        let row = OrganizationApiKeyRow::new(key);
        Self {
            id: row.id,
            owner,
            name: row.name,
            obfuscated_value: row.obfuscated_value,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
            permissions: row.permissions,
        }
    }
}

/// The widgets' `CreateOrganizationApiKeyResponse` / `CreateUserApiKeyResponse` (K3, UK3): the
/// key with its full secret in `value`, the only answer that ever carries it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedApiKey {
    id: String,
    value: String,
    obfuscated_value: String,
    created_at: String,
    name: String,
    permissions: Vec<String>,
    expires_at: Option<String>,
}

/// The cursors of K1, K2, UK1, UK2: optional strings, left out rather than `null` (the widgets'
/// `ListOrganizationApiKeysResponseListMetadata`). "Next" sends `before`, "Previous" `after`.
#[derive(Debug, Serialize)]
struct Cursors {
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<String>,
}

/// `{data, list_metadata}`: one page of keys or permissions.
#[derive(Debug, Serialize)]
struct Page<T> {
    data: Vec<T>,
    list_metadata: Cursors,
}

/// The widgets' `ListOrganizationApiKeyPermission` / `ListUserApiKeyPermission` (K2, UK2).
#[derive(Debug, Serialize)]
struct PermissionRow {
    id: String,
    slug: String,
    name: String,
    description: Option<String>,
}

impl PermissionRow {
    fn new(p: &ApiKeyPermission) -> Self {
        Self {
            id: p.id.clone(),
            slug: p.slug.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
        }
    }
}

/// Query of K1, K2, UK1, UK2: `limit` (1–100, default 10), `before`, `after`, `search`.
#[derive(Debug, Deserialize)]
struct ListQuery {
    limit: Option<String>,
    before: Option<String>,
    after: Option<String>,
    search: Option<String>,
}

/// Body of K3 and UK3 (the widgets' `CreateOrganizationApiKeyRequest`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateKeyRequest {
    name: String,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    expires_at: Option<String>,
}

/// Body of K5 and UK5 (the widgets' `ExpireOrganizationApiKeyRequest`): `null` or absent clears
/// the expiry; a moment sets it (one not in the future expires the key now).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExpireKeyRequest {
    #[serde(default)]
    expires_at: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// What both scopes share.

/// `limit` of a list query: 10 when absent; 400 `{errors: [{code: "invalid", field: "limit"}]}`
/// unless a whole number from 1 to 100.
fn page_size(limit: Option<&str>) -> Result<usize, ApiError> {
    match limit {
        None => Ok(10),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_query(
                    "invalid",
                    "limit",
                    format!("limit must be a whole number from 1 to 100, not '{text}'."),
                )
            }),
    }
}

/// The search text, lowercased; `None` when absent or blank.
fn needle(search: Option<&str>) -> Option<String> {
    search
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
}

/// One page of `keys` (any order), newest first, filtered by a case-insensitive search of the
/// name, each shown by `row`.
fn page_of_keys<'a, T>(
    keys: impl Iterator<Item = &'a ApiKey>,
    query: &ListQuery,
    row: impl Fn(&ApiKey) -> T,
) -> Result<Page<T>, ApiError> {
    let limit = page_size(query.limit.as_deref())?;
    let search = needle(query.search.as_deref());
    let mut keys: Vec<&ApiKey> = keys
        .filter(|k| {
            search
                .as_ref()
                .is_none_or(|n| k.name.to_lowercase().contains(n))
        })
        .collect();
    keys.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    let items = keys.into_iter().map(|k| (k.id.clone(), row(k))).collect();
    let (data, metadata) = paginate_newest_first(
        items,
        limit,
        query.before.as_deref(),
        query.after.as_deref(),
    );
    Ok(Page {
        data,
        list_metadata: Cursors {
            before: metadata.before,
            after: metadata.after,
        },
    })
}

/// K2/UK2: the environment's API key permissions, in seed order, filtered by a search of slug,
/// name and description, paged with the same cursors.
fn page_of_permissions(data: &Data, query: &ListQuery) -> Result<Page<PermissionRow>, ApiError> {
    let limit = page_size(query.limit.as_deref())?;
    let search = needle(query.search.as_deref());
    let items = data
        .api_key_permissions
        .iter()
        .filter(|p| {
            search.as_ref().is_none_or(|n| {
                [Some(&p.slug), Some(&p.name), p.description.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|text| text.to_lowercase().contains(n))
            })
        })
        .map(|p| (p.id.clone(), PermissionRow::new(p)))
        .collect();
    let (data, metadata) = paginate_newest_first(
        items,
        limit,
        query.before.as_deref(),
        query.after.as_deref(),
    );
    Ok(Page {
        data,
        list_metadata: Cursors {
            before: metadata.before,
            after: metadata.after,
        },
    })
}

/// The expiry's name in the widgets' bodies.
const EXPIRES_AT: &str = "expiresAt";

/// A create request checked (`check_new_key`: 422 naming the first invalid field).
fn checked(data: &Data, body: &CreateKeyRequest) -> Result<NewApiKey, ApiError> {
    check_new_key(
        data,
        &body.name,
        &body.permissions,
        body.expires_at.as_deref(),
        EXPIRES_AT,
    )
}

/// The [`CreatedApiKey`] answer for a key just issued with `secret`.
fn created(key: &ApiKey, secret: String) -> CreatedApiKey {
    CreatedApiKey {
        id: key.id.clone(),
        value: secret,
        obfuscated_value: key.obfuscated_value.clone(),
        created_at: timestamp(key.created_at),
        name: key.name.clone(),
        permissions: key.permissions.clone(),
        expires_at: key.expires_at.map(timestamp),
    }
}

// ---------------------------------------------------------------------------------------------
// Organization API keys (K1–K5).

/// The caller's organization once the token carries `widgets:api-keys:manage` (403 otherwise).
fn keys_organization(caller: &OrganizationCaller) -> Result<&str, ApiError> {
    caller.organization_with(API_KEYS_MANAGE)
}

/// The organization's own API key `id`: 404 for any other id (another organization's key, a user
/// API key, an unknown id).
fn organization_key<'a>(
    data: &'a mut Data,
    organization_id: &str,
    id: &str,
) -> Result<&'a mut ApiKey, ApiError> {
    data.api_keys
        .get_mut(id)
        .filter(|k| {
            k.owner
                == ApiKeyOwner::Organization {
                    organization_id: organization_id.into(),
                }
        })
        .ok_or_else(|| ApiError::not_found("api_key", id))
}

/// K1 `GET /_widgets/ApiKeys/organization-api-keys?limit&before&after&search` (contract §7.1) →
/// 200 `{data: ApiKey[], list_metadata: {before?, after?}}`: the organization's keys, expired ones
/// included, newest first, searched by name. 400 `{errors: [{code, field: "limit"}]}` for a bad
/// `limit`; 403 without `widgets:api-keys:manage`.
async fn list_organization_keys(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<OrganizationApiKeyRow>>, ApiError> {
    let org = keys_organization(&caller)?;
    let data = env.store.read();
    let owner = ApiKeyOwner::Organization {
        organization_id: org.into(),
    };
    let keys = data.api_keys.values().filter(|k| k.owner == owner);
    Ok(Json(page_of_keys(
        keys,
        &query,
        OrganizationApiKeyRow::new,
    )?))
}

/// K2 `GET /_widgets/ApiKeys/permissions?limit&search&before&after` (contract §7.1) → 200
/// `{data: [{id, slug, name, description}], list_metadata}`: the permissions a key may be given
/// (seed `api_key_permissions`). 400 bad `limit`; 403 without `widgets:api-keys:manage`.
async fn organization_key_permissions(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<PermissionRow>>, ApiError> {
    keys_organization(&caller)?;
    Ok(Json(page_of_permissions(&env.store.read(), &query)?))
}

/// K3 `POST /_widgets/ApiKeys/organization-api-keys` `{name, permissions, expiresAt}` (contract
/// §7.1) → 201 `CreatedApiKey`, the secret in `value` this once. 422 `{errors: [{code, field}]}`:
/// a blank or over-long `name`, an unknown permission, an `expiresAt` that is not a timestamp or
/// not in the future; 403 without `widgets:api-keys:manage`.
async fn create_organization_key(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<CreateKeyRequest>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    let org = keys_organization(&caller)?.to_string();
    let mut data = env.store.write();
    let new = checked(&data, &body)?;
    let owner = ApiKeyOwner::Organization {
        organization_id: org,
    };
    let (key, secret) = data.issue_api_key(owner, new.name, new.permissions, new.expires_at);
    Ok((StatusCode::CREATED, Json(created(&key, secret))))
}

/// K4 `DELETE /_widgets/ApiKeys/{id}` (contract §7.1, "Revoke") → 200 `{success: true}`: the key
/// is gone and no longer validates. 404 not one of the organization's keys; 403 without
/// `widgets:api-keys:manage`.
async fn delete_organization_key(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
) -> Result<Json<Success>, ApiError> {
    let org = keys_organization(&caller)?;
    let mut data = env.store.write();
    organization_key(&mut data, org, &id)?;
    data.api_keys.remove(&id);
    Ok(Json(Success::YES))
}

/// K5 `POST /_widgets/ApiKeys/{id}/expire` `{expiresAt: string|null}` (contract §7.1) → 200 the
/// key's row with its new `expiresAt` (`null` clears it; a moment not in the future expires it
/// now). 404 not one of the organization's keys; 409 already expired; 422 `expiresAt` not a
/// timestamp; 403 without `widgets:api-keys:manage`.
async fn expire_organization_key(
    caller: OrganizationCaller,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ExpireKeyRequest>,
) -> Result<Json<OrganizationApiKeyRow>, ApiError> {
    let org = keys_organization(&caller)?;
    let mut data = env.store.write();
    let key = organization_key(&mut data, org, &id)?;
    set_expiry(key, body.expires_at.as_deref(), EXPIRES_AT)?;
    Ok(Json(OrganizationApiKeyRow::new(key)))
}

// ---------------------------------------------------------------------------------------------
// User API keys (UK1–UK5).

/// Which user API keys a caller manages: every member's in the organization, or only their own.
struct UserKeysScope {
    organization_id: String,
    user_id: String,
    all: bool,
}

impl UserKeysScope {
    /// From the caller's token: `manage-all` or `manage-self` (403 with neither, or without an
    /// organization).
    fn of(caller: &WidgetCaller) -> Result<Self, ApiError> {
        let all = caller.require(USER_API_KEYS_MANAGE_ALL).is_ok();
        if !all {
            caller.require(USER_API_KEYS_MANAGE_SELF)?;
        }
        Ok(Self {
            organization_id: caller.organization()?.to_string(),
            user_id: caller.user_id.clone(),
            all,
        })
    }

    /// Whether the caller sees and manages `key`.
    fn covers(&self, key: &ApiKey) -> bool {
        match &key.owner {
            ApiKeyOwner::User {
                user_id,
                organization_id,
            } => *organization_id == self.organization_id && (self.all || *user_id == self.user_id),
            ApiKeyOwner::Organization { .. } => false,
        }
    }

    /// The user API key `id` if the caller manages it; 404 otherwise.
    fn key<'a>(&self, data: &'a mut Data, id: &str) -> Result<&'a mut ApiKey, ApiError> {
        data.api_keys
            .get_mut(id)
            .filter(|k| self.covers(k))
            .ok_or_else(|| ApiError::not_found("api_key", id))
    }
}

/// The row of a user API key, with its owner.
fn user_key_row(data: &Data, key: &ApiKey) -> UserApiKeyRow {
    let owner = key.owner.user_id().and_then(|id| data.users.get(id));
    UserApiKeyRow::new(key, owner)
}

/// UK1 `GET /_widgets/UserApiKeys/api-keys?limit&before&after&search` (contract §7.2) → 200
/// `{data: UserApiKey[], list_metadata}`: with `manage-all`, every member's keys in the
/// organization; with `manage-self`, the caller's own; newest first, searched by name. 400 bad
/// `limit`; 403 with neither scope.
async fn list_user_keys(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<UserApiKeyRow>>, ApiError> {
    let scope = UserKeysScope::of(&caller)?;
    let data = env.store.read();
    let keys = data.api_keys.values().filter(|k| scope.covers(k));
    Ok(Json(page_of_keys(keys, &query, |k| {
        user_key_row(&data, k)
    })?))
}

/// UK2 `GET /_widgets/UserApiKeys/permissions` (contract §7.2): as K2. 403 with neither scope.
async fn user_key_permissions(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<PermissionRow>>, ApiError> {
    UserKeysScope::of(&caller)?;
    Ok(Json(page_of_permissions(&env.store.read(), &query)?))
}

/// UK3 `POST /_widgets/UserApiKeys/api-keys` `{name, permissions, expiresAt}` (contract §7.2) →
/// 201 `CreatedApiKey`: a key owned by the caller in the token's organization, its secret in
/// `value` this once. 422 as K3; 403 with neither scope.
async fn create_user_key(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<CreateKeyRequest>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    let scope = UserKeysScope::of(&caller)?;
    let mut data = env.store.write();
    let new = checked(&data, &body)?;
    let owner = ApiKeyOwner::User {
        user_id: scope.user_id,
        organization_id: scope.organization_id,
    };
    let (key, secret) = data.issue_api_key(owner, new.name, new.permissions, new.expires_at);
    Ok((StatusCode::CREATED, Json(created(&key, secret))))
}

/// UK4 `DELETE /_widgets/UserApiKeys/{id}` (contract §7.2) → 200 `{success: true}`. 404 a key the
/// caller does not manage (another organization's, an organization key, or with `manage-self`
/// another member's); 403 with neither scope.
async fn delete_user_key(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
) -> Result<Json<Success>, ApiError> {
    let scope = UserKeysScope::of(&caller)?;
    let mut data = env.store.write();
    scope.key(&mut data, &id)?;
    data.api_keys.remove(&id);
    Ok(Json(Success::YES))
}

/// UK5 `POST /_widgets/UserApiKeys/{id}/expire` `{expiresAt: string|null}` (contract §7.2) → 200
/// the key's `UserApiKey` row. 404 as UK4; 409 already expired; 422 `expiresAt` not a timestamp;
/// 403 with neither scope.
async fn expire_user_key(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ExpireKeyRequest>,
) -> Result<Json<UserApiKeyRow>, ApiError> {
    let scope = UserKeysScope::of(&caller)?;
    let mut data = env.store.write();
    set_expiry(
        scope.key(&mut data, &id)?,
        body.expires_at.as_deref(),
        EXPIRES_AT,
    )?;
    let key = &data.api_keys[&id];
    Ok(Json(user_key_row(&data, key)))
}
