//! JSON shapes of the public WorkOS API (snake_case), as the WorkOS OpenAPI spec
//! (`@workos/openapi-spec`) and the `workos` crate's models define them (contract §8).

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::clock::timestamp;
use crate::entities::{Data, Membership, Organization, Session, User};

/// `User` (spec `UserlandUser`). The spec requires the nullable fields to be present as `null`.
pub fn user(u: &User) -> Value {
    json!({
        "object": "user",
        "id": u.id,
        "email": u.email,
        "email_verified": u.email_verified,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "profile_picture_url": u.profile_picture_url,
        "external_id": null,
        "last_sign_in_at": u.last_sign_in_at.map(timestamp),
        "locale": u.locale,
        "metadata": {},
        "created_at": timestamp(u.created_at),
        "updated_at": timestamp(u.updated_at),
    })
}

/// `Organization` with its domains (`OrganizationDomain`s of the Admin Portal, oldest first):
/// `state` in the API's spelling, `verification_strategy` `dns` for a domain verified by a TXT
/// record (with its `verification_prefix` and `verification_token`), `manual` for one the seed
/// verified.
pub fn organization(data: &Data, o: &Organization) -> Value {
    let domains: Vec<Value> = data
        .domains_of(&o.id)
        .into_iter()
        .map(|d| {
            let mut domain = json!({
                "object": "organization_domain",
                "id": d.id,
                "organization_id": d.organization_id,
                "domain": d.domain,
                "state": d.state.api_name(),
                "verification_strategy": if d.verification_token.is_some() { "dns" } else { "manual" },
                "created_at": timestamp(d.created_at),
                "updated_at": timestamp(d.updated_at),
            });
            if let (Some(prefix), Some(token)) = (&d.verification_prefix, &d.verification_token) {
                domain["verification_prefix"] = json!(prefix);
                domain["verification_token"] = json!(token);
            }
            domain
        })
        .collect();
    json!({
        "object": "organization",
        "id": o.id,
        "name": o.name,
        "domains": domains,
        "metadata": {},
        "external_id": null,
        "allow_profiles_outside_organization": false,
        "created_at": timestamp(o.created_at),
        "updated_at": timestamp(o.updated_at),
    })
}

/// `OrganizationMembership` with the embedded `user` the `workos` crate 3.5 requires.
pub fn membership(data: &Data, m: &Membership) -> Value {
    let organization_name = data
        .organizations
        .get(&m.organization_id)
        .map(|o| o.name.clone());
    let user = data.users.get(&m.user_id).map(user).unwrap_or(Value::Null);
    json!({
        "object": "organization_membership",
        "id": m.id,
        "user_id": m.user_id,
        "organization_id": m.organization_id,
        "organization_name": organization_name,
        "status": m.status.as_str(),
        "directory_managed": false,
        "role": {"slug": m.role},
        "roles": [{"slug": m.role}],
        "custom_attributes": {},
        "created_at": timestamp(m.created_at),
        "updated_at": timestamp(m.updated_at),
        "user": user,
    })
}

/// A user's session in the public API (spec `UserlandUserSessionsController_list`, `GET
/// /user_management/users/{id}/sessions`, item): `{object: "session", id, ip_address, organization_id?,
/// user_agent, user_id, auth_method, status, expires_at, ended_at, created_at, updated_at}`.
#[derive(Serialize)]
pub struct UserSession {
    pub object: &'static str,
    pub id: String,
    pub ip_address: Option<String>,
    /// Not nullable in the spec: absent for a session without an organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    pub user_agent: Option<String>,
    pub user_id: String,
    /// The spec's lowercase enum (`password`, `sso`, `oauth`, …, `unknown`).
    pub auth_method: &'static str,
    /// `active`, `expired` or `revoked`.
    pub status: &'static str,
    pub expires_at: String,
    pub ended_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl UserSession {
    /// `session` as listed at `now` (its status).
    pub fn new(session: &Session, now: time::OffsetDateTime) -> Self {
        let status = match (session.ended_at, session.expires_at > now) {
            (Some(_), _) => "revoked",
            (None, false) => "expired",
            (None, true) => "active",
        };
        Self {
            object: "session",
            id: session.id.clone(),
            ip_address: session.ip_address.clone(),
            organization_id: session.organization_id.clone(),
            user_agent: session.user_agent.clone(),
            user_id: session.user_id.clone(),
            auth_method: session_auth_method(&session.auth_method),
            status,
            expires_at: timestamp(session.expires_at),
            ended_at: session.ended_at.map(timestamp),
            created_at: timestamp(session.created_at),
            updated_at: timestamp(session.updated_at),
        }
    }
}

/// The spec's session `auth_method` for the `authentication_method` a sign-in answered with
/// (`Password` → `password`, `SSO` → `sso`, `GoogleOAuth` → `oauth`, …); `unknown` otherwise.
fn session_auth_method(authentication_method: &str) -> &'static str {
    match authentication_method {
        "Password" => "password",
        "SSO" => "sso",
        "Passkey" => "passkey",
        "MagicAuth" => "magic_code",
        "Impersonation" => "impersonation",
        "CrossAppAuth" => "cross_app_auth",
        "ExternalAuth" => "external_auth",
        "MigratedSession" => "migrated_session",
        m if m.ends_with("OAuth") => "oauth",
        _ => "unknown",
    }
}

