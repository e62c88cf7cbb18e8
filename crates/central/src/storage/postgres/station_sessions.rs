//! `station_sessions`: the sessions devices opened, with their tallies.

use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::SessionFacts;
use fieldpost_domain::{DeviceId, SessionId, StationSession, Tally, UnitId};

use super::{PgTx, col, col_u32, get};
use crate::records::SessionRecord;
use crate::storage::{StationSessionTable, StorageResult};

impl StationSessionTable for PgTx<'_> {
    fn find(&mut self, id: SessionId) -> StorageResult<Option<SessionFacts>> {
        self.query_opt(
            "SELECT device_id, opened_at, closed_at FROM station_sessions WHERE id = $1",
            &[&id.to_string()],
        )?
        .map(|r| {
            Ok(SessionFacts {
                device: col(&r, 0)?,
                opened_at: get(&r, 1)?,
                closed_at: get(&r, 2)?,
            })
        })
        .transpose()
    }

    fn insert(
        &mut self,
        s: &StationSession,
        unit: UnitId,
        device: DeviceId,
        exception: Option<&str>,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO station_sessions (id, plan_id, unit_id, device_id, station, opened_at,
                 closed_at, exception)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &s.id.to_string(),
                &s.plan_id.to_string(),
                &unit.to_string(),
                &device.to_string(),
                &s.station,
                &s.opened_at,
                &s.closed_at,
                &exception,
            ],
        )?;
        Ok(())
    }

    fn close(&mut self, id: SessionId, closed_at: DateTime<Utc>) -> StorageResult<()> {
        self.execute(
            "UPDATE station_sessions SET closed_at = $2 WHERE id = $1",
            &[&id.to_string(), &closed_at],
        )?;
        Ok(())
    }

    fn add_tally(&mut self, t: &Tally) -> StorageResult<()> {
        // Saturating at 0 and at u32::MAX, as on SQLite (see there; issue 14).
        self.execute(
            "UPDATE station_sessions
             SET people_reached = LEAST(4294967295, GREATEST(0, people_reached + $2)),
                 questionnaires_assisted =
                     LEAST(4294967295, GREATEST(0, questionnaires_assisted + $3))
             WHERE id = $1",
            &[
                &t.session_id.to_string(),
                &i64::from(t.people_reached),
                &i64::from(t.questionnaires_assisted),
            ],
        )?;
        Ok(())
    }

    fn list(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<SessionRecord>> {
        let rows = self.query(
            "SELECT id, plan_id, device_id, station, opened_at, closed_at, unit_id,
                 people_reached, questionnaires_assisted, exception
             FROM station_sessions WHERE $1::text IS NULL OR unit_id = $1
             ORDER BY opened_at, id",
            &[&unit.map(|u| u.to_string())],
        )?;
        rows.iter()
            .map(|r| {
                Ok(SessionRecord {
                    session: StationSession {
                        id: col(r, 0)?,
                        plan_id: col(r, 1)?,
                        device_id: col(r, 2)?,
                        station: get(r, 3)?,
                        opened_at: get(r, 4)?,
                        closed_at: get(r, 5)?,
                    },
                    unit_id: col(r, 6)?,
                    people_reached: col_u32(r, 7)?,
                    questionnaires_assisted: col_u32(r, 8)?,
                    exception: get(r, 9)?,
                    volunteers: Vec::new(),
                })
            })
            .collect()
    }
}
