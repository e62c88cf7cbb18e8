//! `device_events`: every event a device pushed, by (device, seq), with its digest.
//!
//! A push's rows go in with one statement, `INSERT … SELECT FROM unnest(…)` over one array
//! per column, whatever their number: one round trip and one plan for the whole batch (the
//! twin of SQLite's 50 rows to a statement).

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, EventId, UnitId};
use fieldpost_sync::Record;
use tokio_postgres::types::Type;

use super::{PgTx, col, col_u64, get};
use crate::push::QuarantinedEvent;
use crate::storage::{DeviceEventTable, NewEvent, StorageError, StorageResult, StoredEvent};

/// A seq as PostgreSQL's bigint, or the error SQLite's twin gives.
pub(super) fn seq_sql(seq: u64) -> StorageResult<i64> {
    i64::try_from(seq).map_err(|_| StorageError::Failed(format!("seq {seq} out of range")))
}

impl DeviceEventTable for PgTx<'_> {
    fn last_seq(&mut self, device: DeviceId) -> StorageResult<u64> {
        let row = self.query_one(
            "SELECT COALESCE(MAX(seq), 0) FROM device_events WHERE device_id = $1",
            &[&device.to_string()],
        )?;
        Ok(get::<i64>(&row, 0)?.unsigned_abs())
    }

    fn stored(
        &mut self,
        device: DeviceId,
        first: u64,
        upto: u64,
    ) -> StorageResult<Vec<StoredEvent>> {
        let rows = self.query(
            "SELECT seq, id, body, quarantine_code, quarantine_reason, digest FROM device_events
             WHERE device_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
            &[&device.to_string(), &seq_sql(first)?, &seq_sql(upto)?],
        )?;
        rows.iter()
            .map(|r| {
                let code: Option<String> = get(r, 3)?;
                let reason: Option<String> = get(r, 4)?;
                Ok(StoredEvent {
                    seq: get::<i64>(r, 0)?.unsigned_abs(),
                    id: get(r, 1)?,
                    body: get(r, 2)?,
                    quarantine: code.map(|c| (c, reason.unwrap_or_default())),
                    digest: get(r, 5)?,
                })
            })
            .collect()
    }

    fn insert(
        &mut self,
        device: DeviceId,
        now: DateTime<Utc>,
        rows: &[NewEvent<'_>],
    ) -> StorageResult<bool> {
        if rows.is_empty() {
            return Ok(true);
        }
        // SQLite's CHECK (seq >= 1) fails its insert, which its twin reads as false; here
        // only the unique keys are skipped, so a bad seq is answered before the statement.
        if rows.iter().any(|r| r.event.seq == 0) {
            return Ok(false);
        }
        let n = rows.len();
        let (mut ids, mut seqs, mut kinds, mut bodies) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut recorded, mut codes, mut reasons, mut digests) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for row in rows {
            let e = row.event;
            ids.push(e.id.to_string());
            seqs.push(i64::try_from(e.seq).unwrap_or(i64::MAX));
            kinds.push(e.payload.kind());
            bodies.push(row.body);
            recorded.push(e.recorded_at);
            codes.push(row.quarantine.as_ref().map(|q| q.0.as_str()));
            reasons.push(row.quarantine.as_ref().map(|q| q.1.as_str()));
            digests.push(&row.digest[..]);
        }
        let device = device.to_string();
        // All or nothing: a stored id or (device, seq) fails the copy in its savepoint, and
        // the caller rolls back to its own.
        self.copy_batch(
            "COPY device_events (id, device_id, seq, kind, body, recorded_at, received_at,
                 quarantine_code, quarantine_reason, digest) FROM STDIN (FORMAT binary)",
            &[
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TIMESTAMPTZ,
                Type::TIMESTAMPTZ,
                Type::TEXT,
                Type::TEXT,
                Type::BYTEA,
            ],
            n,
            |i| {
                vec![
                    &ids[i],
                    &device,
                    &seqs[i],
                    &kinds[i],
                    &bodies[i],
                    &recorded[i],
                    &now,
                    &codes[i],
                    &reasons[i],
                    &digests[i],
                ]
            },
        )
    }

    fn owner(&mut self, id: EventId) -> StorageResult<Option<(DeviceId, u64)>> {
        self.query_opt(
            "SELECT device_id, seq FROM device_events WHERE id = $1",
            &[&id.to_string()],
        )?
        .map(|r| Ok((col(&r, 0)?, get::<i64>(&r, 1)?.unsigned_abs())))
        .transpose()
    }

    fn quarantine_notice(&mut self, event_id: &str) -> StorageResult<Option<Record>> {
        self.query_opt(
            "SELECT seq, id, quarantine_code, quarantine_reason FROM device_events
             WHERE id = $1 AND quarantine_code IS NOT NULL",
            &[&event_id],
        )?
        .map(|r| {
            Ok(Record::Quarantine {
                seq: get::<i64>(&r, 0)?.unsigned_abs(),
                event_id: col(&r, 1)?,
                code: get(&r, 2)?,
                reason: get::<Option<String>>(&r, 3)?.unwrap_or_default(),
            })
        })
        .transpose()
    }

    fn quarantined(
        &mut self,
        unit: Option<UnitId>,
        limit: u32,
    ) -> StorageResult<Vec<QuarantinedEvent>> {
        // Index `device_events_quarantined`.
        let rows = self.query(
            "SELECT e.device_id, d.unit_id, e.seq, e.kind, e.received_at, e.quarantine_code,
                 e.quarantine_reason
             FROM device_events e JOIN devices d ON d.id = e.device_id
             WHERE e.quarantine_reason IS NOT NULL AND ($2::text IS NULL OR d.unit_id = $2)
             ORDER BY e.received_at DESC, e.seq DESC LIMIT $1",
            &[&i64::from(limit), &unit.map(|u| u.to_string())],
        )?;
        rows.iter()
            .map(|r| {
                Ok(QuarantinedEvent {
                    device_id: col(r, 0)?,
                    unit_id: col(r, 1)?,
                    seq: col_u64(r, 2)?,
                    kind: get(r, 3)?,
                    received_at: get(r, 4)?,
                    // A code this build does not know reads as none; the reason still says why.
                    code: get::<Option<String>>(r, 5)?.and_then(|c| c.parse().ok()),
                    reason: get(r, 6)?,
                })
            })
            .collect()
    }

    fn erase_entrant_numbers(&mut self) -> StorageResult<u64> {
        // A scan of the events (no index on kind, which every push would pay for); it runs
        // once, when the lottery closes. The old bodies stay as dead row versions until a
        // vacuum (Database::reclaim_erased).
        self.execute(
            "UPDATE device_events
             SET body = jsonb_set(body::jsonb, '{payload,entrant,phone_sealed}', '\"\"')::text
             WHERE kind = 'entrant_registered'
               AND body::jsonb #>> '{payload,entrant,phone_sealed}' <> ''",
            &[],
        )
    }
}
