//! The widget registry: one entry per WorkOS widget the app hosts, and the one place each fact
//! about a widget lives. The routes, the nav, the home page's cards, the preloads, the token scopes
//! and the admin gating are all derived from [`REGISTRY`]; the bridge mounts the chunk
//! `bridge/src/widgets/<id>.js` named by [`WidgetSpec::id`] (a test checks that every entry has
//! one, and that the embedded emulator serves its `WorkOS-Widgets-Type`).
//!
//! Adding a widget: a [`WidgetKind`] variant and its [`REGISTRY`] entry here, its bridge chunk, its
//! emulator module (README, "Adding a widget").

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A WorkOS widget the app hosts. On the wire (server-function arguments) it is its
/// [`WidgetSpec::id`], e.g. `user-profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WidgetKind {
    UserProfile,
    UserSecurity,
    UserSessions,
    UserApiKeys,
    Pipes,
    UsersManagement,
    ApiKeys,
    SsoConnection,
    DomainVerification,
    DirectorySync,
    AuditLogStreaming,
    PipesAdmin,
    OrganizationSwitcher,
}

/// Where a widget's page sits in the nav.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavSection {
    /// `/account/*`: the signed-in user's own account.
    Account,
    /// `/organization/*`: the current organization.
    Organization,
}

/// Whom the widget token names (`POST /widgets/token` body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenLevel {
    /// `user_id` and `organization_id` from the verified session: the user's own widgets and the
    /// organization widgets that act as a member (the users table).
    User,
    /// `organization_id` only: Admin Portal widgets that configure the organization itself.
    Organization,
}

/// A widget prop the app fills in at mount time, beyond the provider's (`authToken`, API host,
/// theme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtraProp {
    /// `currentSessionId`: this browser's AuthKit session id (the verified access token's `sid`),
    /// so UserSessions marks this device as the current one.
    CurrentSessionId,
    /// `switchToOrganization({organizationId})`: switches the session on the server
    /// (`switch_organization`).
    SwitchToOrganization,
    /// `enableSharedConnections`: Pipes and PipesAdmin also show the accounts the organization
    /// shares with every member (contract §7.7, §7.8); off, they show only members' own accounts
    /// and the providers they may connect.
    EnableSharedConnections(bool),
}

/// A WorkOS widget permission (a scope of `POST /widgets/token`, granted to a role in the WorkOS
/// dashboard), and what the app tells someone whose role lacks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// The permission slugs, any one of which opens the widget, e.g. `widgets:users-table:manage`
    /// (WorkOS widgets reference; contract §7). The token asks for every one the role grants.
    pub slugs: &'static [&'static str],
    /// Why the page is closed to this role: the notice's heading and the token refusal's message.
    pub denied: &'static str,
    /// What to do instead, after "Your role in <organization> is <role>."
    pub ask: &'static str,
}

/// `widgets:users-table:manage`: the UsersManagement widget (invite, change roles, remove).
pub const USERS_TABLE_MANAGE: Permission = Permission {
    slugs: &["widgets:users-table:manage"],
    denied: "Only organization admins manage members.",
    ask: "Ask an admin if you need someone invited, removed or given another role.",
};

/// `widgets:api-keys:manage`: the ApiKeys widget for the organization's API keys (contract §7.1).
pub const API_KEYS_MANAGE: Permission = Permission {
    slugs: &["widgets:api-keys:manage"],
    denied: "Only organization admins manage the organization's API keys.",
    ask: "Ask an admin if you need an API key for the organization.",
};

/// `widgets:user-api-keys:manage-all` (every member's keys) or `…:manage-self` (one's own): the
/// ApiKeys widget with `scope="user"` (contract §7.2).
pub const USER_API_KEYS_MANAGE: Permission = Permission {
    slugs: &[
        "widgets:user-api-keys:manage-all",
        "widgets:user-api-keys:manage-self",
    ],
    denied: "Your role does not include personal API keys.",
    ask: "Ask an admin to give your role the personal API keys permission.",
};

