//! The built-in demo seed: the organizations, roles and users documented in the README and relied
//! on by the tests. Ids and timestamps are pinned so links, logs and tests stay stable.
//!
//! - Organizations: "Acme Corp" (`acme.test`) and "Globex" (`globex.test`).
//! - Roles: `admin` (grants `widgets:users-table:manage`) and `member` (the default).
//! - alice@acme.test "Alice Adams": Acme admin, Globex member.
//! - bob@acme.test "Bob Baker": Acme member.
//! - carol@globex.test "Carol Chen": Globex admin.
//! - 25 more Acme members, `<first>.<last>@acme.test`.
//!
//! Every demo password is [`DEMO_PASSWORD`].

use time::{Duration, OffsetDateTime, macros::datetime};

use crate::store::{Membership, MembershipStatus, Organization, Role, State, User};

pub const DEMO_PASSWORD: &str = "demo-password";
/// The scope that lets a widget token manage an organization's members (UsersManagement).
pub const USERS_TABLE_MANAGE: &str = "widgets:users-table:manage";

pub const ACME_ID: &str = "org_01JDEM0000000000000000ACME";
pub const GLOBEX_ID: &str = "org_01JDEM00000000000000GL0BEX";
pub const ALICE_ID: &str = "user_01JDEM0000000000000000A1CE";
pub const BOB_ID: &str = "user_01JDEM00000000000000000B0B";
pub const CAROL_ID: &str = "user_01JDEM000000000000000CAR01";

const EPOCH: OffsetDateTime = datetime!(2026-01-05 09:00:00 UTC);

/// The 25 further Acme members (first, last).
const MORE_ACME_MEMBERS: [(&str, &str); 25] = [
    ("Dana", "Diaz"),
    ("Evan", "Evans"),
    ("Fiona", "Fisher"),
    ("Gabe", "Garcia"),
    ("Hana", "Hughes"),
    ("Ivan", "Ito"),
    ("Jade", "Jensen"),
    ("Kurt", "Klein"),
    ("Lena", "Lopez"),
    ("Milo", "Moreau"),
    ("Nora", "Nakamura"),
    ("Omar", "Okafor"),
    ("Priya", "Patel"),
    ("Quinn", "Quade"),
    ("Rosa", "Rossi"),
    ("Sam", "Schmidt"),
    ("Tara", "Tanaka"),
    ("Umar", "Usman"),
    ("Vera", "Volkov"),
    ("Will", "Wright"),
    ("Xena", "Xu"),
    ("Yusuf", "Yilmaz"),
    ("Zoe", "Zhang"),
    ("Aaron", "Abbott"),
    ("Bella", "Brooks"),
];

fn user(id: String, email: &str, first: &str, last: &str, hash: &str, at: OffsetDateTime) -> User {
    User {
        id,
        email: email.to_string(),
        email_verified: true,
        first_name: Some(first.to_string()),
        last_name: Some(last.to_string()),
        profile_picture_url: None,
        locale: None,
        password_hash: Some(hash.to_string()),
        totp_secret: None,
        last_sign_in_at: None,
        created_at: at,
        updated_at: at,
    }
}

/// Builds the demo environment. `password_hash` is the Argon2id hash of [`DEMO_PASSWORD`]
/// (computed once by the caller: hashing is deliberately slow).
pub fn demo(password_hash: &str) -> State {
    let mut state = State {
        roles: vec![
            Role {
                slug: "admin".into(),
                name: "Admin".into(),
                description: Some("Manages the organization's members".into()),
                permissions: vec![USERS_TABLE_MANAGE.into()],
                is_default: false,
            },
            Role {
                slug: "member".into(),
                name: "Member".into(),
                description: Some("Uses the product".into()),
                permissions: vec![],
                is_default: true,
            },
        ],
        ..State::default()
    };

    for (id, name, domain, minutes) in [(ACME_ID, "Acme Corp", "acme.test", 0), (GLOBEX_ID, "Globex", "globex.test", 1)] {
        let at = EPOCH + Duration::minutes(minutes);
        state.organizations.insert(
            id.to_string(),
            Organization { id: id.into(), name: name.into(), domains: vec![domain.into()], created_at: at, updated_at: at },
        );
    }

    let mut minute = 10;
    let mut next_time = || {
        minute += 1;
        EPOCH + Duration::minutes(minute)
    };
    let add_member = |state: &mut State, user_id: &str, org: &str, role: &str, at: OffsetDateTime| {
        let id = format!("om_01JDEM{:020}", state.memberships.len() + 1);
        state.memberships.insert(
            id.clone(),
            Membership {
                id,
                user_id: user_id.into(),
                organization_id: org.into(),
                role: role.into(),
                status: MembershipStatus::Active,
                created_at: at,
                updated_at: at,
            },
        );
    };

    for (id, email, first, last, orgs) in [
        (ALICE_ID, "alice@acme.test", "Alice", "Adams", &[(ACME_ID, "admin"), (GLOBEX_ID, "member")][..]),
        (BOB_ID, "bob@acme.test", "Bob", "Baker", &[(ACME_ID, "member")][..]),
        (CAROL_ID, "carol@globex.test", "Carol", "Chen", &[(GLOBEX_ID, "admin")][..]),
    ] {
        let at = next_time();
        state.users.insert(id.into(), user(id.into(), email, first, last, password_hash, at));
        for (org, role) in orgs {
            add_member(&mut state, id, org, role, at);
        }
    }

    for (n, (first, last)) in MORE_ACME_MEMBERS.iter().enumerate() {
        let at = next_time();
        let id = format!("user_01JDEM{:020}", n + 100);
        let email = format!("{}.{}@acme.test", first.to_lowercase(), last.to_lowercase());
        state.users.insert(id.clone(), user(id.clone(), &email, first, last, password_hash, at));
        add_member(&mut state, &id, ACME_ID, "member", at);
    }
    state
}
