//! The stations' sync endpoints: push (a device's events up) and pull (changes down). The
//! contract is written out in `fieldpost_sync::push` and `fieldpost_sync::pull`; the central's
//! half in `fieldpost_central::push` and `::pull`, and why `server_seq` is safe to page by in
//! `fieldpost_central::storage::ChangeLog`.
//!
//! A station pipelines its pushes (batch k+1 is sent while k is in flight) and its pulls (page
//! k+1 is fetched while it applies k). Pulls need nothing here: each is a read of its own. A
//! push takes a ticket of its device as it arrives ([`crate::turns`]), receives and parses its
//! events concurrently with the store applying an earlier batch, and then waits for its turn:
//! two pushes of one device enter the store in the order they arrived, so k+1 does not
//! overtake k and bounce off the store's gap check. Pushes of different devices never wait on
//! each other.

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceEvent, DeviceId, EventId, EventPayload, Handout};
use fieldpost_sync::{PullQuery, PullResponse, PushRequest, PushResponse};

use crate::auth::{Caller, PresentedToken, PushingDevice, rotated_token};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use fieldpost_central::push::PushedEvent;

/// Changes per pull when the station does not say.
pub const DEFAULT_PULL_LIMIT: u32 = 5_000;
/// The most changes one pull returns, whatever the station asks.
pub const MAX_PULL_LIMIT: u32 = 10_000;

/// A push as it arrives: each event kept as the exact JSON text the station sent, which is what
/// the central stores and compares a replay against (a station sends the same bytes for the
/// same event every time: they are what its outbox stored).
type RawPush = PushRequest<Box<serde_json::value::RawValue>>;

pub(super) async fn push(
    State(state): State<AppState>,
    PushingDevice(device): PushingDevice,
    token: PresentedToken,
    body: Request,
) -> ApiResult<Json<PushResponse>> {
    // The token is good and the device not revoked, whatever becomes of the batch.
    state.heard_from(device.id).await;
    // The device's place in the queue for the store, taken in the order the pushes arrive,
    // before their bodies are read and parsed. Every early return below drops it, which
    // releases the place.
    let mut ticket = state.push_ticket(device.id);
    let device_time = device_time(body.headers());
    let ApiJson(request) = ApiJson::<RawPush>::from_request(body, &state).await?;
    let mut events = Vec::with_capacity(request.events.len());
    let mut previous: Option<u64> = None;
    for (i, raw) in request.events.into_iter().enumerate() {
        let event = parse_event(raw.get()).map_err(|e| match e {
            ApiError::BadRequest {
                code,
                message,
                field,
            } => ApiError::BadRequest {
                code,
                message,
                field: Some(match field {
                    Some(f) => format!("events[{i}].{f}"),
                    None => format!("events[{i}]"),
                }),
            },
            other => other,
        })?;
        if event.device_id != device.id {
            return Err(ApiError::invalid(
                format!("events[{i}].device_id"),
                "a device pushes only its own events",
            ));
        }
        if event.seq == 0 {
            return Err(ApiError::invalid(
                format!("events[{i}].seq"),
                "seqs start at 1",
            ));
        }
        // A client's seq may be anything up to u64::MAX: the next one is computed checked,
        // and none follows the largest (issue 14: `p + 1` panicked in a debug build and
        // wrapped to 0 in a release one).
        if let Some(p) = previous {
            match p.checked_add(1) {
                Some(next) if event.seq == next => {}
                Some(next) => {
                    return Err(ApiError::invalid(
                        format!("events[{i}].seq"),
                        format!("must be {next} (a batch is in seq order without gaps)"),
                    ));
                }
                None => {
                    return Err(ApiError::invalid(
                        format!("events[{}].seq", i - 1),
                        "is the largest seq there is: no event can follow it",
                    ));
                }
            }
        }
        previous = Some(event.seq);
        events.push(PushedEvent::new(event, raw.get().to_owned()));
    }
    ticket.turn().await;
    let (now, id) = (state.now(), device.id);
    let key = std::sync::Arc::clone(state.lottery_key());
    let mut response = state
        .call(move |db| {
            // Held until the store is done with the batch, even if the client goes away
            // meanwhile: the next push of the device waits for the store, not the socket.
            let _turn = ticket;
            fieldpost_central::push::push_dated(db, &key, now, id, &events, device_time)
        })
        .await?;
    // Only an answer that applied carries the next token: the station stores it with the
    // answer's effect.
    response.rotated_token = rotated_token(&state, &device, token).await;
    Ok(Json(response))
}

