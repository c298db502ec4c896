//! Seed data: organizations, roles, users and memberships with pinned ids, from a JSON seed file.
//!
//! The built-in demo seed is `src/demo-seed.json` (the README's demo accounts, used by the tests):
//! - Organizations: "Acme Corp" (`acme.test` verified, `acme-corp.test` pending verification, one
//!   active Okta SAML connection, no directory, no audit-log stream), "Globex" (`globex.test`
//!   verified, nothing else) and "Initech" (`initech.test`).
//! - Roles: `admin` (grants every widget scope: `widgets:users-table:manage`, the Admin Portal
//!   scopes `widgets:sso:manage`, `widgets:domain-verification:manage`, `widgets:dsync:manage`,
//!   `widgets:audit-log-streaming:manage`, and `widgets:api-keys:manage`,
//!   `widgets:user-api-keys:manage-self`, `widgets:user-api-keys:manage-all`,
//!   `widgets:pipes:manage`) and `member` (the default; grants `widgets:user-api-keys:manage-self`
//!   only: every member manages their own API keys, as WorkOS describes that scope, and nobody
//!   else's).
//! - API key permissions (what an API key may be given): `posts:read`, `posts:write`,
//!   `comments:write`, `users:read`, `reports:export`.
//! - alice@acme.test "Alice Adams": Acme admin, Globex member, Initech member (Initech requires MFA).
//! - bob@acme.test "Bob Baker": Acme member.
//! - carol@globex.test "Carol Chen": Globex admin.
//! - 25 more Acme members, `<first>.<last>@acme.test`.
//! - Pipes providers (`data_integrations`): GitHub and Slack (OAuth), Linear (OAuth, off until an
//!   organization enables it), HubSpot (OAuth with each organization's own client), Datadog (API
//!   key), Snowflake (client credentials), and the organization-owned Notion (OAuth) and Sentry
//!   (API key); `team_name` "Account".
//!
//! Every demo password is [`DEMO_PASSWORD`]. Another file in the same format replaces it (see
//! [`SEED_FILE`]).

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;
use time::{Duration, OffsetDateTime, macros::datetime};

use crate::entities::pipes::{
    AuthMethod, ConfigField, CredentialsType, DataIntegration, Ownership,
};
use crate::entities::{
    ApiKeyPermission, ConnectionState, ConnectionType, Data, DomainState, Membership,
    MembershipStatus, NameServer, Organization, OrganizationDomain, Role, SsoConnection,
    SsoSession, SsoSessionState, User, X509Certificate, valid_domain,
};
use crate::keys::self_signed_certificate;
use crate::password::hash_password;

pub const DEMO_PASSWORD: &str = "demo-password";
/// The scope that lets a widget token manage an organization's members (UsersManagement).
pub const USERS_TABLE_MANAGE: &str = "widgets:users-table:manage";
/// The scope of the SSO connection widget (AdminPortalSsoConnection; contract §7.3).
pub const SSO_MANAGE: &str = "widgets:sso:manage";
/// The scope of the domain verification widget (AdminPortalDomainVerification; contract §7.4).
pub const DOMAIN_VERIFICATION_MANAGE: &str = "widgets:domain-verification:manage";
/// The scope of the directory sync widget (DirectorySync; contract §7.5).
pub const DSYNC_MANAGE: &str = "widgets:dsync:manage";
/// The scope of the audit-log streaming widget (AdminPortalAuditLogStreaming; contract §7.6).
pub const AUDIT_LOG_STREAMING_MANAGE: &str = "widgets:audit-log-streaming:manage";
/// The scope of the ApiKeys widget for the organization's API keys (contract §7.1).
pub const API_KEYS_MANAGE: &str = "widgets:api-keys:manage";
/// The ApiKeys widget with `scope="user"` for the caller's own user API keys (contract §7.2).
pub const USER_API_KEYS_MANAGE_SELF: &str = "widgets:user-api-keys:manage-self";
/// The ApiKeys widget with `scope="user"` for every member's user API keys (contract §7.2).
pub const USER_API_KEYS_MANAGE_ALL: &str = "widgets:user-api-keys:manage-all";
/// The scope of the PipesAdmin widget (contract §7.8).
pub const PIPES_MANAGE: &str = "widgets:pipes:manage";
/// The seed file loaded automatically from the working directory when it exists.
pub const SEED_FILE: &str = "workos-emulator.seed.json";
/// The built-in demo seed.
pub const DEMO_SEED: &str = include_str!("demo-seed.json");

