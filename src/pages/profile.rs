//! `/account/profile`: the UserProfile widget (name, email, linked accounts).

use leptos::prelude::*;

use super::WidgetPage;
use crate::widgets::WidgetKind;

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! { <WidgetPage title="Profile" lead="Your name and email address, as your organization sees them." kind=WidgetKind::UserProfile /> }
}
