//! UsersManagement widget (`user-management`): an organization's members and invitations
//! (contract §6.4, M1–M8). Every call needs `widgets:users-table:manage` in the token and acts only
//! on the token's organization; the row `actions` are decided here, from the caller's permissions.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::bodies::{Success, SuccessWithId};
use crate::auth::WidgetCaller;
use crate::clock::{now, timestamp};
use crate::entities::{Data, Invitation, InvitationState, MembershipStatus, Role, valid_email};
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::ids::new_id;
use crate::models::{ListMetadata, paginate_newest_first};
use crate::seed::USERS_TABLE_MANAGE;

/// Invitations are valid for 7 days (WorkOS's default).
const INVITATION_TTL: Duration = Duration::days(7);

pub fn router() -> Router<Arc<Environment>> {
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

/// The widgets' `MembersResponse`: one page of members and invitations.
#[derive(Debug, Serialize)]
struct MembersResponse {
    data: Vec<Member>,
    list_metadata: ListMetadata,
}

/// The widgets' `Member`: an active member or an open invitation (a row of the users table).
/// Timestamps are WorkOS timestamps (`clock::timestamp`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Member {
    /// The user id of a member, the invitation id of an invitation.
    id: String,
    email: String,
    email_verified: bool,
    profile_picture_url: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    /// When the membership or invitation was created.
    created_at: String,
    last_activity_at: Option<String>,
    /// `Active`, `Invited` or `InviteExpired`.
    status: &'static str,
    /// What the caller may do with the row: `edit-role`, `revoke-membership`, `resend-invite`,
    /// `revoke-invite`.
    actions: Vec<&'static str>,
    is_logged_in_user: bool,
    roles: Vec<MemberRoleName>,
}

/// A role as a member row names it (the items of the widgets' `MemberRoles`).
#[derive(Debug, Serialize)]
struct MemberRoleName {
    name: String,
    slug: String,
    description: Option<String>,
}

impl MemberRoleName {
    /// The role `slug` of the environment; an unknown slug is named by itself.
    fn of(data: &Data, slug: &str) -> Self {
        match data.role(slug) {
            Some(role) => Self {
                name: role.name.clone(),
                slug: role.slug.clone(),
                description: role.description.clone(),
            },
            None => Self {
                name: slug.into(),
                slug: slug.into(),
                description: None,
            },
        }
    }
}

/// The widgets' `MemberRole`: a role a member may be given.
#[derive(Debug, Serialize)]
struct MemberRole {
    name: String,
    slug: String,
    /// The role new members get.
    default: bool,
    description: Option<String>,
}

impl MemberRole {
    fn new(role: &Role) -> Self {
        Self {
            name: role.name.clone(),
            slug: role.slug.clone(),
            default: role.is_default,
            description: role.description.clone(),
        }
    }
}

/// The widgets' `RolesAndConfigResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RolesAndConfigResponse {
    roles: Vec<MemberRole>,
    /// Always `false`: a member has one role.
    multiple_roles_enabled: bool,
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
    State(env): State<Arc<Environment>>,
    ApiQuery(query): ApiQuery<MembersQuery>,
) -> Result<Json<MembersResponse>, ApiError> {
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
    let data = env.store.read();
    let now = now();
    let can_edit_roles = data.roles.len() > 1;
    let mut rows: Vec<(String, OffsetDateTime, Member)> = Vec::new();

    for m in data
        .memberships
        .values()
        .filter(|m| m.organization_id == org && m.status == MembershipStatus::Active)
    {
        let Some(user) = data.users.get(&m.user_id) else {
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
            Member {
                id: user.id.clone(),
                email: user.email.clone(),
                email_verified: user.email_verified,
                profile_picture_url: user.profile_picture_url.clone(),
                first_name: user.first_name.clone(),
                last_name: user.last_name.clone(),
                created_at: timestamp(m.created_at),
                last_activity_at: user.last_sign_in_at.map(timestamp),
                status: "Active",
                actions,
                is_logged_in_user: is_caller,
                roles: vec![MemberRoleName::of(&data, &m.role)],
            },
        ));
    }
    for i in data
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
            Member {
                id: i.id.clone(),
                email: i.email.clone(),
                email_verified: false,
                profile_picture_url: None,
                first_name: None,
                last_name: None,
                created_at: timestamp(i.created_at),
                last_activity_at: None,
                status,
                actions: vec!["resend-invite", "revoke-invite"],
                is_logged_in_user: false,
                roles: vec![MemberRoleName::of(&data, &i.role)],
            },
        ));
    }
    rows.sort_by(|a, b| (b.1, &b.0).cmp(&(a.1, &a.0)));
    let items = rows.into_iter().map(|(id, _, row)| (id, row)).collect();
    let (page, list_metadata) = paginate_newest_first(
        items,
        limit,
        query.before.as_deref(),
        query.after.as_deref(),
    );
    Ok(Json(MembersResponse {
        data: page,
        list_metadata,
    }))
}

fn roles_list(data: &Data) -> Vec<MemberRole> {
    data.roles.iter().map(MemberRole::new).collect()
}

