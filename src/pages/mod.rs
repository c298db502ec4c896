//! One file per page.

pub mod auth_error;
pub mod home;
pub mod not_found;
pub mod profile;
