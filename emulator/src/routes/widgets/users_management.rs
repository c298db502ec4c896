//! UsersManagement widget (`user-management`): an organization's members and invitations
//! (contract §6.4, M1–M8). Every call needs `widgets:users-table:manage` in the token and acts only
//! on the token's organization; the row `actions` are decided here, from the caller's permissions.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use time::Duration;

use crate::AppState;
use crate::auth::WidgetCaller;
use crate::error::ApiError;
use crate::models::paginate_newest_first;
use crate::routes::{ApiJson, ApiQuery};
use crate::seed::USERS_TABLE_MANAGE;
use crate::store::{
    self, Invitation, InvitationState, MembershipStatus, Role, State as Data, timestamp,
};

/// Invitations are valid for 7 days (WorkOS's default).
const INVITATION_TTL: Duration = Duration::days(7);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/UserManagement/members", get(list_members))
        .route(
            "/UserManagement/members/{user_id}",
            post(edit_roles).delete(remove_member),
        )
        .route("/UserManagement/roles-and-config", get(roles_and_config))
        .route("/UserManagement/roles", get(roles))
        .route("/UserManagement/invite-user", post(invite))
        .route(
            "/UserManagement/invites/{id}/resend",
            post(resend_invitation),
        )
        .route("/UserManagement/invites/{id}", delete(revoke_invitation))
}

/// The caller's organization, once the token is checked for the users-table permission.
fn managed_organization(caller: &WidgetCaller) -> Result<String, ApiError> {
    caller.require(USERS_TABLE_MANAGE)?;
    caller.organization().map(str::to_string)
}

fn member_role(role: &Role) -> Value {
    json!({"name": role.name, "slug": role.slug, "description": role.description})
}

fn role_or_unknown(state: &Data, slug: &str) -> Value {
    state
        .role(slug)
        .map(member_role)
        .unwrap_or_else(|| json!({"name": slug, "slug": slug, "description": null}))
}

#[derive(Debug, Deserialize)]
struct MembersQuery {
    limit: Option<String>,
    before: Option<String>,
    after: Option<String>,
    role: Option<String>,
    search: Option<String>,
}

/// M1 `GET /_widgets/UserManagement/members?limit&before&after&role&search` → `MembersResponse`:
/// active members and open invitations of the organization, newest first, filtered by role slug
/// and by a case-insensitive search of name and email, in pages of `limit` (default 10).
async fn list_members(
    caller: WidgetCaller,
    State(env): State<AppState>,
    ApiQuery(query): ApiQuery<MembersQuery>,
) -> Result<Json<Value>, ApiError> {
    let org = managed_organization(&caller)?;
    let limit = match query.limit.as_deref() {
        None => 10,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_request_parameters",
                    format!("limit must be between 1 and 100, not '{text}'."),
                )
            })?,
    };
    let search = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    let matches = |email: &str, first: Option<&str>, last: Option<&str>| {
        search.as_ref().is_none_or(|needle| {
            let name = format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default())
                .to_lowercase();
            email.to_lowercase().contains(needle) || name.contains(needle)
        })
    };
    let state = env.store.read();
    let now = store::now();
    let can_edit_roles = state.roles.len() > 1;
    let mut rows: Vec<(String, time::OffsetDateTime, Value)> = Vec::new();

    for m in state
        .memberships
        .values()
        .filter(|m| m.organization_id == org && m.status == MembershipStatus::Active)
    {
        let Some(user) = state.users.get(&m.user_id) else {
            continue;
        };
        if query.role.as_deref().is_some_and(|r| r != m.role)
            || !matches(
                &user.email,
                user.first_name.as_deref(),
                user.last_name.as_deref(),
            )
        {
            continue;
        }
        let is_caller = user.id == caller.user_id;
        let mut actions = Vec::new();
        if can_edit_roles {
            actions.push("edit-role");
        }
        if !is_caller {
            actions.push("revoke-membership");
        }
        rows.push((
            user.id.clone(),
            m.created_at,
            json!({
                "id": user.id, "email": user.email, "emailVerified": user.email_verified,
                "firstName": user.first_name, "lastName": user.last_name, "profilePictureUrl": user.profile_picture_url,
                "createdAt": timestamp(m.created_at), "lastActivityAt": user.last_sign_in_at.map(timestamp),
                "status": "Active", "actions": actions, "isLoggedInUser": is_caller,
                "roles": [role_or_unknown(&state, &m.role)],
            }),
        ));
    }
    for i in state
        .invitations
        .values()
        .filter(|i| i.organization_id == org && i.state == InvitationState::Pending)
    {
        if query.role.as_deref().is_some_and(|r| r != i.role) || !matches(&i.email, None, None) {
            continue;
        }
        let status = if i.expires_at <= now {
            "InviteExpired"
        } else {
            "Invited"
        };
        rows.push((
            i.id.clone(),
            i.created_at,
            json!({
                "id": i.id, "email": i.email, "emailVerified": false,
                "firstName": null, "lastName": null, "profilePictureUrl": null,
                "createdAt": timestamp(i.created_at), "lastActivityAt": null,
                "status": status, "actions": ["resend-invite", "revoke-invite"], "isLoggedInUser": false,
                "roles": [role_or_unknown(&state, &i.role)],
            }),
        ));
    }
    rows.sort_by(|a, b| (b.1, &b.0).cmp(&(a.1, &a.0)));
    let items = rows.into_iter().map(|(id, _, row)| (id, row)).collect();
    let (data, list_metadata) = paginate_newest_first(
        items,
        limit,
        query.before.as_deref(),
        query.after.as_deref(),
    );
    Ok(Json(json!({"data": data, "list_metadata": list_metadata})))
}

