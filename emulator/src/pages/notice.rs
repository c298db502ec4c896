//! A plain notice page.

use maud::{Markup, html};

use super::layout::page;

/// A plain notice page (signed out, or a bad authorization request).
pub fn notice(title: &str, message: &str) -> Markup {
    page(
        title,
        html! { div class="card" { h1 { (title) } p { (message) } } },
    )
}
