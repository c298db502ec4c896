//! The entities of an emulated WorkOS environment — users, organizations, roles, organization
//! memberships, AuthKit sessions, authorization codes, invitations, mail, one-time challenges,
//! API keys and their permissions, the Admin Portal's SSO connections, organization domains,
//! directories, audit-log streams and portal links —
//! and [`Data`], all of them together with the lookups the handlers share. Persistence and locking
//! are the store's (`store.rs`). The Pipes entities are the [`pipes`] submodule.

pub mod pipes;

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};

use crate::clock::now;
use crate::ids::{api_key_digest, new_api_key_secret, new_id, obfuscate_api_key, secret_eq};

/// A user of the environment (WorkOS `User`, spec `UserlandUser`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub profile_picture_url: Option<String>,
    pub locale: Option<String>,
    /// Argon2id PHC string; `None` for a user without a password.
    pub password_hash: Option<String>,
    /// Base32 secret of the user's verified TOTP factor; sign-in then asks for a code.
    pub totp_secret: Option<String>,
    pub last_sign_in_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl User {
    /// "First Last", falling back to the email when both names are empty.
    pub fn display_name(&self) -> String {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            self.email.clone()
        } else {
            name
        }
    }
}

/// An organization (WorkOS `Organization`). Its domains are [`OrganizationDomain`]s
/// (`Data::organization_domains`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    /// Members need an MFA factor to enter (seed `require_mfa`).
    #[serde(default)]
    pub require_mfa: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An environment role. `permissions` are the widget scopes the role grants, e.g.
/// `widgets:users-table:manage` for `admin`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Role {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<String>,
    /// The role new members get.
    pub is_default: bool,
}

/// A membership's status, as WorkOS names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MembershipStatus {
    Active,
    Inactive,
    Pending,
}

impl MembershipStatus {
    /// The API's spelling: `active`, `inactive`, `pending`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Pending => "pending",
        }
    }
}

/// A user's membership of an organization, with one role (a role slug).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Membership {
    pub id: String,
    pub user_id: String,
    pub organization_id: String,
    pub role: String,
    pub status: MembershipStatus,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Sessions last 30 days (WorkOS's default maximum): a [`Session`]'s `expires_at` from its sign-in,
/// and the `Max-Age` of the emulator's session cookie.
pub const SESSION_TTL: Duration = Duration::days(30);

/// An AuthKit session: one per sign-in. Its id is the `sid` claim of every access token it issues.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub organization_id: Option<String>,
    pub user_agent: Option<String>,
    pub ip_address: Option<String>,
    /// WorkOS `authentication_method`, e.g. `Password`.
    pub auth_method: String,
    /// The one refresh token that currently continues this session (rotated on every use).
    pub refresh_token: String,
    pub ended_at: Option<OffsetDateTime>,
    pub expires_at: OffsetDateTime,
    pub last_activity_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Session {
    /// Neither ended (logout, revocation) nor expired at `now`.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.ended_at.is_none() && self.expires_at > now
    }
}

/// A single-use AuthKit authorization code (10 minutes), issued by the sign-in page.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AuthorizationCode {
    pub user_id: String,
    pub organization_id: Option<String>,
    pub redirect_uri: String,
    /// PKCE S256 challenge, when the authorization request carried one.
    pub code_challenge: Option<String>,
    pub user_agent: Option<String>,
    pub ip_address: Option<String>,
    pub expires_at: OffsetDateTime,
}

/// Whether an invitation is still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum InvitationState {
    Pending,
    Revoked,
}

/// An invitation to join an organization (UsersManagement's "Invited" rows).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub organization_id: String,
    pub role: String,
    pub state: InvitationState,
    pub inviter_user_id: String,
    pub expires_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An email the real WorkOS would have sent; listed at `GET /_emulator/mailbox`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Mail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The one-time code in the mail, if any (what tests read).
    pub code: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An emailed code that grants elevated access once verified (UserProfile `send-verification`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Challenge {
    pub user_id: String,
    pub code: String,
    pub expires_at: OffsetDateTime,
}

/// A short-lived token for sensitive widget calls (`x-elevated-access-token`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ElevatedAccess {
    pub user_id: String,
    pub expires_at: OffsetDateTime,
}