/// M2 `GET /_widgets/UserManagement/roles-and-config` → `{roles: MemberRole[], multipleRolesEnabled: false}`.
async fn roles_and_config(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<RolesAndConfigResponse>, ApiError> {
    managed_organization(&caller)?;
    Ok(Json(RolesAndConfigResponse {
        roles: roles_list(&env.store.read()),
        multiple_roles_enabled: false,
    }))
}

/// M3 `GET /_widgets/UserManagement/roles` → `MemberRole[]` (a bare array).
async fn roles(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<Vec<MemberRole>>, ApiError> {
    managed_organization(&caller)?;
    Ok(Json(roles_list(&env.store.read())))
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
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<InviteRequest>,
) -> Result<(StatusCode, Json<Success>), ApiError> {
    let org = managed_organization(&caller)?;
    let email = body.email.trim().to_lowercase();
    if !valid_email(&email) {
        return Err(ApiError::bad_request("invalid_email", "Invalid email"));
    }
    let mut data = env.store.write();
    let role = match body.roles.as_deref() {
        None | Some([]) => data
            .roles
            .iter()
            .find(|r| r.is_default)
            .map(|r| r.slug.clone())
            .unwrap_or_default(),
        Some([slug]) if data.role(slug).is_some() => slug.clone(),
        Some(_) => return Err(ApiError::bad_request("invalid_role", "Invalid role")),
    };
    if let Some(user) = data.user_by_email(&email)
        && data.is_active_member(&user.id, &org)
    {
        return Err(ApiError::bad_request(
            "user_already_exists",
            "User already exists",
        ));
    }
    if data.invitations.values().any(|i| {
        i.organization_id == org && i.email == email && i.state == InvitationState::Pending
    }) {
        return Err(ApiError::bad_request(
            "user_already_invited",
            "User already invited",
        ));
    }
    let now = now();
    let invitation = Invitation {
        id: new_id("invitation"),
        email: email.clone(),
        organization_id: org.clone(),
        role,
        state: InvitationState::Pending,
        inviter_user_id: caller.user_id.clone(),
        expires_at: now + INVITATION_TTL,
        created_at: now,
        updated_at: now,
    };
    let org_name = data
        .organizations
        .get(&org)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    data.send_mail(
        &email,
        &format!("You're invited to join {org_name}"),
        format!("You have been invited to join {org_name}. This invitation expires in 7 days."),
        None,
    );
    tracing::info!(invitation_id = %invitation.id, organization_id = %org, "invitation created");
    data.invitations.insert(invitation.id.clone(), invitation);
    Ok((StatusCode::CREATED, Json(Success::YES)))
}

fn active_admins(data: &Data, org: &str) -> usize {
    data.memberships
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
    State(env): State<Arc<Environment>>,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<EditRoles>,
) -> Result<Json<SuccessWithId>, ApiError> {
    let org = managed_organization(&caller)?;
    let mut data = env.store.write();
    let [slug] = body.roles.as_slice() else {
        return Err(ApiError::Unprocessable(
            "Invalid role: give exactly one role.".into(),
        ));
    };
    if data.role(slug).is_none() {
        return Err(ApiError::Unprocessable("Invalid role".into()));
    }
    let admins = active_admins(&data, &org);
    let membership = data
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
    membership.updated_at = now();
    tracing::info!(%user_id, organization_id = %org, role = %slug, "role changed");
    Ok(Json(SuccessWithId::new(user_id)))
}

/// M6 `DELETE /_widgets/UserManagement/members/{userId}` → `{id, success}`. 400 for yourself or the
/// last admin; 404 not a member of this organization.
async fn remove_member(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(user_id): Path<String>,
) -> Result<Json<SuccessWithId>, ApiError> {
    let org = managed_organization(&caller)?;
    if user_id == caller.user_id {
        return Err(ApiError::bad_request(
            "cannot_remove_self",
            "You cannot remove yourself from the organization.",
        ));
    }
    let mut data = env.store.write();
    let admins = active_admins(&data, &org);
    let (id, role) = data
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
    data.memberships.remove(&id);
    tracing::info!(%user_id, organization_id = %org, "member removed");
    Ok(Json(SuccessWithId::new(user_id)))
}

fn pending_invitation<'a>(
    data: &'a mut Data,
    org: &str,
    id: &str,
) -> Result<&'a mut Invitation, ApiError> {
    data.invitations
        .get_mut(id)
        .filter(|i| i.organization_id == org && i.state == InvitationState::Pending)
        .ok_or_else(|| ApiError::not_found("invitation", id))
}

/// M7 `POST /_widgets/UserManagement/invites/{id}/resend` → `{id, success}`: a fresh 7-day expiry
/// and a new email; 404 no open invitation with that id in this organization.
async fn resend_invitation(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
) -> Result<Json<SuccessWithId>, ApiError> {
    let org = managed_organization(&caller)?;
    let mut data = env.store.write();
    let now = now();
    let invitation = pending_invitation(&mut data, &org, &id)?;
    invitation.expires_at = now + INVITATION_TTL;
    invitation.updated_at = now;
    let email = invitation.email.clone();
    let org_name = data
        .organizations
        .get(&org)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    data.send_mail(
        &email,
        &format!("Reminder: you're invited to join {org_name}"),
        format!("You have been invited to join {org_name}. This invitation expires in 7 days."),
        None,
    );
    Ok(Json(SuccessWithId::new(id)))
}

/// M8 `DELETE /_widgets/UserManagement/invites/{id}` → `{id, success}`; 404 no open invitation.
async fn revoke_invitation(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
) -> Result<Json<SuccessWithId>, ApiError> {
    let org = managed_organization(&caller)?;
    let mut data = env.store.write();
    let invitation = pending_invitation(&mut data, &org, &id)?;
    invitation.state = InvitationState::Revoked;
    invitation.updated_at = now();
    Ok(Json(SuccessWithId::new(id)))
}