pub const ACME_ID: &str = "org_01JDEM0000000000000000ACME";
pub const GLOBEX_ID: &str = "org_01JDEM00000000000000GL0BEX";
/// Initech requires MFA (alice is a member without a factor).
pub const INITECH_ID: &str = "org_01JDEM00000000000000N1TECH";
pub const ALICE_ID: &str = "user_01JDEM0000000000000000A1CE";
pub const BOB_ID: &str = "user_01JDEM00000000000000000B0B";
pub const CAROL_ID: &str = "user_01JDEM000000000000000CAR01";

/// Seeded objects are created a minute apart from this moment, in file order.
const EPOCH: OffsetDateTime = datetime!(2026-01-05 09:00:00 UTC);

/// A seed file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub organizations: Vec<SeedOrganization>,
    pub roles: Vec<SeedRole>,
    pub users: Vec<SeedUser>,
    /// The permissions API keys may carry (WorkOS: configured per environment).
    #[serde(default)]
    pub api_key_permissions: Vec<SeedApiKeyPermission>,
    /// The app's name on the Pipes connect dialog and consent screen (`teamName` of
    /// `/_widgets/settings`).
    #[serde(default)]
    pub team_name: Option<String>,
    /// The Pipes providers the environment offers (see `pipes.rs`).
    #[serde(default)]
    pub data_integrations: Vec<SeedDataIntegration>,
}

/// A Pipes provider of a seed, e.g. `{"slug": "github", "name": "GitHub", "auth_methods":
/// ["oauth"], "scopes": ["repo", "read:user"], "default_scopes": ["read:user"]}`. The slug names
/// its icon: it must be one of the widget's known provider icons (`provider-icon-slugs.js`), which
/// the app serves from its own origin.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDataIntegration {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Default `userland_user` (each member connects their own account).
    #[serde(default = "default_ownership")]
    pub ownership: Ownership,
    /// Default `shared` (WorkOS's OAuth client).
    #[serde(default = "default_credentials")]
    pub credentials: CredentialsType,
    pub auth_methods: Vec<AuthMethod>,
    /// Every scope the provider knows.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The developer's scopes, a subset of `scopes`.
    #[serde(default)]
    pub default_scopes: Vec<String>,
    /// Whether organizations have it without enabling it (default `true`).
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub config_fields: Vec<ConfigField>,
}

fn default_ownership() -> Ownership {
    Ownership::UserlandUser
}

fn default_credentials() -> CredentialsType {
    CredentialsType::Shared
}

fn yes() -> bool {
    true
}

