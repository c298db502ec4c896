//! The emulator's Admin Portal (HTML only; `routes/admin_portal.rs` serves it and acts on its
//! forms): one page per portal session, with the section of the link's intent — set up an SSO
//! connection, add and verify domains, set up a directory, set up an audit-log stream — and what
//! the organization has in that section now.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::layout::page;
use crate::clock::timestamp;
use crate::entities::{
    AuditLogStream, AuditLogStreamState, AuditLogStreamType, ConnectionProtocol, ConnectionType,
    Directory, DirectoryType, NameServer, OrganizationDomain, PortalIntent, SsoConnection,
};

/// The sections of the portal, in page order.
pub const SECTIONS: [PortalIntent; 4] = [
    PortalIntent::Sso,
    PortalIntent::DomainVerification,
    PortalIntent::Dsync,
    PortalIntent::LogStreams,
];

/// The heading of an intent's section.
pub fn section_title(intent: PortalIntent) -> &'static str {
    match intent {
        PortalIntent::Sso => "Single Sign-On",
        PortalIntent::CertificateRenewal => "SAML certificate renewal",
        PortalIntent::DomainVerification => "Domain verification",
        PortalIntent::Dsync => "Directory Sync",
        PortalIntent::LogStreams => "Log Streams",
    }
}

/// The choice of a new SAML connection's signing certificate (form field `certificate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateChoice {
    /// Valid for a year.
    Valid,
    /// Expires in 14 days (the SSO widget warns within 30).
    Expiring,
    /// Expired 3 days ago (the SSO widget says "Requires action").
    Expired,
}

impl CertificateChoice {
    /// `(value, label)` of each radio button, in form order.
    const OPTIONS: [(&'static str, &'static str); 3] = [
        ("valid", "Valid for a year"),
        ("expiring", "Expires in 14 days"),
        ("expired", "Expired 3 days ago"),
    ];
}

/// A refused form: which section it belongs to and why (shown in that section, `role="alert"`).
pub struct FormError {
    pub section: PortalIntent,
    pub message: String,
}

/// What one portal page shows.
pub struct PortalView<'a> {
    /// `/portal/<id>`: the forms post below it.
    pub base: String,
    pub organization: &'a str,
    /// The sections this link opens.
    pub sections: Vec<PortalIntent>,
    pub connections: Vec<&'a SsoConnection>,
    pub domains: Vec<&'a OrganizationDomain>,
    pub directory: Option<&'a Directory>,
    pub stream: Option<&'a AuditLogStream>,
    pub return_url: Option<&'a str>,
    /// "Saved." after a change (`role="status"`).
    pub saved: Option<&'static str>,
    pub error: Option<FormError>,
    pub now: OffsetDateTime,
}

fn date(t: OffsetDateTime) -> String {
    timestamp(t)[..10].to_string()
}

/// The portal page of a session.
pub fn portal_page(view: &PortalView<'_>) -> Markup {
    let subtitle = view
        .sections
        .iter()
        .map(|s| section_title(*s))
        .collect::<Vec<_>>()
        .join(", ");
    let error_in = |section: PortalIntent| {
        view.error
            .as_ref()
            .filter(|e| e.section == section)
            .map(|e| html! { p class="error" role="alert" { (e.message) } })
    };
    page(
        "Admin Portal",
        html! {
            div class="card" {
                h1 { "Admin Portal" }
                p class="sub" { (view.organization) " · " (subtitle) }
                @if let Some(saved) = view.saved { p class="status ok" role="status" { (saved) } }
                @for section in &view.sections {
                    @match section {
                        PortalIntent::Sso | PortalIntent::CertificateRenewal => (sso_section(view, error_in(PortalIntent::Sso))),
                        PortalIntent::DomainVerification => (domains_section(view, error_in(PortalIntent::DomainVerification))),
                        PortalIntent::Dsync => (directory_section(view, error_in(PortalIntent::Dsync))),
                        PortalIntent::LogStreams => (stream_section(view, error_in(PortalIntent::LogStreams))),
                    }
                }
                @if let Some(url) = view.return_url {
                    p class="done" { a href=(url) { "Return to the app" } }
                } @else {
                    p class="status done" { "When you are done, close this tab and return to the app." }
                }
            }
        },
    )
}

fn sso_section(view: &PortalView<'_>, error: Option<Markup>) -> Markup {
    // The form starts from the organization's connection, if it has one.
    let current = view
        .connections
        .first()
        .map_or(ConnectionType::OktaSaml, |c| c.connection_type);
    html! {
        section aria-labelledby="sso-heading" {
            h2 id="sso-heading" { (section_title(PortalIntent::Sso)) }
            @for c in &view.connections {
                div class="item" data-testid="sso-connection" {
                    strong { (c.name) } " · " (c.connection_type.label())
                    small { "State: " (c.state.label()) }
                    @for cert in &c.x509_certificates {
                        small {
                            @if cert.not_after <= view.now { "Signing certificate expired on " (date(cert.not_after)) }
                            @else { "Signing certificate expires on " (date(cert.not_after)) }
                        }
                    }
                }
            }
            form method="post" action=(format!("{}/sso", view.base)) {
                label for="sso-type" { "Identity provider" }
                select id="sso-type" name="type" required {
                    optgroup label="SAML" {
                        @for t in ConnectionType::ALL.iter().filter(|t| t.protocol() == ConnectionProtocol::Saml) {
                            option value=(t.as_str()) selected[*t == current] { (t.label()) }
                        }
                    }
                    optgroup label="OpenID Connect" {
                        @for t in ConnectionType::ALL.iter().filter(|t| t.protocol() == ConnectionProtocol::OpenIdConnect) {
                            option value=(t.as_str()) selected[*t == current] { (t.label()) }
                        }
                    }
                }
                label for="sso-name" { "Connection name" }
                input id="sso-name" name="name" type="text" maxlength="100" placeholder="Defaults to the provider's name";
                fieldset {
                    legend { "Signing certificate (SAML only)" }
                    @for (value, label) in CertificateChoice::OPTIONS {
                        label { input type="radio" name="certificate" value=(value) checked[value == "valid"]; (label) }
                    }
                }
                @if let Some(error) = error { (error) }
                button class="primary" type="submit" { "Save connection" }
            }
        }
    }
}