/// A TOTP factor being enrolled: verified by a code from the authenticator app (UserSecurity).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingFactor {
    pub factor_id: String,
    pub user_id: String,
    pub secret: String,
    pub expires_at: OffsetDateTime,
}

/// A requested email change, confirmed by a code sent to the new address.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EmailChange {
    pub new_email: String,
    pub code: String,
    pub expires_at: OffsetDateTime,
}

/// A sign-in whose password was right and that now waits for the TOTP code.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingTotp {
    pub user_id: String,
    pub expires_at: OffsetDateTime,
    /// Set when this step enrolls a new factor (an organization requires MFA): the secret shown
    /// to the user, saved as their factor once a code from it is right.
    #[serde(default)]
    pub enroll_secret: Option<String>,
}

/// Who owns an API key: the organization itself, or one member of it (WorkOS `ApiKey.owner`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApiKeyOwner {
    /// An organization API key (the ApiKeys widget, `scope="organization"`).
    Organization { organization_id: String },
    /// A user API key: it acts as `user_id` within `organization_id` (`scope="user"`).
    User {
        user_id: String,
        organization_id: String,
    },
}

impl ApiKeyOwner {
    /// The organization the key can access.
    pub fn organization_id(&self) -> &str {
        match self {
            Self::Organization { organization_id }
            | Self::User {
                organization_id, ..
            } => organization_id,
        }
    }

    /// The owning user of a user API key.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Self::Organization { .. } => None,
            Self::User { user_id, .. } => Some(user_id),
        }
    }
}

/// An API key (WorkOS `ApiKey`): its secret is kept only as a SHA-256 digest, so the full value
/// exists once, in the answer that created it; afterwards only `obfuscated_value` is shown.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub owner: ApiKeyOwner,
    pub name: String,
    /// Lowercase hex SHA-256 of the secret (`ids::api_key_digest`).
    pub secret_digest: String,
    /// `sk_test_…` and the secret's last four characters, e.g. `sk_test_…x7Qa`.
    pub obfuscated_value: String,
    /// API-key permission slugs ([`ApiKeyPermission`]).
    pub permissions: Vec<String>,
    /// The key stops working at this moment; `None`: never.
    pub expires_at: Option<OffsetDateTime>,
    /// The last successful validation (`POST /api_keys/validations`).
    pub last_used_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl ApiKey {
    /// Not expired at `now`.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

/// A permission an API key may carry (configured in the environment; seed `api_key_permissions`),
/// e.g. `posts:read`. Not a widget scope: these are the host app's own API permissions.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ApiKeyPermission {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Admin Portal: SSO connections, organization domains, directories, audit-log streams and the
// one-time Admin Portal links that set them up (contract §7.3–§7.6). Each enum serialises as the
// widgets spell it (`dist/esm/api/endpoint.d.ts`), unless noted.
// ---------------------------------------------------------------------------------------------

/// Declares a closed enum whose serde names are the given wire strings, with `ALL` (form order),
/// `as_str` (the wire string) and `label` (what a person reads).
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $wire:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant,)+
        }

        impl $name {
            /// Every value, in the order forms offer them.
            pub const ALL: &[Self] = &[$(Self::$variant,)+];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $wire,)+ }
            }

            /// The name a person reads.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }
        }
    };
}

