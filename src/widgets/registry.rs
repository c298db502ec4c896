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
    UsersManagement,
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
}

/// A WorkOS widget permission (a scope of `POST /widgets/token`, granted to a role in the WorkOS
/// dashboard), and what the app tells someone whose role lacks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// The permission slug, e.g. `widgets:users-table:manage` (WorkOS widgets reference).
    pub slug: &'static str,
    /// Why the page is closed to this role: the notice's heading and the token refusal's message.
    pub denied: &'static str,
    /// What to do instead, after "Your role in <organization> is <role>."
    pub ask: &'static str,
}

/// `widgets:users-table:manage`: the UsersManagement widget (invite, change roles, remove).
pub const USERS_TABLE_MANAGE: Permission = Permission {
    slug: "widgets:users-table:manage",
    denied: "Only organization admins manage members.",
    ask: "Ask an admin if you need someone invited, removed or given another role.",
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
        self.permission
            .is_none_or(|needed| permissions.iter().any(|p| p.as_ref() == needed.slug))
    }
}

/// Every widget, in nav order. `REGISTRY[kind as usize].kind == kind` (tested).
pub const REGISTRY: [WidgetSpec; 5] = [
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
        let admin = [USERS_TABLE_MANAGE.slug];
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
}
