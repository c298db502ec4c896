//! Request and response bodies that several widget modules share. Each module's own shapes are
//! declared next to its handlers. Every shape follows the widgets' own type for it in
//! `@workos-inc/widgets` 1.18 (`dist/esm/api/endpoint.d.ts`, named in each struct's doc), fields in
//! the same order.

use serde::{Deserialize, Serialize};

/// `{code, authenticationChallengeId}`: a one-time code for a challenge (UserProfile `verify`,
/// UserSecurity `verify-totp-factor`; the widgets' `VerifyRequest`, `VerifyTotpFactorRequest`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeCode {
    pub code: String,
    pub authentication_challenge_id: String,
}

/// `{success: true}`: an operation that answers nothing else (the widgets'
/// `InviteMemberResponse`, and the session, password and factor operations).
#[derive(Debug, Serialize)]
pub struct Success {
    pub success: bool,
}

impl Success {
    /// `{success: true}`.
    pub const YES: Self = Self { success: true };
}

/// `{id, success: true}`: an operation on one member or invitation, naming it (the widgets'
/// `UpdateMemberResponse`, `RemoveMemberResponse`, `ResendInviteResponse`,
/// `RevokeMemberResponse`).
#[derive(Debug, Serialize)]
pub struct SuccessWithId {
    pub id: String,
    pub success: bool,
}

impl SuccessWithId {
    /// `{id, success: true}`.
    pub fn new(id: String) -> Self {
        Self { id, success: true }
    }
}

/// `{data}`: a list or a record wrapped in `data` (the widgets' `ActiveSessionsResponse`,
/// `OrganizationsResponse`, `AuthenticationInformationResponse`).
#[derive(Debug, Serialize)]
pub struct DataBody<T> {
    pub data: T,
}