wire_enum!(
    /// An SSO connection's identity provider and protocol (the widgets' `SsoConnection.type`).
    ConnectionType {
        AdfsSaml = "AdfsSaml", "AD FS SAML";
        Auth0Saml = "Auth0Saml", "Auth0 SAML";
        AzureSaml = "AzureSaml", "Azure AD SAML";
        CasSaml = "CasSaml", "CAS SAML";
        ClassLinkSaml = "ClassLinkSaml", "ClassLink SAML";
        CloudflareSaml = "CloudflareSaml", "Cloudflare SAML";
        CyberArkSaml = "CyberArkSaml", "CyberArk SAML";
        DuoSaml = "DuoSaml", "Duo SAML";
        GenericSaml = "GenericSaml", "Custom SAML 2.0";
        GoogleSaml = "GoogleSaml", "Google SAML";
        JumpCloudSaml = "JumpCloudSaml", "JumpCloud SAML";
        KeycloakSaml = "KeycloakSaml", "Keycloak SAML";
        LastPassSaml = "LastPassSaml", "LastPass SAML";
        MiniOrangeSaml = "MiniOrangeSaml", "miniOrange SAML";
        NetIqSaml = "NetIqSaml", "NetIQ SAML";
        OktaSaml = "OktaSaml", "Okta SAML";
        OneLoginSaml = "OneLoginSaml", "OneLogin SAML";
        OracleSaml = "OracleSaml", "Oracle SAML";
        PingFederateSaml = "PingFederateSaml", "PingFederate SAML";
        PingOneSaml = "PingOneSaml", "PingOne SAML";
        RipplingSaml = "RipplingSaml", "Rippling SAML";
        SalesforceSaml = "SalesforceSaml", "Salesforce SAML";
        ShibbolethGenericSaml = "ShibbolethGenericSaml", "Shibboleth Generic SAML";
        ShibbolethSaml = "ShibbolethSaml", "Shibboleth Unsolicited SAML";
        SimpleSamlPhpSaml = "SimpleSamlPhpSaml", "SimpleSAMLphp";
        TestIdp = "TestIdp", "Test identity provider";
        VmWareSaml = "VmWareSaml", "VMware SAML";
        AdpOidc = "AdpOidc", "ADP OpenID Connect";
        Auth0Migration = "Auth0Migration", "Auth0 migration";
        CleverOidc = "CleverOidc", "Clever OpenID Connect";
        EntraIdOidc = "EntraIdOidc", "Microsoft Entra ID OpenID Connect";
        GenericOidc = "GenericOidc", "Custom OpenID Connect";
        GoogleOidc = "GoogleOidc", "Google OpenID Connect";
        OktaOidc = "OktaOidc", "Okta OpenID Connect";
        LoginGovOidc = "LoginGovOidc", "Login.gov OpenID Connect";
    }
);

/// An SSO connection's protocol (the widgets' `providerTag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionProtocol {
    Saml,
    OpenIdConnect,
}

impl ConnectionProtocol {
    /// `Saml` or `OpenIdConnect`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Saml => "Saml",
            Self::OpenIdConnect => "OpenIdConnect",
        }
    }
}

impl ConnectionType {
    /// SAML for the `…Saml` types and `TestIdp`, OpenID Connect for the others (the widgets'
    /// `SsoConnection` union).
    pub fn protocol(self) -> ConnectionProtocol {
        use ConnectionType::*;
        match self {
            AdpOidc | Auth0Migration | CleverOidc | EntraIdOidc | GenericOidc | GoogleOidc
            | OktaOidc | LoginGovOidc => ConnectionProtocol::OpenIdConnect,
            _ => ConnectionProtocol::Saml,
        }
    }
}

wire_enum!(
    /// An SSO connection's state (the widgets' `SsoConnection.state`).
    ConnectionState {
        Inactive = "Inactive", "Setup in progress";
        Validating = "Validating", "Validating";
        Active = "Active", "Active";
        Deleting = "Deleting", "Deleting";
    }
);

wire_enum!(
    /// The state of an SSO session (the widgets' `SsoConnectionSessionJSON.state`).
    SsoSessionState {
        Started = "Started", "Started";
        Authorized = "Authorized", "Authorized";
        Successful = "Successful", "Successful";
        Failed = "Failed", "Failed";
        Terminated = "Terminated", "Terminated";
        Timedout = "Timedout", "Timed out";
    }
);

/// A SAML signing certificate of a connection: a real self-signed X.509 certificate (PEM) with
/// its validity, so a certificate can be valid, expiring (within 30 days) or expired.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct X509Certificate {
    pub id: String,
    /// PEM.
    pub value: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

/// The latest sign-in through a connection.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SsoSession {
    pub id: String,
    pub state: SsoSessionState,
    pub created_at: OffsetDateTime,
}

