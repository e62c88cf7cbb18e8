//! Issuing enrollment codes from a request: on the blocking pool, with the state's clock and
//! the configured time to live.

use fieldpost_central::audit::Actor;
use fieldpost_central::enrollment::{self, IssuedCode};
use fieldpost_domain::UnitId;

use crate::error::ApiResult;
use crate::state::AppState;

/// [`enrollment::issue`] on the blocking pool, with the state's clock and TTL.
pub async fn issue(state: &AppState, actor: &Actor, unit: UnitId) -> ApiResult<IssuedCode> {
    let (actor, now, ttl) = (
        actor.clone(),
        state.now(),
        state.config().enrollment_code_ttl,
    );
    state
        .call(move |db| enrollment::issue(db, &actor, unit, now, ttl))
        .await
}