/// `widgets:sso:manage`: the AdminPortalSsoConnection widget (contract §7.3).
pub const SSO_MANAGE: Permission = Permission {
    slugs: &["widgets:sso:manage"],
    denied: "Only organization admins set up single sign-on.",
    ask: "Ask an admin if your organization's SSO connection needs a change.",
};

/// `widgets:domain-verification:manage`: the AdminPortalDomainVerification widget (contract §7.4).
pub const DOMAIN_VERIFICATION_MANAGE: Permission = Permission {
    slugs: &["widgets:domain-verification:manage"],
    denied: "Only organization admins verify the organization's domains.",
    ask: "Ask an admin if a domain needs to be added or verified.",
};

/// `widgets:dsync:manage`: the DirectorySync widget (contract §7.5).
pub const DSYNC_MANAGE: Permission = Permission {
    slugs: &["widgets:dsync:manage"],
    denied: "Only organization admins set up directory sync.",
    ask: "Ask an admin if your organization's directory needs a change.",
};

/// `widgets:audit-log-streaming:manage`: the AdminPortalAuditLogStreaming widget (contract §7.6).
pub const AUDIT_LOG_STREAMING_MANAGE: Permission = Permission {
    slugs: &["widgets:audit-log-streaming:manage"],
    denied: "Only organization admins set up audit-log streaming.",
    ask: "Ask an admin if audit logs need to be streamed somewhere else.",
};

/// `widgets:pipes:manage`: the PipesAdmin widget (contract §7.8).
pub const PIPES_MANAGE: Permission = Permission {
    slugs: &["widgets:pipes:manage"],
    denied: "Only organization admins choose the organization's integrations.",
    ask: "Ask an admin if you need a provider enabled for your organization.",
};

/// Everything the app knows about one widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WidgetSpec {
    pub kind: WidgetKind,
    /// The bridge's widget id and chunk name (`bridge/src/widgets/<id>.js`), the CSS class and
    /// `data-widget` of its container, and the kind's wire name.
    pub id: &'static str,
    /// The `WorkOS-Widgets-Type` header the widget sends, which also keys its token query.
    pub widgets_type: &'static str,
    /// The page's path: two segments, the first `/account` or `/organization` ([`NavSection`]).
    pub page: &'static str,
    /// The nav link, the page's `<h1>` and `<title>`, and the home card's heading.
    pub label: &'static str,
    /// One line under the page's heading.
    pub lead: &'static str,
    /// What the page is for, on the home page's card.
    pub card: &'static str,
    /// What the widget shows, for messages ("Your sessions could not be shown.").
    pub noun: &'static str,
    /// Rows of the loading skeleton: as many as the widget's first view shows, so nothing jumps
    /// when it mounts.
    pub skeleton_rows: usize,
    /// The permission the session's role must grant (then also the token's one scope); `None`:
    /// every signed-in user.
    pub permission: Option<Permission>,
    pub token: TokenLevel,
    pub props: &'static [ExtraProp],
}

impl WidgetSpec {
    /// The nav section, from the page's first segment.
    pub fn section(&self) -> NavSection {
        if self.page.starts_with("/organization/") {
            NavSection::Organization
        } else {
            NavSection::Account
        }
    }

    /// The page path's two segments, e.g. `("account", "profile")`, for the router.
    pub fn page_segments(&self) -> (&'static str, &'static str) {
        self.page
            .trim_start_matches('/')
            .split_once('/')
            .unwrap_or((self.page, ""))
    }

    /// Whether a session with these `permissions` (the access token's `permissions` claim) may use
    /// the widget. The one place the app decides it; the `widget_token` server function refuses
    /// the token and the page shows a notice on the same answer.
    pub fn permits<S: AsRef<str>>(&self, permissions: &[S]) -> bool {
        self.permission.is_none_or(|needed| {
            needed
                .slugs
                .iter()
                .any(|slug| permissions.iter().any(|p| p.as_ref() == *slug))
        })
    }