/// An organization's SSO connection (WorkOS `Connection`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SsoConnection {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub connection_type: ConnectionType,
    pub state: ConnectionState,
    /// SAML signing certificates; empty for OpenID Connect.
    pub x509_certificates: Vec<X509Certificate>,
    pub last_session: Option<SsoSession>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl SsoConnection {
    /// The certificate still valid at `now` that expires last, if any.
    pub fn latest_expiring_certificate(&self, now: OffsetDateTime) -> Option<&X509Certificate> {
        self.x509_certificates
            .iter()
            .filter(|c| c.not_after > now)
            .max_by_key(|c| c.not_after)
    }

    /// The certificate that expired last, when no certificate is valid any more at `now` (a
    /// connection with one valid certificate still signs people in).
    pub fn latest_expired_certificate(&self, now: OffsetDateTime) -> Option<&X509Certificate> {
        if self.latest_expiring_certificate(now).is_some() {
            return None;
        }
        self.x509_certificates.iter().max_by_key(|c| c.not_after)
    }
}

/// A domain's verification state. Serialised (state file, seed) in the public API's spelling
/// (`pending`, `verified`, `failed`, `legacy_verified`); [`DomainState::widget_name`] is the
/// widgets' (`Pending`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainState {
    Pending,
    Verified,
    Failed,
    LegacyVerified,
}

impl DomainState {
    /// The widgets' spelling: `Pending`, `Verified`, `Failed`, `LegacyVerified`.
    pub fn widget_name(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Verified => "Verified",
            Self::Failed => "Failed",
            Self::LegacyVerified => "LegacyVerified",
        }
    }

    /// The public API's spelling: `pending`, `verified`, `failed`, `legacy_verified`.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::LegacyVerified => "legacy_verified",
        }
    }

    /// `Verified` or `LegacyVerified` (both display as verified).
    pub fn is_verified(self) -> bool {
        matches!(self, Self::Verified | Self::LegacyVerified)
    }
}

wire_enum!(
    /// Where a domain's DNS is hosted (the widgets' `DomainVerificationNameServer`).
    NameServer {
        AwsRoute53 = "AwsRoute53", "Amazon Route 53";
        GoogleDomains = "GoogleDomains", "Google Domains";
        CloudFlare = "CloudFlare", "Cloudflare";
        GoDaddy = "GoDaddy", "GoDaddy";
        Other = "Other", "Another DNS provider";
    }
);

/// A domain of an organization (WorkOS `OrganizationDomain`). Verified by a DNS TXT record
/// `<verification_prefix>=<verification_token>` (strategy `dns`), or verified by the seed with no
/// token (strategy `manual`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OrganizationDomain {
    pub id: String,
    pub organization_id: String,
    pub domain: String,
    pub state: DomainState,
    pub name_server: NameServer,
    pub verification_prefix: Option<String>,
    pub verification_token: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl OrganizationDomain {
    /// A domain waiting for its DNS TXT record (`Pending`), with a fresh verification token.
    pub fn new(
        id: &str,
        organization_id: &str,
        domain: &str,
        name_server: NameServer,
        at: OffsetDateTime,
    ) -> Self {
        let token: String = crate::ids::new_secret()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(25)
            .collect();
        Self {
            id: id.into(),
            organization_id: organization_id.into(),
            domain: domain.to_ascii_lowercase(),
            state: DomainState::Pending,
            name_server,
            verification_prefix: Some(DOMAIN_VERIFICATION_PREFIX.into()),
            verification_token: Some(token),
            created_at: at,
            updated_at: at,
        }
    }
}

/// The name of a domain's DNS TXT record value: `<prefix>=<token>`.
pub const DOMAIN_VERIFICATION_PREFIX: &str = "workos-domain-verification";

/// A plausible domain name: dot-separated labels of ASCII letters, digits and inner hyphens, at
/// least two labels, the last not all digits, at most 253 bytes.
pub fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && !labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
}

