//! `lottery_wins`: each winner's prize, its delivery state and a handover at a station.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DrawId, WinId};
use tokio_postgres::Row;

use super::{PgTx, col, col_opt, col_u32, get};
use crate::draw::{Handover, WinState};
use crate::storage::draw::WinRow;
use crate::storage::{LotteryWinTable, StorageError, StorageResult};

const WIN_COLUMNS: &str = "id, draw_id, pool_id, entry, entrant_id, state, state_changed_at,
     note, handover_station, handed_at, handover_by, voided, replaces";

fn win_row(r: &Row) -> StorageResult<WinRow> {
    let state: String = get(r, 5)?;
    let station: Option<String> = get(r, 8)?;
    let handed_at: Option<DateTime<Utc>> = get(r, 9)?;
    let handover = match (station, handed_at) {
        (Some(station), Some(handed_at)) => Some(Handover {
            station,
            handed_at,
            recorded_by: get::<Option<String>>(r, 10)?.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(WinRow {
        id: col(r, 0)?,
        draw_id: col(r, 1)?,
        pool_id: col(r, 2)?,
        entry: col_u32(r, 3)?,
        entrant_id: col(r, 4)?,
        state: WinState::parse(&state)
            .ok_or_else(|| StorageError::Corrupt(format!("lottery_wins: state {state}")))?,
        state_changed_at: get(r, 6)?,
        note: get(r, 7)?,
        handover,
        voided: get(r, 11)?,
        replaces: col_opt(r, 12)?,
    })
}

impl LotteryWinTable for PgTx<'_> {
    fn insert(&mut self, wins: &[WinRow]) -> StorageResult<()> {
        // One statement for a draw's wins (thousands of prizes); a new win has no handover
        // and is not voided.
        let ids: Vec<String> = wins.iter().map(|w| w.id.to_string()).collect();
        let draws: Vec<String> = wins.iter().map(|w| w.draw_id.to_string()).collect();
        let pools: Vec<String> = wins.iter().map(|w| w.pool_id.to_string()).collect();
        let entries: Vec<i64> = wins.iter().map(|w| i64::from(w.entry)).collect();
        let entrants: Vec<String> = wins.iter().map(|w| w.entrant_id.to_string()).collect();
        let states: Vec<&str> = wins.iter().map(|w| w.state.as_str()).collect();
        let changed: Vec<DateTime<Utc>> = wins.iter().map(|w| w.state_changed_at).collect();
        let notes: Vec<Option<String>> = wins.iter().map(|w| w.note.clone()).collect();
        let replaces: Vec<Option<String>> = wins
            .iter()
            .map(|w| w.replaces.map(|r| r.to_string()))
            .collect();
        self.execute(
            "INSERT INTO lottery_wins (id, draw_id, pool_id, entry, entrant_id, state,
                 state_changed_at, note, replaces)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                 $6::text[], $7::timestamptz[], $8::text[], $9::text[])",
            &[
                &ids, &draws, &pools, &entries, &entrants, &states, &changed, &notes, &replaces,
            ],
        )?;
        Ok(())
    }

    fn get(&mut self, id: WinId) -> StorageResult<Option<WinRow>> {
        let row = self.query_opt(
            &format!("SELECT {WIN_COLUMNS} FROM lottery_wins WHERE id = $1"),
            &[&id.to_string()],
        )?;
        row.as_ref().map(win_row).transpose()
    }

    fn of_draw(&mut self, draw: DrawId) -> StorageResult<Vec<WinRow>> {
        let rows = self.query(
            &format!(
                "SELECT {WIN_COLUMNS} FROM lottery_wins WHERE draw_id = $1 ORDER BY row_order"
            ),
            &[&draw.to_string()],
        )?;
        rows.iter().map(win_row).collect()
    }

    fn update(&mut self, w: &WinRow) -> StorageResult<()> {
        self.execute(
            "UPDATE lottery_wins SET state = $2, state_changed_at = $3, note = $4,
                 handover_station = $5, handed_at = $6, handover_by = $7
             WHERE id = $1",
            &[
                &w.id.to_string(),
                &w.state.as_str(),
                &w.state_changed_at,
                &w.note,
                &w.handover.as_ref().map(|h| h.station.clone()),
                &w.handover.as_ref().map(|h| h.handed_at),
                &w.handover.as_ref().map(|h| h.recorded_by.clone()),
            ],
        )?;
        Ok(())
    }

    fn void_draw(&mut self, draw: DrawId) -> StorageResult<()> {
        self.execute(
            "UPDATE lottery_wins SET voided = true WHERE draw_id = $1",
            &[&draw.to_string()],
        )?;
        Ok(())
    }
}
