//! `volunteer_check_ins`: volunteers' hours at sessions.

use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::CheckInFacts;
use fieldpost_domain::{CheckInId, DeviceId, SessionId, VolunteerCheckIn};

use super::{PgTx, col, get};
use crate::records::VolunteerHours;
use crate::storage::{StorageResult, VolunteerCheckInTable};

impl VolunteerCheckInTable for PgTx<'_> {
    fn insert(&mut self, c: &VolunteerCheckIn, device: DeviceId) -> StorageResult<bool> {
        let inserted = self.execute(
            "INSERT INTO volunteer_check_ins (id, session_id, device_id, volunteer_name,
                 ivolunteer_id, checked_in_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &[
                &c.id.to_string(),
                &c.session_id.to_string(),
                &device.to_string(),
                &c.volunteer_name,
                &c.ivolunteer_id,
                &c.checked_in_at,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn find(&mut self, id: CheckInId) -> StorageResult<Option<CheckInFacts>> {
        self.query_opt(
            "SELECT device_id, checked_in_at, checked_out_at FROM volunteer_check_ins
             WHERE id = $1",
            &[&id.to_string()],
        )?
        .map(|r| {
            Ok(CheckInFacts {
                device: col(&r, 0)?,
                checked_in_at: get(&r, 1)?,
                checked_out_at: get(&r, 2)?,
            })
        })
        .transpose()
    }

    fn check_out(&mut self, id: CheckInId, at: DateTime<Utc>) -> StorageResult<()> {
        self.execute(
            "UPDATE volunteer_check_ins SET checked_out_at = $2 WHERE id = $1",
            &[&id.to_string(), &at],
        )?;
        Ok(())
    }

    fn of_session(&mut self, session: SessionId) -> StorageResult<Vec<VolunteerHours>> {
        let rows = self.query(
            "SELECT id, volunteer_name, ivolunteer_id, checked_in_at, checked_out_at
             FROM volunteer_check_ins WHERE session_id = $1 ORDER BY checked_in_at, id",
            &[&session.to_string()],
        )?;
        rows.iter()
            .map(|r| {
                let checked_in_at: DateTime<Utc> = get(r, 3)?;
                let checked_out_at: Option<DateTime<Utc>> = get(r, 4)?;
                Ok(VolunteerHours {
                    check_in_id: col(r, 0)?,
                    volunteer_name: get(r, 1)?,
                    ivolunteer_id: get(r, 2)?,
                    checked_in_at,
                    checked_out_at,
                    minutes: checked_out_at
                        .map(|out| u64::try_from((out - checked_in_at).num_minutes()).unwrap_or(0)),
                })
            })
            .collect()
    }
}