wire_enum!(
    /// A directory's provider (the widgets' `DirectoryType`).
    DirectoryType {
        AzureScimV20 = "azure scim v2.0", "Microsoft Entra ID (SCIM)";
        BambooHr = "bamboohr", "BambooHR";
        BreatheHr = "breathe hr", "Breathe HR";
        CezanneHr = "cezanne hr", "Cezanne HR";
        CyberArkScimV20 = "cyberark scim v2.0", "CyberArk (SCIM)";
        FourthHr = "fourth hr", "Fourth HR";
        GenericScimV20 = "generic scim v2.0", "Custom SCIM v2.0";
        GsuiteDirectory = "gsuite directory", "Google Workspace";
        Gusto = "gusto", "Gusto";
        Hibob = "hibob", "HiBob";
        JumpCloudScimV20 = "jump cloud scim v2.0", "JumpCloud (SCIM)";
        OktaScimV20 = "okta scim v2.0", "Okta (SCIM)";
        OneLoginScimV20 = "onelogin scim v2.0", "OneLogin (SCIM)";
        PeopleHr = "people hr", "People HR";
        Personio = "personio", "Personio";
        PingFederateScimV20 = "pingfederate scim v2.0", "PingFederate (SCIM)";
        Rippling = "rippling", "Rippling";
        RipplingScimV20 = "rippling scim v2.0", "Rippling (SCIM)";
        S3 = "s3", "Amazon S3";
        SailPointScimV20 = "sailpoint scim v2.0", "SailPoint (SCIM)";
        Sftp = "sftp", "SFTP";
        SftpWorkday = "sftp workday", "Workday (SFTP)";
        Workday = "workday", "Workday";
    }
);

wire_enum!(
    /// A directory's state (the widgets' `DirectoryState`).
    DirectoryState {
        RequiresType = "requires_type", "Requires a type";
        Linked = "linked", "Linked";
        Validating = "validating", "Validating";
        InvalidCredentials = "invalid_credentials", "Invalid credentials";
        Unlinked = "unlinked", "Unlinked";
        Deleting = "deleting", "Deleting";
    }
);

/// An organization's directory (WorkOS `Directory`) with the counts of what it synced.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Directory {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub directory_type: DirectoryType,
    pub state: DirectoryState,
    pub users_active: u32,
    pub users_inactive: u32,
    pub groups: u32,
    pub last_sync_run_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

wire_enum!(
    /// Where an audit-log stream sends events (the widgets' `AuditLogStreamType`).
    AuditLogStreamType {
        Datadog = "Datadog", "Datadog";
        Splunk = "Splunk", "Splunk";
        S3 = "S3", "AWS S3";
        GoogleCloudStorage = "GoogleCloudStorage", "Google Cloud Storage";
        GenericHttps = "GenericHttps", "Generic HTTPS";
        AzureSentinel = "AzureSentinel", "Azure Sentinel";
        Snowflake = "Snowflake", "Snowflake";
    }
);

wire_enum!(
    /// An audit-log stream's state (the widgets' `AuditLogStreamState`).
    AuditLogStreamState {
        Active = "Active", "Active (streaming)";
        Inactive = "Inactive", "Inactive (setup in progress)";
        Error = "Error", "Error (not streaming)";
        Invalid = "Invalid", "Invalid credentials";
    }
);

/// An organization's audit-log stream (at most one each).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AuditLogStream {
    pub id: String,
    pub organization_id: String,
    pub stream_type: AuditLogStreamType,
    pub state: AuditLogStreamState,
    /// Why the stream fails (`Error`, `Invalid`).
    pub error_message: Option<String>,
    pub audit_log_trail_id: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What an Admin Portal link opens (`intent` of `POST /portal/generate_link` and of the widgets'
/// `generate-link`), in the API's spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalIntent {
    Sso,
    Dsync,
    LogStreams,
    DomainVerification,
    CertificateRenewal,
}

/// A one-time Admin Portal link for an organization and an intent: `/portal/<id>?apiToken=<token>`
/// opens it once, before `expires_at` (5 minutes, as WorkOS's links), and starts a portal session
/// (`session`) for the browser that opened it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PortalLink {
    pub id: String,
    pub organization_id: String,
    /// `None`: every section (a public link generated without an intent).
    pub intent: Option<PortalIntent>,
    pub token: String,
    pub expires_at: OffsetDateTime,
    /// Where "Return to the app" leads (`return_url`).
    pub return_url: Option<String>,
    /// When the link was opened; a link opens once.
    pub used_at: Option<OffsetDateTime>,
    /// The portal session it started.
    pub session: Option<PortalSession>,
}

