//! `/account/profile`: the UserProfile widget (name, email, linked accounts).

use leptos::prelude::*;

use crate::widgets::{Widget, WidgetKind};

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <leptos_meta::Title text="Profile" />
        <header class="page-header">
            <h1>"Profile"</h1>
            <p class="muted">"Your name and email address, as your organization sees them."</p>
        </header>
        <Widget kind=WidgetKind::UserProfile />
    }
}
