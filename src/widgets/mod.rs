//! The widgets: the registry of every widget the app hosts ([`registry`]), the token each needs
//! ([`widget_token`]), and the one generic [`Widget`] component that every widget page uses
//! (container, sized skeleton, error state, mount and unmount through the JS bridge).

#[cfg(feature = "hydrate")]
mod bridge;
mod component;
pub mod registry;
mod token;

#[cfg(feature = "ssr")]
pub mod preload;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
pub mod token_cache;

/// The `<meta name>` whose `content` is the bridge entry's URL (written by the page shell, read by
/// the WASM before it imports the bridge).
pub const BRIDGE_META: &str = "workos-widgets-bridge";

pub use component::Widget;
pub use registry::{REGISTRY, WidgetKind, WidgetSpec};
pub use token::{WidgetApi, WidgetGrant, widget_token};