fn roles_list(state: &Data) -> Vec<Value> {
    state.roles.iter().map(|r| json!({"name": r.name, "slug": r.slug, "default": r.is_default, "description": r.description})).collect()
}

/// M2 `GET /_widgets/UserManagement/roles-and-config` → `{roles: MemberRole[], multipleRolesEnabled: false}`.
async fn roles_and_config(
    caller: WidgetCaller,
    State(env): State<AppState>,
) -> Result<Json<Value>, ApiError> {
    managed_organization(&caller)?;
    Ok(Json(
        json!({"roles": roles_list(&env.store.read()), "multipleRolesEnabled": false}),
    ))
}

/// M3 `GET /_widgets/UserManagement/roles` → `MemberRole[]` (a bare array).
async fn roles(caller: WidgetCaller, State(env): State<AppState>) -> Result<Json<Value>, ApiError> {
    managed_organization(&caller)?;
    Ok(Json(Value::Array(roles_list(&env.store.read()))))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InviteRequest {
    email: String,
    roles: Option<Vec<String>>,
}

/// M4 `POST /_widgets/UserManagement/invite-user` `{email, roles: [slug]}` → 201 `{success: true}`:
/// a pending invitation and an invitation email. 400 `{message}`: "Invalid email", "Invalid role",
/// "User already exists" (a member), "User already invited".
async fn invite(
    caller: WidgetCaller,
    State(env): State<AppState>,
    ApiJson(body): ApiJson<InviteRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let org = managed_organization(&caller)?;
    let email = body.email.trim().to_lowercase();
    if !super::valid_email(&email) {
        return Err(ApiError::bad_request("invalid_email", "Invalid email"));
    }
    let mut state = env.store.write();
    let role = match body.roles.as_deref() {
        None | Some([]) => state
            .roles
            .iter()
            .find(|r| r.is_default)
            .map(|r| r.slug.clone())
            .unwrap_or_default(),
        Some([slug]) if state.role(slug).is_some() => slug.clone(),
        Some(_) => return Err(ApiError::bad_request("invalid_role", "Invalid role")),
    };
    if let Some(user) = state.user_by_email(&email)
        && state
            .membership(&user.id, &org)
            .is_some_and(|m| m.status == MembershipStatus::Active)
    {
        return Err(ApiError::bad_request(
            "user_already_exists",
            "User already exists",
        ));
    }
    if state.invitations.values().any(|i| {
        i.organization_id == org && i.email == email && i.state == InvitationState::Pending
    }) {
        return Err(ApiError::bad_request(
            "user_already_invited",
            "User already invited",
        ));
    }
    let now = store::now();
    let invitation = Invitation {
        id: store::new_id("invitation"),
        email: email.clone(),
        organization_id: org.clone(),
        role,
        state: InvitationState::Pending,
        inviter_user_id: caller.user_id.clone(),
        expires_at: now + INVITATION_TTL,
        created_at: now,
        updated_at: now,
    };
    let org_name = state
        .organizations
        .get(&org)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    state.send_mail(
        &email,
        &format!("You're invited to join {org_name}"),
        format!("You have been invited to join {org_name}. This invitation expires in 7 days."),
        None,
    );
    tracing::info!(invitation_id = %invitation.id, organization_id = %org, "invitation created");
    state.invitations.insert(invitation.id.clone(), invitation);
    Ok((StatusCode::CREATED, Json(json!({"success": true}))))
}

fn active_admins(state: &Data, org: &str) -> usize {
    state
        .memberships
        .values()
        .filter(|m| {
            m.organization_id == org && m.status == MembershipStatus::Active && m.role == "admin"
        })
        .count()
}

#[derive(Debug, Deserialize)]
struct EditRoles {
    roles: Vec<String>,
}

/// M5 `POST /_widgets/UserManagement/members/{userId}` `{roles: [slug]}` → `{id, success}`. 404 not
/// a member of this organization; 422 "Invalid role"; 400 when it would leave no admin.
async fn edit_roles(
    caller: WidgetCaller,
    State(env): State<AppState>,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<EditRoles>,
) -> Result<Json<Value>, ApiError> {
    let org = managed_organization(&caller)?;
    let mut state = env.store.write();
    let [slug] = body.roles.as_slice() else {
        return Err(ApiError::Unprocessable(
            "Invalid role: give exactly one role.".into(),
        ));
    };
    if state.role(slug).is_none() {
        return Err(ApiError::Unprocessable("Invalid role".into()));
    }
    let admins = active_admins(&state, &org);
    let membership = state
        .memberships
        .values_mut()
        .find(|m| {
            m.user_id == user_id && m.organization_id == org && m.status == MembershipStatus::Active
        })
        .ok_or_else(|| ApiError::not_found("member", &user_id))?;
    if membership.role == "admin" && slug != "admin" && admins <= 1 {
        return Err(ApiError::bad_request(
            "last_admin",
            "An organization needs at least one admin: make someone else admin first.",
        ));
    }
    membership.role = slug.clone();
    membership.updated_at = store::now();
    tracing::info!(%user_id, organization_id = %org, role = %slug, "role changed");
    Ok(Json(json!({"id": user_id, "success": true})))
}

/// M6 `DELETE /_widgets/UserManagement/members/{userId}` → `{id, success}`. 400 for yourself or the
/// last admin; 404 not a member of this organization.
async fn remove_member(
    caller: WidgetCaller,
    State(env): State<AppState>,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let org = managed_organization(&caller)?;
    if user_id == caller.user_id {
        return Err(ApiError::bad_request(
            "cannot_remove_self",
            "You cannot remove yourself from the organization.",
        ));
    }
    let mut state = env.store.write();
    let admins = active_admins(&state, &org);
    let (id, role) = state
        .memberships
        .values()
        .find(|m| {
            m.user_id == user_id && m.organization_id == org && m.status == MembershipStatus::Active
        })
        .map(|m| (m.id.clone(), m.role.clone()))
        .ok_or_else(|| ApiError::not_found("member", &user_id))?;
    if role == "admin" && admins <= 1 {
        return Err(ApiError::bad_request(
            "last_admin",
            "You cannot remove the organization's last admin.",
        ));
    }
    state.memberships.remove(&id);
    tracing::info!(%user_id, organization_id = %org, "member removed");
    Ok(Json(json!({"id": user_id, "success": true})))
}

fn pending_invitation<'a>(
    state: &'a mut Data,
    org: &str,
    id: &str,
) -> Result<&'a mut Invitation, ApiError> {
    state
        .invitations
        .get_mut(id)
        .filter(|i| i.organization_id == org && i.state == InvitationState::Pending)
        .ok_or_else(|| ApiError::not_found("invitation", id))
}