    /// The token's scopes for a session with these `permissions`: every slug of the widget's
    /// permission that the role grants (none for a widget without a permission).
    pub fn scopes<'a, S: AsRef<str>>(
        &self,
        permissions: &'a [S],
    ) -> impl Iterator<Item = &'static str> + 'a {
        self.permission
            .into_iter()
            .flat_map(|p| p.slugs.iter().copied())
            .filter(move |slug| permissions.iter().any(|p| p.as_ref() == *slug))
    }
}

/// Every widget, in nav order. `REGISTRY[kind as usize].kind == kind` (tested).
pub const REGISTRY: [WidgetSpec; 13] = [
    WidgetSpec {
        kind: WidgetKind::UserProfile,
        id: "user-profile",
        widgets_type: "user-profile",
        page: "/account/profile",
        label: "Profile",
        lead: "Your name and email address, as your organization sees them.",
        card: "Change your name and see the email address you sign in with.",
        noun: "profile",
        skeleton_rows: 2,
        permission: None,
        token: TokenLevel::User,
        props: &[],
    },
    WidgetSpec {
        kind: WidgetKind::UserSecurity,
        id: "user-security",
        widgets_type: "user-security",
        page: "/account/security",
        label: "Security",
        lead: "Your password and two-factor authentication.",
        card: "Change your password and set up two-factor authentication.",
        noun: "security settings",
        skeleton_rows: 2,
        permission: None,
        token: TokenLevel::User,
        props: &[],
    },
    WidgetSpec {
        kind: WidgetKind::UserSessions,
        id: "user-sessions",
        widgets_type: "user-sessions",
        page: "/account/sessions",
        label: "Sessions",
        lead: "Where you are signed in. Sign out devices you do not recognise.",
        card: "See where you are signed in and sign out other devices.",
        noun: "sessions",
        skeleton_rows: 3,
        permission: None,
        token: TokenLevel::User,
        props: &[ExtraProp::CurrentSessionId],
    },
    WidgetSpec {
        kind: WidgetKind::UserApiKeys,
        id: "user-api-keys",
        widgets_type: "user-api-keys",
        page: "/account/api-keys",
        label: "Personal API keys",
        lead: "Keys that act as you, for scripts and integrations. A new key's secret is shown once.",
        card: "Create, expire and revoke API keys that act as you.",
        noun: "API keys",
        skeleton_rows: 4,
        permission: Some(USER_API_KEYS_MANAGE),
        token: TokenLevel::User,
        props: &[],
    },
    WidgetSpec {
        kind: WidgetKind::Pipes,
        id: "pipes",
        widgets_type: "pipes",
        page: "/account/connections",
        label: "Connections",
        lead: "Third-party accounts you connect to this app: GitHub, Slack and more.",
        card: "Connect your GitHub, Slack and other accounts, and disconnect them.",
        noun: "connections",
        skeleton_rows: 6,
        permission: None,
        token: TokenLevel::User,
        props: &[ExtraProp::EnableSharedConnections(false)],
    },
    WidgetSpec {
        kind: WidgetKind::UsersManagement,
        id: "users-management",
        widgets_type: "user-management",
        page: "/organization/users",
        label: "Members",
        lead: "Invite people, change their roles, or remove them.",
        card: "Organization admins: invite people, change roles, remove members.",
        noun: "members",
        skeleton_rows: 10,
        permission: Some(USERS_TABLE_MANAGE),
        token: TokenLevel::User,
        props: &[],
    },
    WidgetSpec {
        kind: WidgetKind::ApiKeys,
        id: "api-keys",
        widgets_type: "api-keys",
        page: "/organization/api-keys",
        label: "API keys",
        lead: "Keys your organization's systems use to call this app. A new key's secret is shown once.",
        card: "Organization admins: create, expire and revoke the organization's API keys.",
        noun: "API keys",
        skeleton_rows: 4,
        permission: Some(API_KEYS_MANAGE),
        token: TokenLevel::User,
        props: &[],
    },
    WidgetSpec {
        kind: WidgetKind::SsoConnection,
        id: "admin-portal-sso-connection",
        widgets_type: "admin-portal-sso-connection",
        page: "/organization/sso",
        label: "Single sign-on",
        lead: "Your organization's SSO connection: members sign in through your identity provider.",
        card: "Organization admins: set up and check the SAML or OIDC connection.",
        noun: "SSO connection",
        skeleton_rows: 2,
        permission: Some(SSO_MANAGE),
        token: TokenLevel::Organization,
        props: &[],
    },
    WidgetSpec {
        kind: WidgetKind::DomainVerification,
        id: "admin-portal-domain-verification",
        widgets_type: "admin-portal-domain-verification",
        page: "/organization/domains",
        label: "Domains",
        lead: "The email domains your organization owns, verified with a DNS record.",
        card: "Organization admins: add and verify the organization's domains.",
        noun: "domains",
        skeleton_rows: 3,
        permission: Some(DOMAIN_VERIFICATION_MANAGE),
        token: TokenLevel::Organization,
        props: &[],
    },
    WidgetSpec {
        kind: WidgetKind::DirectorySync,
        id: "directory-sync",
        widgets_type: "directory-sync",
        page: "/organization/directory-sync",
        label: "Directory sync",
        lead: "Keep members and groups in step with your organization's directory.",
        card: "Organization admins: connect the organization's directory (SCIM, HRIS).",
        noun: "directory",
        skeleton_rows: 2,
        permission: Some(DSYNC_MANAGE),
        token: TokenLevel::Organization,
        props: &[],
    },
    WidgetSpec {
        kind: WidgetKind::AuditLogStreaming,
        id: "admin-portal-audit-log-streaming",
        widgets_type: "admin-portal-audit-log-streaming",
        page: "/organization/audit-logs",
        label: "Audit-log streaming",
        lead: "Stream your organization's audit logs to your own SIEM or storage.",
        card: "Organization admins: stream audit logs to Datadog, Splunk, S3 and more.",
        noun: "audit-log stream",
        skeleton_rows: 2,
        permission: Some(AUDIT_LOG_STREAMING_MANAGE),
        token: TokenLevel::Organization,
        props: &[],
    },
    WidgetSpec {
        kind: WidgetKind::PipesAdmin,
        id: "pipes-admin",
        widgets_type: "pipes-admin",
        page: "/organization/integrations",
        label: "Integrations",
        lead: "The third-party providers members may connect, and the scopes they are asked for.",
        card: "Organization admins: choose the providers members may connect and their scopes.",
        noun: "integrations",
        skeleton_rows: 6,
        permission: Some(PIPES_MANAGE),
        token: TokenLevel::User,
        props: &[ExtraProp::EnableSharedConnections(false)],
    },
    WidgetSpec {
        kind: WidgetKind::OrganizationSwitcher,
        id: "organization-switcher",
        widgets_type: "organization-switcher",
        page: "/organization/switch",
        label: "Organizations",
        lead: "Switch the organization you are working in.",
        card: "Switch between the organizations you belong to.",
        noun: "organizations",
        skeleton_rows: 1,
        permission: None,
        token: TokenLevel::User,
        props: &[ExtraProp::SwitchToOrganization],
    },
];

