//! One file per page. Every widget page is [`widget::WidgetPage`], driven by its registry entry.

pub mod auth_error;
pub mod home;
pub mod not_found;
pub mod widget;