/// M7 `POST /_widgets/UserManagement/invites/{id}/resend` → `{id, success}`: a fresh 7-day expiry
/// and a new email; 404 no open invitation with that id in this organization.
async fn resend_invitation(
    caller: WidgetCaller,
    State(env): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let org = managed_organization(&caller)?;
    let mut state = env.store.write();
    let now = store::now();
    let invitation = pending_invitation(&mut state, &org, &id)?;
    invitation.expires_at = now + INVITATION_TTL;
    invitation.updated_at = now;
    let email = invitation.email.clone();
    let org_name = state
        .organizations
        .get(&org)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    state.send_mail(
        &email,
        &format!("Reminder: you're invited to join {org_name}"),
        format!("You have been invited to join {org_name}. This invitation expires in 7 days."),
        None,
    );
    Ok(Json(json!({"id": id, "success": true})))
}

/// M8 `DELETE /_widgets/UserManagement/invites/{id}` → `{id, success}`; 404 no open invitation.
async fn revoke_invitation(
    caller: WidgetCaller,
    State(env): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let org = managed_organization(&caller)?;
    let mut state = env.store.write();
    let invitation = pending_invitation(&mut state, &org, &id)?;
    invitation.state = InvitationState::Revoked;
    invitation.updated_at = store::now();
    Ok(Json(json!({"id": id, "success": true})))
}

#[cfg(test)]
mod tests {
    #[test]
    fn email_check() {
        for ok in ["a@b.co", "first.last+tag@acme.test"] {
            assert!(crate::routes::widgets::valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "nope",
            "@acme.test",
            "a@",
            "a@b",
            "a b@acme.test",
            "a@.test",
            "a@b@c.test",
        ] {
            assert!(!crate::routes::widgets::valid_email(bad), "{bad}");
        }
    }
}
