//! The HTML pages a person sees on the emulator (maud): the AuthKit sign-in page, its TOTP and MFA
//! enrollment steps, notices, the mailbox and the Admin Portal. HTML only: the routes that serve
//! them and act on their forms are `routes/authkit.rs`, `routes/sessions.rs`, `routes/emulator.rs`
//! and `routes/admin_portal.rs`.

pub mod admin_portal;
pub mod layout;
pub mod mailbox;
pub mod notice;
pub mod pipes;
pub mod sign_in;
pub mod totp;
