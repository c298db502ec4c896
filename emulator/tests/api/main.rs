//! Integration tests of the emulator over HTTP, through the official `workos` crate wherever it
//! has the call (so every response is also checked to decode with the crate's models).

mod admin_portal;
mod authkit;
mod bad_input;
mod browser_session;
mod coverage;
mod directory;
mod isolation;
mod operations;
mod persistence;
mod properties;
mod session_resilience;
mod support;
mod widget_tokens;
mod widgets_admin_portal;
mod widgets_api_keys;
mod widgets_pipes;
mod widgets_user_account;
mod widgets_user_profile;
mod widgets_users_management;
