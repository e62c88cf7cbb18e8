//! `volunteer_check_ins`: volunteers' hours at sessions.

use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::CheckInFacts;
use fieldpost_domain::{CheckInId, DeviceId, SessionId, VolunteerCheckIn};
use rusqlite::{OptionalExtension, params};

use super::{SqliteTx, col, col_ts, col_ts_opt, ts};
use crate::records::VolunteerHours;
use crate::storage::{StorageResult, VolunteerCheckInTable};

impl VolunteerCheckInTable for SqliteTx<'_> {
    fn insert(&mut self, c: &VolunteerCheckIn, device: DeviceId) -> StorageResult<bool> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO volunteer_check_ins (id, session_id, device_id, volunteer_name,
                     ivolunteer_id, checked_in_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                c.id.to_string(),
                c.session_id.to_string(),
                device.to_string(),
                c.volunteer_name,
                c.ivolunteer_id,
                ts(c.checked_in_at)
            ])?;
        Ok(inserted == 1)
    }

    fn find(&mut self, id: CheckInId) -> StorageResult<Option<CheckInFacts>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT device_id, checked_in_at, checked_out_at FROM volunteer_check_ins
                 WHERE id = ?1",
            )?
            .query_row([id.to_string()], |r| {
                Ok(CheckInFacts {
                    device: col(r, 0)?,
                    checked_in_at: col_ts(r, 1)?,
                    checked_out_at: col_ts_opt(r, 2)?,
                })
            })
            .optional()?)
    }

    fn check_out(&mut self, id: CheckInId, at: DateTime<Utc>) -> StorageResult<()> {
        self.conn
            .prepare_cached("UPDATE volunteer_check_ins SET checked_out_at = ?2 WHERE id = ?1")?
            .execute(params![id.to_string(), ts(at)])?;
        Ok(())
    }

    fn of_session(&mut self, session: SessionId) -> StorageResult<Vec<VolunteerHours>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, volunteer_name, ivolunteer_id, checked_in_at, checked_out_at
             FROM volunteer_check_ins WHERE session_id = ?1 ORDER BY checked_in_at, id",
        )?;
        let rows = stmt.query_map([session.to_string()], |r| {
            let checked_in_at = col_ts(r, 3)?;
            let checked_out_at = col_ts_opt(r, 4)?;
            Ok(VolunteerHours {
                check_in_id: col(r, 0)?,
                volunteer_name: r.get(1)?,
                ivolunteer_id: r.get(2)?,
                checked_in_at,
                checked_out_at,
                minutes: checked_out_at
                    .map(|out| u64::try_from((out - checked_in_at).num_minutes()).unwrap_or(0)),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
