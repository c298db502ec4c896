//! The mailbox page: every email the emulator "sent".

use maud::{Markup, html};

use super::layout::page;
use crate::clock::timestamp;
use crate::entities::Mail;

/// The mailbox page: every email the emulator "sent", newest first.
pub fn mailbox_page(mails: &[Mail]) -> Markup {
    page(
        "Mailbox",
        html! {
            div class="card" {
                h1 { "Mailbox" }
                p class="sub" { "Emails the WorkOS emulator would have sent." }
                @if mails.is_empty() { p { "No mail yet." } }
                @for mail in mails {
                    article class="demo" {
                        strong { (mail.subject) }
                        small { "To " (mail.to) " · " (timestamp(mail.created_at)) }
                        p { (mail.body) }
                        @if let Some(code) = &mail.code { p { "Code: " code { (code) } } }
                    }
                }
            }
        },
    )
}