/// `{object: "list", data, list_metadata: {before, after}}`.
#[derive(Serialize)]
pub struct List<T = Value> {
    pub object: &'static str,
    pub data: Vec<T>,
    pub list_metadata: ListMetadata,
}

#[derive(Serialize, Default, Debug, PartialEq)]
pub struct ListMetadata {
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Cursor pagination over `(id, item)` pairs already in list order, as WorkOS pages its lists:
/// `after=<id>` gives the items following that id, `before=<id>` the items preceding it;
/// `list_metadata.after` is the last id when more follow, `list_metadata.before` the first id when
/// some precede. `limit` is clamped to 1..=100. An unknown cursor gives an empty page.
pub fn paginate<T>(
    items: Vec<(String, T)>,
    limit: usize,
    before: Option<&str>,
    after: Option<&str>,
) -> (Vec<T>, ListMetadata) {
    let limit = limit.clamp(1, 100);
    let position = |cursor: &str| items.iter().position(|(id, _)| id == cursor);
    let (start, end) = match (after, before) {
        (Some(cursor), _) => match position(cursor) {
            Some(i) => (i + 1, (i + 1 + limit).min(items.len())),
            None => (items.len(), items.len()),
        },
        (None, Some(cursor)) => match position(cursor) {
            Some(i) => (i.saturating_sub(limit), i),
            None => (0, 0),
        },
        (None, None) => (0, limit.min(items.len())),
    };
    let metadata = ListMetadata {
        before: (start > 0 && start < end).then(|| items[start].0.clone()),
        after: (end < items.len() && start < end).then(|| items[end - 1].0.clone()),
    };
    let page = items
        .into_iter()
        .skip(start)
        .take(end - start)
        .map(|(_, item)| item)
        .collect();
    (page, metadata)
}

/// Cursor pagination over a newest-first list with time cursors, as the widgets' private members
/// list pages (shipped `users-management.js`: "Next" sends `before=<list_metadata.before>`,
/// "Previous" sends `after=<list_metadata.after>`): `before=<id>` gives the items created before
/// that id (further down the list), `after=<id>` those created after it (further up);
/// `list_metadata.before` is the page's last id when older items follow, `list_metadata.after` its
/// first id when newer ones precede.
pub fn paginate_newest_first<T>(
    items: Vec<(String, T)>,
    limit: usize,
    before: Option<&str>,
    after: Option<&str>,
) -> (Vec<T>, ListMetadata) {
    let (page, list_order) = paginate(items, limit, after, before);
    (
        page,
        ListMetadata {
            before: list_order.after,
            after: list_order.before,
        },
    )
}

/// An empty JSON object, for 2xx answers that carry nothing.
pub fn empty() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<(String, usize)> {
        (0..n).map(|i| (format!("id{i}"), i)).collect()
    }

    #[test]
    fn pages_forward_and_back() {
        let (page, meta) = paginate(ids(25), 10, None, None);
        assert_eq!(page, (0..10).collect::<Vec<_>>());
        assert_eq!(
            meta,
            ListMetadata {
                before: None,
                after: Some("id9".into())
            }
        );

        let (page, meta) = paginate(ids(25), 10, None, Some("id9"));
        assert_eq!(page, (10..20).collect::<Vec<_>>());
        assert_eq!(
            meta,
            ListMetadata {
                before: Some("id10".into()),
                after: Some("id19".into())
            }
        );

        let (page, meta) = paginate(ids(25), 10, None, Some("id19"));
        assert_eq!(page, (20..25).collect::<Vec<_>>());
        assert_eq!(
            meta,
            ListMetadata {
                before: Some("id20".into()),
                after: None
            }
        );

        let (page, meta) = paginate(ids(25), 10, Some("id10"), None);
        assert_eq!(page, (0..10).collect::<Vec<_>>());
        assert_eq!(
            meta,
            ListMetadata {
                before: None,
                after: Some("id9".into())
            }
        );

        let (page, _) = paginate(ids(25), 10, None, Some("nope"));
        assert!(page.is_empty());
    }

    #[test]
    fn newest_first_pages_down_with_before_and_up_with_after() {
        let (page, meta) = paginate_newest_first(ids(25), 10, None, None);
        assert_eq!(page, (0..10).collect::<Vec<_>>());
        assert_eq!(
            meta,
            ListMetadata {
                before: Some("id9".into()),
                after: None
            }
        );

        let (page, meta) = paginate_newest_first(ids(25), 10, Some("id9"), None);
        assert_eq!(page, (10..20).collect::<Vec<_>>());
        assert_eq!(
            meta,
            ListMetadata {
                before: Some("id19".into()),
                after: Some("id10".into())
            }
        );

        let (page, meta) = paginate_newest_first(ids(25), 10, None, Some("id10"));
        assert_eq!(page, (0..10).collect::<Vec<_>>());
        assert_eq!(
            meta,
            ListMetadata {
                before: Some("id9".into()),
                after: None
            }
        );
    }
}
