//! `lottery_wins`: each winner's prize, its delivery state and a handover at a station.

use fieldpost_domain::{DrawId, WinId};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_opt, col_ts, col_ts_opt, col_u32, conversion_text, ts};
use crate::draw::{Handover, WinState};
use crate::storage::draw::WinRow;
use crate::storage::{LotteryWinTable, StorageResult};

const WIN_COLUMNS: &str = "id, draw_id, pool_id, entry, entrant_id, state, state_changed_at,
     note, handover_station, handed_at, handover_by, voided, replaces";

fn win_row(r: &Row<'_>) -> rusqlite::Result<WinRow> {
    let state: String = r.get(5)?;
    let station: Option<String> = r.get(8)?;
    let handover = match (station, col_ts_opt(r, 9)?) {
        (Some(station), Some(handed_at)) => Some(Handover {
            station,
            handed_at,
            recorded_by: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(WinRow {
        id: col(r, 0)?,
        draw_id: col(r, 1)?,
        pool_id: col(r, 2)?,
        entry: col_u32(r, 3)?,
        entrant_id: col(r, 4)?,
        state: WinState::parse(&state).ok_or_else(|| conversion_text(5, state))?,
        state_changed_at: col_ts(r, 6)?,
        note: r.get(7)?,
        handover,
        voided: r.get::<_, i64>(11)? != 0,
        replaces: col_opt(r, 12)?,
    })
}

impl LotteryWinTable for SqliteTx<'_> {
    fn insert(&mut self, wins: &[WinRow]) -> StorageResult<()> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "INSERT INTO lottery_wins ({WIN_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        ))?;
        for w in wins {
            stmt.execute(params![
                w.id.to_string(),
                w.draw_id.to_string(),
                w.pool_id.to_string(),
                w.entry,
                w.entrant_id.to_string(),
                w.state.as_str(),
                ts(w.state_changed_at),
                w.note,
                w.handover.as_ref().map(|h| h.station.clone()),
                w.handover.as_ref().map(|h| ts(h.handed_at)),
                w.handover.as_ref().map(|h| h.recorded_by.clone()),
                i64::from(w.voided),
                w.replaces.map(|r| r.to_string())
            ])?;
        }
        Ok(())
    }

    fn get(&mut self, id: WinId) -> StorageResult<Option<WinRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {WIN_COLUMNS} FROM lottery_wins WHERE id = ?1"),
                [id.to_string()],
                win_row,
            )
            .optional()?)
    }

    fn of_draw(&mut self, draw: DrawId) -> StorageResult<Vec<WinRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {WIN_COLUMNS} FROM lottery_wins WHERE draw_id = ?1 ORDER BY rowid"
        ))?;
        let rows = stmt.query_map([draw.to_string()], win_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn update(&mut self, w: &WinRow) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE lottery_wins SET state = ?2, state_changed_at = ?3, note = ?4,
                 handover_station = ?5, handed_at = ?6, handover_by = ?7
             WHERE id = ?1",
            params![
                w.id.to_string(),
                w.state.as_str(),
                ts(w.state_changed_at),
                w.note,
                w.handover.as_ref().map(|h| h.station.clone()),
                w.handover.as_ref().map(|h| ts(h.handed_at)),
                w.handover.as_ref().map(|h| h.recorded_by.clone())
            ],
        )?;
        Ok(())
    }

    fn void_draw(&mut self, draw: DrawId) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE lottery_wins SET voided = 1 WHERE draw_id = ?1",
            [draw.to_string()],
        )?;
        Ok(())
    }
}
