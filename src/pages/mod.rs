//! One file per page.

pub mod auth_error;
pub mod home;
pub mod not_found;
pub mod profile;
pub mod security;
pub mod sessions;
pub mod switch;
pub mod users;

use leptos::prelude::*;

use crate::widgets::{Widget, WidgetKind};

/// The frame every widget page shares: title, one-line lead, the widget.
#[component]
pub fn WidgetPage(title: &'static str, lead: &'static str, kind: WidgetKind) -> impl IntoView {
    view! {
        <leptos_meta::Title text=title />
        <header class="page-header">
            <h1>{title}</h1>
            <p class="muted">{lead}</p>
        </header>
        <Widget kind />
    }
}