/// The tablet's clock when it sent the request: its `Date` header (an HTTP-date), if it sent
/// one that reads. Older tablets send none.
fn device_time(headers: &axum::http::HeaderMap) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = headers.get(axum::http::header::DATE)?.to_str().ok()?;
    chrono::DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

pub(super) async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    token: PresentedToken,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> ApiResult<Json<PullResponse>> {
    let Caller::Device(device) = caller else {
        return Err(ApiError::Forbidden(
            "only an enrolled device pulls; the console reads the records".into(),
        ));
    };
    // A station with nothing to push still pulls: this is what tells the console it is alive.
    // A revoked device never gets here (`Caller` refuses it with 401), so it is not contact.
    state.heard_from(device.id).await;
    // A cursor is a server_seq the central gave, at most i64::MAX (the databases' integer):
    // a larger one was refused on PostgreSQL as a 500 and read as "nothing newer" on
    // SQLite (issue 14). Refused by name on both.
    if i64::try_from(query.after).is_err() {
        return Err(ApiError::invalid(
            "after",
            format!(
                "after: must be at most {} (a cursor the central gave)",
                i64::MAX
            ),
        ));
    }
    let limit = query
        .limit
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT);
    let (id, unit) = (device.id, device.unit_id);
    let mut response = state
        .call(move |db| fieldpost_central::pull::pull(db, id, unit, query.after, limit))
        .await?;
    response.rotated_token = rotated_token(&state, &device, token).await;
    Ok(Json(response))
}

/// A `handout_recorded` event spelled out as plain structs: nearly every pushed event is one,
/// and serde reads a plain struct straight from the text, where `DeviceEvent`'s payload (an
/// enum tagged by a `type` field) is first buffered whole and then read again.
#[derive(serde::Deserialize)]
struct HandoutEventWire {
    id: EventId,
    device_id: DeviceId,
    seq: u64,
    recorded_at: DateTime<Utc>,
    payload: HandoutPayloadWire,
}

#[derive(serde::Deserialize)]
struct HandoutPayloadWire {
    #[serde(rename = "type")]
    _kind: HandoutKind,
    handout: Handout,
}

#[derive(serde::Deserialize)]
enum HandoutKind {
    #[serde(rename = "handout_recorded")]
    HandoutRecorded,
}

/// One pushed event: a handout the quick way, anything else (and anything the quick way
/// refuses, so every error reads as before) through `DeviceEvent` itself.
fn parse_event(text: &str) -> ApiResult<DeviceEvent> {
    if let Ok(e) = serde_json::from_str::<HandoutEventWire>(text) {
        return Ok(DeviceEvent {
            id: e.id,
            device_id: e.device_id,
            seq: e.seq,
            recorded_at: e.recorded_at,
            payload: EventPayload::HandoutRecorded {
                handout: e.payload.handout,
            },
        });
    }
    crate::extract::parse_json(text.as_bytes()).map_err(|e| explain_payload(text, e))
}

