//! `station_sessions`: the sessions devices opened, with their tallies.

use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::SessionFacts;
use fieldpost_domain::{DeviceId, SessionId, StationSession, Tally, UnitId};
use rusqlite::{OptionalExtension, params};

use super::{SqliteTx, col, col_ts, col_ts_opt, col_u32, ts};
use crate::records::SessionRecord;
use crate::storage::{StationSessionTable, StorageResult};

impl StationSessionTable for SqliteTx<'_> {
    fn find(&mut self, id: SessionId) -> StorageResult<Option<SessionFacts>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT device_id, opened_at, closed_at FROM station_sessions WHERE id = ?1",
            )?
            .query_row([id.to_string()], |r| {
                Ok(SessionFacts {
                    device: col(r, 0)?,
                    opened_at: col_ts(r, 1)?,
                    closed_at: col_ts_opt(r, 2)?,
                })
            })
            .optional()?)
    }

    fn insert(
        &mut self,
        s: &StationSession,
        unit: UnitId,
        device: DeviceId,
        exception: Option<&str>,
    ) -> StorageResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO station_sessions (id, plan_id, unit_id, device_id, station, opened_at,
                     closed_at, exception)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                s.id.to_string(),
                s.plan_id.to_string(),
                unit.to_string(),
                device.to_string(),
                s.station,
                ts(s.opened_at),
                s.closed_at.map(ts),
                exception
            ])?;
        Ok(())
    }

    fn close(&mut self, id: SessionId, closed_at: DateTime<Utc>) -> StorageResult<()> {
        self.conn
            .prepare_cached("UPDATE station_sessions SET closed_at = ?2 WHERE id = ?1")?
            .execute(params![id.to_string(), ts(closed_at)])?;
        Ok(())
    }

    fn add_tally(&mut self, t: &Tally) -> StorageResult<()> {
        // Saturating at 0 and at u32::MAX, what a session's counters read back as: a device's
        // deltas are any i32, and a sum past u32::MAX made every read of the sessions (the
        // assessment, the exports) fail from then on (issue 14).
        self.conn
            .prepare_cached(
                "UPDATE station_sessions
                 SET people_reached = MIN(4294967295, MAX(0, people_reached + ?2)),
                     questionnaires_assisted =
                         MIN(4294967295, MAX(0, questionnaires_assisted + ?3))
                 WHERE id = ?1",
            )?
            .execute(params![
                t.session_id.to_string(),
                t.people_reached,
                t.questionnaires_assisted
            ])?;
        Ok(())
    }

    fn list(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<SessionRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, plan_id, device_id, station, opened_at, closed_at, unit_id,
                 people_reached, questionnaires_assisted, exception
             FROM station_sessions WHERE ?1 IS NULL OR unit_id = ?1 ORDER BY opened_at, id",
        )?;
        let rows = stmt.query_map([unit.map(|u| u.to_string())], |r| {
            Ok(SessionRecord {
                session: StationSession {
                    id: col(r, 0)?,
                    plan_id: col(r, 1)?,
                    device_id: col(r, 2)?,
                    station: r.get(3)?,
                    opened_at: col_ts(r, 4)?,
                    closed_at: col_ts_opt(r, 5)?,
                },
                unit_id: col(r, 6)?,
                people_reached: col_u32(r, 7)?,
                questionnaires_assisted: col_u32(r, 8)?,
                exception: r.get(9)?,
                volunteers: Vec::new(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
