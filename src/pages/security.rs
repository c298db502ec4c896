//! `/account/security`: the UserSecurity widget (password, two-factor authentication).

use leptos::prelude::*;

use super::WidgetPage;
use crate::widgets::WidgetKind;

#[component]
pub fn SecurityPage() -> impl IntoView {
    view! { <WidgetPage title="Security" lead="Your password and two-factor authentication." kind=WidgetKind::UserSecurity /> }
}
