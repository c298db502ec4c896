//! `/organization/switch`: the OrganizationSwitcher widget. Picking an organization refreshes the
//! session into it (`switch_organization`); the nav and the widget follow.

use leptos::prelude::*;

use super::WidgetPage;
use crate::widgets::WidgetKind;

#[component]
pub fn SwitchPage() -> impl IntoView {
    view! { <WidgetPage title="Organizations" lead="Switch the organization you are working in." kind=WidgetKind::OrganizationSwitcher /> }
}