/// serde reads an internally tagged enum (the payload, tagged by `type`) from a buffered copy,
/// out of the path tracker's sight: its refusals name `payload`, never the field inside it
/// (issue 14, item 7). Read the refused payload again as [`PayloadByKind`], tagged the outer
/// way (`{"handout_recorded": {...}}`), whose inside the tracker follows, and name the field
/// it finds: `payload.handout.quantity`. Only ever on the way to a 400.
fn explain_payload(text: &str, error: ApiError) -> ApiError {
    use serde_json::Value;
    let ApiError::BadRequest {
        field: Some(field), ..
    } = &error
    else {
        return error;
    };
    // `payload` itself, or a missing or unknown field that `parse_json` named at the payload
    // (`payload.item_id`, where it is `payload.handout.item_id`).
    if field != "payload" && !field.starts_with("payload.") {
        return error;
    }
    let Ok(Value::Object(mut event)) = serde_json::from_str::<Value>(text) else {
        return error;
    };
    let Some(Value::Object(mut payload)) = event.remove("payload") else {
        return error;
    };
    let Some(Value::String(kind)) = payload.remove("type") else {
        return error;
    };
    let outer = Value::Object(serde_json::Map::from_iter([(kind, Value::Object(payload))]));
    match crate::extract::parse_json::<PayloadByKind>(outer.to_string().as_bytes()) {
        Err(ApiError::BadRequest {
            code,
            message,
            field,
        }) => {
            // The path starts with the kind (`handout_recorded.handout.quantity`), which is
            // the payload's `type`; none at all is an unknown kind.
            let field = match field {
                None => "payload.type".to_owned(),
                Some(path) => match path.split_once('.') {
                    Some((_kind, inner)) => format!("payload.{inner}"),
                    None => "payload".to_owned(),
                },
            };
            // The position is in the mirror's text, which the station never saw.
            let message = match message.rsplit_once(" at line ") {
                Some((words, _)) => words.to_owned(),
                None => message,
            };
            ApiError::BadRequest {
                code,
                message,
                field: Some(field),
            }
        }
        // The mirror reads what the enum refused: they disagree, so keep the enum's word.
        Ok(_) | Err(_) => error,
    }
}

