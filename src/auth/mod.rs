//! Signing in with AuthKit and the sealed session.
//!
//! Shared: who is signed in ([`viewer`]: the [`Viewer`] the pages and the nav show, read once per
//! page view through [`use_viewer`]) and the organization switch ([`switch`]). Server-only: the
//! session middleware and the verified [`session::Session`] ([`session`]), refresh coordination
//! ([`refresh`]), the cookies ([`cookies`]), the forgery guard ([`csrf`]), the `/sign-in`,
//! `/callback` and `/sign-out` handlers ([`handlers`]) and the clock and a JWT's `exp`
//! ([`expiry`]).

#[cfg(feature = "ssr")]
pub mod cookies;
#[cfg(feature = "ssr")]
pub mod csrf;
#[cfg(feature = "ssr")]
pub mod expiry;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod refresh;
#[cfg(feature = "ssr")]
pub mod session;
pub mod switch;
pub mod viewer;

pub use switch::{SwitchOutcome, switch_organization};
pub use viewer::{Viewer, ViewerResource, get_viewer, provide_viewer, use_viewer};