/// Path segments the Pipes routes use after `/_widgets/DataIntegrations/`, which no provider slug
/// may take.
const RESERVED_SLUGS: [&str; 5] = [
    "mine",
    "shared-connections",
    "organization",
    "configurations",
    "installations",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedOrganization {
    pub id: String,
    pub name: String,
    /// The organization's domains: a name (verified) or `{domain, state}`.
    #[serde(default)]
    pub domains: Vec<SeedDomain>,
    /// SSO connections, e.g. `{"name": "Okta", "type": "OktaSaml"}` (active, with a signing
    /// certificate valid for ten years when SAML).
    #[serde(default)]
    pub sso_connections: Vec<SeedSsoConnection>,
    /// Members must have an MFA factor: entering it without one needs an AuthKit sign-in that
    /// enrolls a TOTP factor (a refresh into it answers 403 `mfa_enrollment`).
    #[serde(default)]
    pub require_mfa: bool,
}

/// An organization domain of a seed: `"acme.test"` (verified by hand, no DNS record) or
/// `{"domain": "acme-corp.test", "state": "pending"}` (`pending`, `verified`, `failed`,
/// `legacy_verified`; all but a plain name get a DNS TXT verification token).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum SeedDomain {
    Verified(String),
    WithState(SeedDomainWithState),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDomainWithState {
    pub domain: String,
    pub state: DomainState,
}

impl SeedDomain {
    fn name(&self) -> &str {
        match self {
            Self::Verified(name) => name,
            Self::WithState(d) => &d.domain,
        }
    }
}

/// An SSO connection of a seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSsoConnection {
    pub name: String,
    /// The widgets' connection type, e.g. `OktaSaml`, `GoogleOidc`.
    #[serde(rename = "type")]
    pub connection_type: ConnectionType,
    /// Default `Active`.
    #[serde(default)]
    pub state: Option<ConnectionState>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRole {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub default: bool,
}

/// A permission API keys may carry, e.g. `{"slug": "posts:read", "name": "Read posts"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedApiKeyPermission {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    pub id: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Plain text in the file; stored as an Argon2id hash.
    pub password: Option<String>,
    #[serde(default)]
    pub memberships: Vec<SeedMembership>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMembership {
    pub organization_id: String,
    pub role: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed file {0}: {1}")]
    Parse(String, serde_json::Error),
    #[error("seed file {0}: {1}")]
    Invalid(String, String),
    #[error("cannot hash a seed password: {0}")]
    Hash(String),
    #[error("cannot make a seed SSO connection's certificate: {0}")]
    Certificate(String),
}

impl Seed {
    /// Parses and checks a seed: unique ids and emails, memberships of known organizations and
    /// roles, exactly one default role.
    pub fn parse(name: &str, json: &str) -> Result<Self, SeedError> {
        let seed: Seed =
            serde_json::from_str(json).map_err(|e| SeedError::Parse(name.into(), e))?;
        let invalid = |message: String| SeedError::Invalid(name.into(), message);
        let organizations: BTreeSet<_> = seed.organizations.iter().map(|o| o.id.as_str()).collect();
        let roles: BTreeSet<_> = seed.roles.iter().map(|r| r.slug.as_str()).collect();
        if organizations.len() != seed.organizations.len() {
            return Err(invalid("two organizations share an id".into()));
        }
        let mut domains = BTreeSet::new();
        for domain in seed.organizations.iter().flat_map(|o| &o.domains) {
            let name = domain.name().to_ascii_lowercase();
            if !valid_domain(&name) || !domains.insert(name) {
                return Err(invalid(format!(
                    "domain '{}' is not a domain name or belongs to two organizations",
                    domain.name()
                )));
            }
        }
        if seed.roles.iter().filter(|r| r.default).count() != 1 {
            return Err(invalid(
                "exactly one role must have \"default\": true".into(),
            ));
        }
        let slugs: BTreeSet<_> = seed.api_key_permissions.iter().map(|p| &p.slug).collect();
        if slugs.len() != seed.api_key_permissions.len() {
            return Err(invalid("two API key permissions share a slug".into()));
        }
        let mut integrations = BTreeSet::new();
        for i in &seed.data_integrations {
            let slug_ok = !i.slug.is_empty()
                && i.slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !RESERVED_SLUGS.contains(&i.slug.as_str());
            if !slug_ok || !integrations.insert(i.slug.as_str()) {
                return Err(invalid(format!(
                    "data integration '{}': the slug must be unique, lowercase letters, digits \
                     and hyphens, and none of {RESERVED_SLUGS:?}",
                    i.slug
                )));
            }
            if i.auth_methods.is_empty() {
                return Err(invalid(format!(
                    "data integration '{}' has no auth_methods",
                    i.slug
                )));
            }
            if let Some(scope) = i.default_scopes.iter().find(|s| !i.scopes.contains(s)) {
                return Err(invalid(format!(
                    "data integration '{}': default scope '{scope}' is not in its scopes",
                    i.slug
                )));
            }
        }
        let mut ids = BTreeSet::new();
        let mut emails = BTreeSet::new();
        for user in &seed.users {
            if !ids.insert(user.id.as_str()) || !emails.insert(user.email.to_lowercase()) {
                return Err(invalid(format!(
                    "user {} ({}) repeats an id or email",
                    user.id, user.email
                )));
            }
            for m in &user.memberships {
                if !organizations.contains(m.organization_id.as_str()) {
                    return Err(invalid(format!(
                        "user {} is a member of unknown organization {}",
                        user.email, m.organization_id
                    )));
                }
                if !roles.contains(m.role.as_str()) {
                    return Err(invalid(format!(
                        "user {} has unknown role {}",
                        user.email, m.role
                    )));
                }
            }
        }
        Ok(seed)
    }

    /// The data this seed describes. Passwords are hashed here (once per distinct password:
    /// Argon2id is deliberately slow).
    pub fn to_data(&self) -> Result<Data, SeedError> {
        let mut hashes: HashMap<&str, String> = HashMap::new();
        for password in self.users.iter().filter_map(|u| u.password.as_deref()) {
            if !hashes.contains_key(password) {
                hashes.insert(password, hash_password(password).map_err(SeedError::Hash)?);
            }
        }
        let mut minute = 0;
        let mut next_time = || {
            minute += 1;
            EPOCH + Duration::minutes(minute)
        };
        let mut data = Data {
            roles: self
                .roles
                .iter()
                .map(|r| Role {
                    slug: r.slug.clone(),
                    name: r.name.clone(),
                    description: r.description.clone(),
                    permissions: r.permissions.clone(),
                    is_default: r.default,
                })
                .collect(),
            api_key_permissions: self
                .api_key_permissions
                .iter()
                .enumerate()
                .map(|(i, p)| ApiKeyPermission {
                    id: format!("perm_01JDEM{:020}", i + 1),
                    slug: p.slug.clone(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                })
                .collect(),
            team_name: self.team_name.clone(),
            ..Data::default()
        };
        for o in &self.organizations {
            let at = next_time();
            data.organizations.insert(
                o.id.clone(),
                Organization {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    require_mfa: o.require_mfa,
                    created_at: at,
                    updated_at: at,
                },
            );
            for domain in &o.domains {
                let id = format!(
                    "org_domain_01JDEM{:020}",
                    data.organization_domains.len() + 1
                );
                let (state, dns) = match domain {
                    SeedDomain::Verified(_) => (DomainState::Verified, false),
                    SeedDomain::WithState(d) => (d.state, true),
                };
                let mut entry =
                    OrganizationDomain::new(&id, &o.id, domain.name(), NameServer::Other, at);
                entry.state = state;
                if !dns {
                    entry.verification_prefix = None;
                    entry.verification_token = None;
                }
                data.organization_domains.insert(id, entry);
            }
            for c in &o.sso_connections {
                let n = data.sso_connections.len() + 1;
                let id = format!("conn_01JDEM{n:022}");
                let x509_certificates = match c.connection_type.protocol() {
                    crate::entities::ConnectionProtocol::Saml => {
                        let not_after = at + Duration::days(3652);
                        vec![X509Certificate {
                            id: format!("cert_01JDEM{n:022}"),
                            value: self_signed_certificate(&c.name, at, not_after)
                                .map_err(SeedError::Certificate)?,
                            not_before: at,
                            not_after,
                        }]
                    }
                    crate::entities::ConnectionProtocol::OpenIdConnect => Vec::new(),
                };
                data.sso_connections.insert(
                    id.clone(),
                    SsoConnection {
                        id,
                        organization_id: o.id.clone(),
                        name: c.name.clone(),
                        connection_type: c.connection_type,
                        state: c.state.unwrap_or(ConnectionState::Active),
                        x509_certificates,
                        last_session: Some(SsoSession {
                            id: format!("sso_session_01JDEM{n:020}"),
                            state: SsoSessionState::Successful,
                            created_at: at,
                        }),
                        created_at: at,
                        updated_at: at,
                    },
                );
            }
        }
        for (n, i) in self.data_integrations.iter().enumerate() {
            let at = next_time();
            data.data_integrations.push(DataIntegration {
                id: format!("data_integration_01JDEM{:014}", n + 1),
                slug: i.slug.clone(),
                name: i.name.clone(),
                description: i.description.clone(),
                ownership: i.ownership,
                credentials_type: i.credentials,
                auth_methods: i.auth_methods.clone(),
                available_scopes: i.scopes.clone(),
                default_scopes: i.default_scopes.clone(),
                enabled: i.enabled,
                config_fields: i.config_fields.clone(),
                created_at: at,
                updated_at: at,
            });
        }
        for u in &self.users {
            let at = next_time();
            data.users.insert(
                u.id.clone(),
                User {
                    id: u.id.clone(),
                    email: u.email.clone(),
                    email_verified: true,
                    first_name: u.first_name.clone(),
                    last_name: u.last_name.clone(),
                    profile_picture_url: None,
                    locale: None,
                    password_hash: u.password.as_deref().map(|p| hashes[p].clone()),
                    totp_secret: None,
                    last_sign_in_at: None,
                    created_at: at,
                    updated_at: at,
                },
            );
            for m in &u.memberships {
                let id = format!("om_01JDEM{:020}", data.memberships.len() + 1);
                data.memberships.insert(
                    id.clone(),
                    Membership {
                        id,
                        user_id: u.id.clone(),
                        organization_id: m.organization_id.clone(),
                        role: m.role.clone(),
                        status: MembershipStatus::Active,
                        created_at: at,
                        updated_at: at,
                    },
                );
            }
        }
        Ok(data)
    }
}

/// The built-in demo seed.
pub fn demo() -> Seed {
    Seed::parse("demo-seed.json", DEMO_SEED).expect("the built-in demo seed is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_seed_has_the_documented_accounts() {
        let data = demo().to_data().unwrap();
        assert_eq!(data.users.len(), 28);
        assert_eq!(data.users[ALICE_ID].email, "alice@acme.test");
        assert_eq!(data.users[BOB_ID].display_name(), "Bob Baker");
        assert_eq!(data.users[CAROL_ID].display_name(), "Carol Chen");
        assert_eq!(data.organizations[ACME_ID].name, "Acme Corp");
        assert_eq!(data.organizations[GLOBEX_ID].name, "Globex");
        assert_eq!(data.membership(ALICE_ID, ACME_ID).unwrap().role, "admin");
        assert_eq!(data.membership(ALICE_ID, GLOBEX_ID).unwrap().role, "member");
        assert_eq!(data.membership(CAROL_ID, GLOBEX_ID).unwrap().role, "admin");
        assert_eq!(data.active_memberships(BOB_ID).len(), 1);
        assert_eq!(
            data.role_permissions("admin"),
            [
                USERS_TABLE_MANAGE,
                SSO_MANAGE,
                DOMAIN_VERIFICATION_MANAGE,
                DSYNC_MANAGE,
                AUDIT_LOG_STREAMING_MANAGE,
                API_KEYS_MANAGE,
                USER_API_KEYS_MANAGE_SELF,
                USER_API_KEYS_MANAGE_ALL,
                PIPES_MANAGE
            ]
            .map(String::from)
            .to_vec()
        );
        assert_eq!(
            data.role_permissions("member"),
            vec![USER_API_KEYS_MANAGE_SELF.to_string()],
            "every member manages their own API keys"
        );
        assert_eq!(data.api_key_permissions[0].slug, "posts:read");
        assert_eq!(data.api_key_permissions.len(), 5);
        let acme_members = data
            .memberships
            .values()
            .filter(|m| m.organization_id == ACME_ID)
            .count();
        assert_eq!(acme_members, 27, "alice, bob and 25 more");
    }

    #[test]
    fn demo_seed_has_the_admin_portal_state() {
        let data = demo().to_data().unwrap();
        let domains = |org: &str| {
            data.domains_of(org)
                .iter()
                .map(|d| (d.domain.clone(), d.state))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            domains(ACME_ID),
            vec![
                ("acme.test".to_string(), DomainState::Verified),
                ("acme-corp.test".to_string(), DomainState::Pending)
            ]
        );
        let pending = data.domains_of(ACME_ID)[1];
        assert_eq!(
            pending.verification_token.as_ref().map(String::len),
            Some(25)
        );
        assert!(data.domains_of(ACME_ID)[0].verification_token.is_none());
        assert_eq!(
            domains(GLOBEX_ID),
            vec![("globex.test".to_string(), DomainState::Verified)]
        );
        let connections: Vec<_> = data.sso_connections.values().collect();
        assert_eq!(
            connections.len(),
            1,
            "Acme's one connection; Globex has none"
        );
        let acme = connections[0];
        assert_eq!(acme.organization_id, ACME_ID);
        assert_eq!(acme.connection_type, ConnectionType::OktaSaml);
        assert_eq!(acme.state, ConnectionState::Active);
        let certificate = &acme.x509_certificates[0];
        assert!(certificate.value.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(certificate.not_after > crate::clock::now() + Duration::days(365));
        assert!(data.directories.is_empty() && data.audit_log_streams.is_empty());
    }

    #[test]
    fn bad_seeds_are_refused_with_a_reason() {
        let org = r#"{"id":"org_1","name":"O"}"#;
        let role = r#"{"slug":"member","name":"Member","description":null,"default":true}"#;
        let with_users = |users: &str| {
            format!(r#"{{"organizations":[{org}],"roles":[{role}],"users":[{users}]}}"#)
        };
        let unknown_org = with_users(
            r#"{"id":"u1","email":"a@x.test","first_name":null,"last_name":null,"password":"p","memberships":[{"organization_id":"org_2","role":"member"}]}"#,
        );
        assert!(
            Seed::parse("t", &unknown_org)
                .unwrap_err()
                .to_string()
                .contains("unknown organization")
        );
        let dup = with_users(
            r#"{"id":"u1","email":"a@x.test","first_name":null,"last_name":null,"password":null},{"id":"u1","email":"b@x.test","first_name":null,"last_name":null,"password":null}"#,
        );
        assert!(
            Seed::parse("t", &dup)
                .unwrap_err()
                .to_string()
                .contains("repeats")
        );
        assert!(Seed::parse("t", "{").is_err());
        let two_owners = r#"{"organizations":[{"id":"o1","name":"A","domains":["a.test"]},{"id":"o2","name":"B","domains":[{"domain":"A.test","state":"pending"}]}],"roles":[{"slug":"m","name":"M","description":null,"default":true}],"users":[]}"#;
        assert!(
            Seed::parse("t", two_owners)
                .unwrap_err()
                .to_string()
                .contains("belongs to two organizations")
        );
        let unknown_state = r#"{"organizations":[{"id":"o1","name":"A","domains":[{"domain":"a.test","state":"sure"}]}],"roles":[{"slug":"m","name":"M","description":null,"default":true}],"users":[]}"#;
        assert!(Seed::parse("t", unknown_state).is_err());
    }
}
