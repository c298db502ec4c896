//! The widgets: which kinds exist, the token each needs ([`widget_token`]), and the one generic
//! [`Widget`] component that every widget page uses (container, sized skeleton, error state, mount
//! and unmount through the JS bridge).

#[cfg(feature = "hydrate")]
mod bridge;
mod component;
mod token;

#[cfg(feature = "ssr")]
pub mod preload;
#[cfg(feature = "ssr")]
pub mod rate_limit;

pub use component::Widget;
pub use token::{WidgetApi, WidgetGrant, widget_token};

use serde::{Deserialize, Serialize};

/// A WorkOS widget the app hosts. The kebab-case name is the bridge's widget id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WidgetKind {
    UserProfile,
    UserSecurity,
    UserSessions,
    UsersManagement,
    OrganizationSwitcher,
}

impl WidgetKind {
    /// Every widget, in nav order.
    pub const ALL: [WidgetKind; 5] = [
        Self::UserProfile,
        Self::UserSecurity,
        Self::UserSessions,
        Self::UsersManagement,
        Self::OrganizationSwitcher,
    ];

    /// The path of the page that shows this widget (the routes in `app.rs`).
    pub fn page(self) -> &'static str {
        match self {
            Self::UserProfile => "/account/profile",
            Self::UserSecurity => "/account/security",
            Self::UserSessions => "/account/sessions",
            Self::UsersManagement => "/organization/users",
            Self::OrganizationSwitcher => "/organization/switch",
        }
    }

    /// The widget shown at `path`, if that is a widget page.
    pub fn for_page(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.page() == path)
    }

    /// The bridge's widget id, e.g. `user-profile`.
    pub fn id(self) -> &'static str {
        match self {
            Self::UserProfile => "user-profile",
            Self::UserSecurity => "user-security",
            Self::UserSessions => "user-sessions",
            Self::UsersManagement => "users-management",
            Self::OrganizationSwitcher => "organization-switcher",
        }
    }

    /// Rows of the loading skeleton: as many as the widget's first view shows, so nothing jumps
    /// when it mounts.
    pub fn skeleton_rows(self) -> usize {
        match self {
            Self::UserProfile => 2,
            Self::UserSecurity => 2,
            Self::UserSessions => 3,
            Self::UsersManagement => 10,
            Self::OrganizationSwitcher => 1,
        }
    }

    /// The widget's name in the WorkOS docs, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Self::UserProfile => "profile",
            Self::UserSecurity => "security settings",
            Self::UserSessions => "sessions",
            Self::UsersManagement => "members",
            Self::OrganizationSwitcher => "organizations",
        }
    }
}