/// The Admin Portal session a link started: its secret is the portal cookie's value.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PortalSession {
    pub secret: String,
    pub expires_at: OffsetDateTime,
}

impl PortalLink {
    /// Whether this link's portal may show `intent`'s section.
    pub fn allows(&self, intent: PortalIntent) -> bool {
        let shown = |i: PortalIntent| match i {
            PortalIntent::CertificateRenewal => PortalIntent::Sso,
            other => other,
        };
        self.intent.is_none_or(|own| shown(own) == shown(intent))
    }
}

/// Every entity of the environment: what the [`crate::store::Store`] keeps (and saves as one JSON
/// document) and what `/_emulator/reset` restores from the seed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Data {
    /// By user id.
    pub users: BTreeMap<String, User>,
    /// By organization id.
    pub organizations: BTreeMap<String, Organization>,
    /// The environment's roles, in seed order.
    pub roles: Vec<Role>,
    /// By membership id.
    pub memberships: BTreeMap<String, Membership>,
    /// By session id (the tokens' `sid`).
    pub sessions: BTreeMap<String, Session>,
    /// By the code itself.
    pub authorization_codes: BTreeMap<String, AuthorizationCode>,
    /// By invitation id.
    pub invitations: BTreeMap<String, Invitation>,
    /// Oldest first.
    pub mailbox: Vec<Mail>,
    /// By challenge id.
    pub challenges: BTreeMap<String, Challenge>,
    /// By the `x-elevated-access-token` value.
    pub elevated: BTreeMap<String, ElevatedAccess>,
    /// By challenge id.
    pub pending_factors: BTreeMap<String, PendingFactor>,
    /// By user id: at most one pending email change each.
    pub email_changes: BTreeMap<String, EmailChange>,
    /// By the opaque token the TOTP form carries.
    pub pending_totp: BTreeMap<String, PendingTotp>,
    /// By API key id: organization and user API keys.
    pub api_keys: BTreeMap<String, ApiKey>,
    /// The permissions API keys may carry, in seed order.
    pub api_key_permissions: Vec<ApiKeyPermission>,
    /// Admin Portal: SSO connections by id.
    pub sso_connections: BTreeMap<String, SsoConnection>,
    /// Admin Portal: organization domains by id.
    pub organization_domains: BTreeMap<String, OrganizationDomain>,
    /// Admin Portal: directories by id.
    pub directories: BTreeMap<String, Directory>,
    /// Admin Portal: audit-log streams by organization id (one each).
    pub audit_log_streams: BTreeMap<String, AuditLogStream>,
    /// Admin Portal links by id.
    pub portal_links: BTreeMap<String, PortalLink>,
    /// The name the Pipes connect dialog and consent screen give the app (`teamName`).
    pub team_name: Option<String>,
    /// Pipes: the providers, in seed order.
    pub data_integrations: Vec<pipes::DataIntegration>,
    /// Pipes: organizations' settings for providers.
    pub integration_overrides: Vec<pipes::IntegrationOverride>,
    /// Pipes: connected accounts by id.
    pub installations: BTreeMap<String, pipes::Installation>,
    /// Pipes: pending OAuth authorizations by redirect token.
    pub pipes_authorizations: BTreeMap<String, pipes::Authorization>,
}

impl Data {
    /// The user with this email, compared without ASCII case.
    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// The organization's domains, oldest first.
    pub fn domains_of(&self, organization_id: &str) -> Vec<&OrganizationDomain> {
        let mut list: Vec<_> = self
            .organization_domains
            .values()
            .filter(|d| d.organization_id == organization_id)
            .collect();
        list.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        list
    }