/// [`EventPayload`]'s variants, tagged the outer way, only to say where a refused payload is
/// wrong ([`explain_payload`]). Kept in step with the enum by
/// `tests::the_mirror_has_every_kind_of_payload_with_the_same_fields`.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // read for its refusals only
enum PayloadByKind {
    SessionOpened {
        session: fieldpost_domain::StationSession,
    },
    SessionClosed {
        session_id: fieldpost_domain::SessionId,
        closed_at: DateTime<Utc>,
    },
    VolunteerCheckedIn {
        check_in: fieldpost_domain::VolunteerCheckIn,
    },
    VolunteerCheckedOut {
        check_in_id: fieldpost_domain::CheckInId,
        checked_out_at: DateTime<Utc>,
    },
    TallyRecorded {
        tally: fieldpost_domain::Tally,
    },
    HandoutRecorded {
        handout: Handout,
    },
    HandoutVoided {
        void: fieldpost_domain::HandoutVoid,
    },
    EntrantRegistered {
        entrant: fieldpost_domain::LotteryEntrant,
    },
    PlanFiled {
        plan: fieldpost_domain::ActivityPlan,
    },
    PlanRevised {
        plan: fieldpost_domain::ActivityPlan,
    },
    GrantReleased {
        plan_id: fieldpost_domain::PlanId,
        item_id: fieldpost_domain::ItemId,
        quantity: u32,
    },
    TopUpRequested {
        request: fieldpost_domain::TopUpRequest,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldpost_domain::{HandoutId, ItemId, PlanId, SessionId};

    fn handout_event(reason: Option<&str>) -> DeviceEvent {
        DeviceEvent {
            id: EventId::new(),
            device_id: DeviceId::new(),
            seq: 7,
            recorded_at: Utc::now(),
            payload: EventPayload::HandoutRecorded {
                handout: Handout {
                    id: HandoutId::new(),
                    session_id: SessionId::new(),
                    plan_id: PlanId::new(),
                    item_id: ItemId::new(),
                    quantity: 2,
                    handed_out_at: Utc::now(),
                    over_grant_reason: reason.map(str::to_owned),
                },
            },
        }
    }

    #[test]
    fn the_quick_way_reads_a_handout_event_as_the_enum_does() {
        for event in [handout_event(None), handout_event(Some("箱子里多了几只"))] {
            let text = serde_json::to_string(&event).unwrap();
            assert!(
                serde_json::from_str::<HandoutEventWire>(&text).is_ok(),
                "a handout event takes the quick way"
            );
            let slow: DeviceEvent = serde_json::from_str(&text).unwrap();
            assert_eq!(parse_event(&text).unwrap(), slow);
            assert_eq!(slow, event);
            // Keys in another order (the tag last, extra fields) read the same too.
            let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
            value["payload"]["ignored"] = serde_json::json!(1);
            let handout = value["payload"]["handout"].take();
            let map = value["payload"].as_object_mut().unwrap();
            map.remove("handout");
            map.insert("handout".into(), handout);
            assert_eq!(parse_event(&value.to_string()).unwrap(), event);
        }
    }

    #[test]
    fn the_mirror_has_every_kind_of_payload_with_the_same_fields() {
        use serde_json::{Map, Value};
        // Each kind's fields, as (name, schema without its doc), by kind.
        fn kinds(schema: Value, tagged_inside: bool) -> Map<String, Value> {
            let undocumented = |mut fields: Value| {
                for field in fields
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|f| f.values_mut())
                {
                    field.as_object_mut().map(|f| f.remove("description"));
                }
                fields
            };
            let variants = schema["oneOf"].as_array().cloned().unwrap_or_default();
            variants
                .into_iter()
                .map(|v| {
                    if tagged_inside {
                        let mut fields = v["properties"].as_object().cloned().unwrap();
                        let kind = fields.remove("type").unwrap()["const"].clone();
                        let fields = undocumented(Value::Object(fields));
                        (kind.as_str().unwrap().to_owned(), fields)
                    } else {
                        let (kind, inner) =
                            v["properties"].as_object().unwrap().iter().next().unwrap();
                        let mut fields = inner["properties"].clone();
                        if fields.is_null() {
                            fields = Value::Object(Map::new());
                        }
                        (kind.clone(), undocumented(fields))
                    }
                })
                .collect()
        }
        let enum_kinds = kinds(
            serde_json::to_value(schemars::schema_for!(EventPayload)).unwrap(),
            true,
        );
        let mirror_kinds = kinds(
            serde_json::to_value(schemars::schema_for!(PayloadByKind)).unwrap(),
            false,
        );
        assert_eq!(enum_kinds.len(), 12, "{enum_kinds:#?}");
        assert_eq!(
            mirror_kinds, enum_kinds,
            "PayloadByKind must mirror EventPayload kind by kind, field by field"
        );
    }

    #[test]
    fn other_events_and_bad_handouts_take_the_full_way() {
        let closed = DeviceEvent {
            payload: EventPayload::SessionClosed {
                session_id: SessionId::new(),
                closed_at: Utc::now(),
            },
            ..handout_event(None)
        };
        let text = serde_json::to_string(&closed).unwrap();
        assert_eq!(parse_event(&text).unwrap(), closed);
        let mut bad: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&handout_event(None)).unwrap()).unwrap();
        bad["payload"]["handout"]["quantity"] = serde_json::json!(-1);
        let text = bad.to_string();
        match parse_event(&text) {
            Err(ApiError::BadRequest { field, message, .. }) => {
                assert_eq!(
                    field.as_deref(),
                    Some("payload.handout.quantity"),
                    "issue 14: the innermost field is named, not the payload"
                );
                assert!(message.contains("-1"), "the value is quoted: {message}");
                assert!(
                    !message.contains(" at line "),
                    "no position in a text the station never sent: {message}"
                );
            }
            other => panic!("a bad quantity is refused, not {other:?}"),
        }
    }
}
