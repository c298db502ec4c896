//! `/account/sessions`: the UserSessions widget (where you are signed in; sign out other devices).

use leptos::prelude::*;

use super::WidgetPage;
use crate::widgets::WidgetKind;

#[component]
pub fn SessionsPage() -> impl IntoView {
    view! { <WidgetPage title="Sessions" lead="Where you are signed in. Sign out devices you do not recognise." kind=WidgetKind::UserSessions /> }
}