    /// The environment role with this slug.
    pub fn role(&self, slug: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.slug == slug)
    }

    /// The user's membership in the organization, whatever its status.
    pub fn membership(&self, user_id: &str, organization_id: &str) -> Option<&Membership> {
        self.memberships
            .values()
            .find(|m| m.user_id == user_id && m.organization_id == organization_id)
    }

    /// Whether the user is an active member of the organization.
    pub fn is_active_member(&self, user_id: &str, organization_id: &str) -> bool {
        self.membership(user_id, organization_id)
            .is_some_and(|m| m.status == MembershipStatus::Active)
    }

    /// Whether entering `organization_id` needs a new MFA factor: the organization requires MFA
    /// and the user has none.
    pub fn needs_mfa_enrollment(&self, user_id: &str, organization_id: &str) -> bool {
        self.organizations
            .get(organization_id)
            .is_some_and(|o| o.require_mfa)
            && self
                .users
                .get(user_id)
                .is_some_and(|u| u.totp_secret.is_none())
    }

    /// The user's active memberships, oldest first.
    pub fn active_memberships(&self, user_id: &str) -> Vec<&Membership> {
        let mut list: Vec<_> = self
            .memberships
            .values()
            .filter(|m| m.user_id == user_id && m.status == MembershipStatus::Active)
            .collect();
        list.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        list
    }

    /// Permissions granted by a role slug; unknown roles grant nothing.
    pub fn role_permissions(&self, slug: &str) -> Vec<String> {
        self.role(slug)
            .map(|r| r.permissions.clone())
            .unwrap_or_default()
    }

    /// Creates an API key for `owner` and returns it with its secret, the only time the secret
    /// exists outside the caller's hands (the store keeps its digest).
    pub fn issue_api_key(
        &mut self,
        owner: ApiKeyOwner,
        name: String,
        permissions: Vec<String>,
        expires_at: Option<OffsetDateTime>,
    ) -> (ApiKey, String) {
        let secret = new_api_key_secret();
        let at = now();
        let key = ApiKey {
            id: new_id("api_key"),
            owner,
            name,
            secret_digest: api_key_digest(&secret),
            obfuscated_value: obfuscate_api_key(&secret),
            permissions,
            expires_at,
            last_used_at: None,
            created_at: at,
            updated_at: at,
        };
        self.api_keys.insert(key.id.clone(), key.clone());
        (key, secret)
    }

    /// The API key whose secret is `secret` (expired or not), compared by digest.
    pub fn api_key_by_secret(&self, secret: &str) -> Option<&ApiKey> {
        let digest = api_key_digest(secret);
        self.api_keys
            .values()
            .find(|k| secret_eq(&k.secret_digest, &digest))
    }

    /// The session this refresh token currently continues (ended or not).
    pub fn session_by_refresh_token(&self, token: &str) -> Option<&Session> {
        self.sessions.values().find(|s| s.refresh_token == token)
    }

    /// Records an email the real WorkOS would send.
    pub fn send_mail(&mut self, to: &str, subject: &str, body: String, code: Option<String>) {
        tracing::info!(%to, %subject, "mail sent to the emulator mailbox");
        self.mailbox.push(Mail {
            id: new_id("email"),
            to: to.into(),
            subject: subject.into(),
            body,
            code,
            created_at: now(),
        });
    }

    /// The session a widget token for `user_id` in `organization_id` belongs to: the user's most
    /// recently active session, preferring one in that organization.
    pub fn current_session(
        &self,
        user_id: &str,
        organization_id: Option<&str>,
        now: OffsetDateTime,
    ) -> Option<&Session> {
        self.sessions
            .values()
            .filter(|s| s.user_id == user_id && s.is_active(now))
            .max_by_key(|s| {
                (
                    s.organization_id.as_deref() == organization_id,
                    s.last_activity_at,
                )
            })
    }
}

/// A plausible email address for a user or an invitation: one `@`, a non-empty local part, a dotted
/// domain, no spaces, at most 254 bytes.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && !domain.contains('@')
        && email.len() <= 254
}

#[cfg(test)]
mod tests {
    #[test]
    fn email_check() {
        for ok in ["a@b.co", "first.last+tag@acme.test"] {
            assert!(super::valid_email(ok), "{ok}");
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
            assert!(!super::valid_email(bad), "{bad}");
        }
    }
}