fn domains_section(view: &PortalView<'_>, error: Option<Markup>) -> Markup {
    let base = &view.base;
    html! {
        section aria-labelledby="domains-heading" {
            h2 id="domains-heading" { (section_title(PortalIntent::DomainVerification)) }
            @for d in &view.domains {
                div class="item" data-testid="organization-domain" data-domain=(d.domain) {
                    strong { (d.domain) } " · " (d.state.widget_name())
                    @if !d.state.is_verified() {
                        @if let (Some(prefix), Some(token)) = (&d.verification_prefix, &d.verification_token) {
                            small { "DNS TXT record: " code { (prefix) "=" (token) } }
                        }
                        div class="actions" {
                            form method="post" action=(format!("{base}/domains/{}/verify", d.id)) {
                                button class="secondary" type="submit" aria-label=(format!("Verify {}", d.domain)) { "Verify" }
                            }
                            @if d.state == crate::entities::DomainState::Pending {
                                form method="post" action=(format!("{base}/domains/{}/fail", d.id)) {
                                    button class="secondary" type="submit" aria-label=(format!("Fail verification of {}", d.domain)) { "Fail verification" }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action=(format!("{base}/domains")) {
                label for="domain" { "Domain" }
                input id="domain" name="domain" type="text" required maxlength="253" placeholder="example.com" autocomplete="off";
                label for="name-server" { "DNS provider" }
                select id="name-server" name="name_server" {
                    @for n in NameServer::ALL { option value=(n.as_str()) selected[*n == NameServer::Other] { (n.label()) } }
                }
                @if let Some(error) = error { (error) }
                button class="primary" type="submit" { "Add domain" }
            }
        }
    }
}

fn directory_section(view: &PortalView<'_>, error: Option<Markup>) -> Markup {
    html! {
        section aria-labelledby="directory-heading" {
            h2 id="directory-heading" { (section_title(PortalIntent::Dsync)) }
            @if let Some(d) = view.directory {
                div class="item" data-testid="directory" {
                    strong { (d.name) } " · " (d.directory_type.label())
                    small { "State: " (d.state.label()) " · " (d.users_active) " active users, " (d.users_inactive) " inactive, " (d.groups) " groups" }
                }
            }
            form method="post" action=(format!("{}/directory", view.base)) {
                label for="directory-type" { "Directory provider" }
                select id="directory-type" name="type" required {
                    @for t in DirectoryType::ALL { option value=(t.as_str()) selected[*t == view.directory.map_or(DirectoryType::OktaScimV20, |d| d.directory_type)] { (t.label()) } }
                }
                label for="directory-name" { "Directory name" }
                input id="directory-name" name="name" type="text" maxlength="100" placeholder="Defaults to the provider's name";
                label for="users-active" { "Active users" }
                input id="users-active" name="users_active" type="number" min="0" max="1000000" required value=(view.directory.map_or(0, |d| d.users_active));
                label for="users-inactive" { "Inactive users" }
                input id="users-inactive" name="users_inactive" type="number" min="0" max="1000000" required value=(view.directory.map_or(0, |d| d.users_inactive));
                label for="groups" { "Groups" }
                input id="groups" name="groups" type="number" min="0" max="1000000" required value=(view.directory.map_or(0, |d| d.groups));
                @if let Some(error) = error { (error) }
                button class="primary" type="submit" { "Save directory" }
            }
        }
    }
}

fn stream_section(view: &PortalView<'_>, error: Option<Markup>) -> Markup {
    html! {
        section aria-labelledby="stream-heading" {
            h2 id="stream-heading" { (section_title(PortalIntent::LogStreams)) }
            @if let Some(s) = view.stream {
                div class="item" data-testid="audit-log-stream" {
                    strong { (s.stream_type.label()) }
                    small { "State: " (s.state.label()) }
                    @if let Some(message) = &s.error_message { small { (message) } }
                }
            }
            form method="post" action=(format!("{}/log-stream", view.base)) {
                label for="stream-type" { "Destination" }
                select id="stream-type" name="type" required {
                    @for t in AuditLogStreamType::ALL { option value=(t.as_str()) selected[*t == view.stream.map_or(AuditLogStreamType::Datadog, |s| s.stream_type)] { (t.label()) } }
                }
                label for="stream-state" { "State" }
                select id="stream-state" name="state" required {
                    @for s in AuditLogStreamState::ALL { option value=(s.as_str()) selected[*s == view.stream.map_or(AuditLogStreamState::Active, |st| st.state)] { (s.label()) } }
                }
                @if let Some(error) = error { (error) }
                button class="primary" type="submit" { "Save log stream" }
            }
        }
    }
}