impl WidgetKind {
    /// Every widget, in nav order.
    pub const ALL: [WidgetKind; REGISTRY.len()] = {
        let mut all = [WidgetKind::UserProfile; REGISTRY.len()];
        let mut i = 0;
        while i < REGISTRY.len() {
            all[i] = REGISTRY[i].kind;
            i += 1;
        }
        all
    };

    /// This widget's registry entry.
    pub const fn spec(self) -> &'static WidgetSpec {
        &REGISTRY[self as usize]
    }

    /// The bridge's widget id, e.g. `user-profile`.
    pub const fn id(self) -> &'static str {
        self.spec().id
    }

    /// The widget shown at `path`, if that is a widget page.
    pub fn for_page(path: &str) -> Option<Self> {
        REGISTRY
            .iter()
            .find(|spec| spec.page == path)
            .map(|spec| spec.kind)
    }

    /// The widget whose bridge id is `id`.
    pub fn from_id(id: &str) -> Option<Self> {
        REGISTRY
            .iter()
            .find(|spec| spec.id == id)
            .map(|spec| spec.kind)
    }
}

impl Serialize for WidgetKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for WidgetKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::from_id(&id).ok_or_else(|| {
            let known: Vec<&str> = REGISTRY.iter().map(|spec| spec.id).collect();
            serde::de::Error::custom(format!(
                "unknown widget `{id}` (one of {})",
                known.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_indexes_its_own_entry() {
        for (i, spec) in REGISTRY.iter().enumerate() {
            assert_eq!(
                spec.kind as usize, i,
                "{}: REGISTRY order must follow WidgetKind",
                spec.id
            );
            assert_eq!(spec.kind.spec().id, spec.id);
        }
    }

    #[test]
    fn ids_pages_and_labels_are_unique_and_well_formed() {
        for (i, a) in REGISTRY.iter().enumerate() {
            let (section, name) = a.page_segments();
            assert!(
                matches!(section, "account" | "organization") && !name.is_empty(),
                "{}: page {} must be /account/<name> or /organization/<name>",
                a.id,
                a.page
            );
            assert!(
                !name.contains('/'),
                "{}: page {} has more than two segments",
                a.id,
                a.page
            );
            assert!(a.skeleton_rows > 0, "{}: a skeleton needs rows", a.id);
            for b in &REGISTRY[i + 1..] {
                assert_ne!(a.id, b.id);
                assert_ne!(a.page, b.page);
                assert_ne!(a.label, b.label);
            }
        }
    }

    #[test]
    fn the_wire_name_is_the_id() {
        for kind in WidgetKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.id()));
            assert_eq!(serde_json::from_str::<WidgetKind>(&json).unwrap(), kind);
        }
        let error = serde_json::from_str::<WidgetKind>("\"nope\"")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown widget `nope`"), "{error}");
    }

    #[test]
    fn permissions_gate_only_the_widgets_that_name_one() {
        let none: [&str; 0] = [];
        let admin: Vec<&str> = REGISTRY
            .iter()
            .flat_map(|spec| spec.permission)
            .flat_map(|p| p.slugs.iter().copied())
            .collect();
        for spec in &REGISTRY {
            assert!(spec.permits(&admin));
            assert_eq!(
                spec.permits(&none),
                spec.permission.is_none(),
                "{}",
                spec.id
            );
        }
        assert!(!WidgetKind::UsersManagement.spec().permits(&none));
    }

    #[test]
    fn the_token_asks_for_the_granted_slugs_only() {
        let keys = WidgetKind::UserApiKeys.spec();
        let self_only = ["widgets:user-api-keys:manage-self"];
        assert!(keys.permits(&self_only));
        assert_eq!(keys.scopes(&self_only).collect::<Vec<_>>(), self_only);
        let both = [
            "widgets:user-api-keys:manage-self",
            "widgets:users-table:manage",
            "widgets:user-api-keys:manage-all",
        ];
        assert_eq!(
            keys.scopes(&both).collect::<Vec<_>>(),
            [
                "widgets:user-api-keys:manage-all",
                "widgets:user-api-keys:manage-self"
            ]
        );
        assert_eq!(WidgetKind::UserProfile.spec().scopes(&both).count(), 0);
        assert_eq!(WidgetKind::ApiKeys.spec().scopes(&both).count(), 0);
    }
}
