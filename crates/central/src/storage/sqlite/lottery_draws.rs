//! `lottery_draws`, `lottery_draw_pools` and `lottery_draw_entries`: each draw, the pools as
//! it drew them, and the winners and reserves it picked, by entry number.

use fieldpost_domain::{CampaignId, DrawId, WinId};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_opt, col_ts, col_ts_opt, col_u32, conversion_text, ts};
use crate::draw::{Delivery, Voided, parse_carriers};
use crate::storage::draw::{DrawEntryRow, DrawPoolRow, DrawRow};
use crate::storage::{LotteryDrawTable, StorageResult};

const DRAW_COLUMNS: &str = "id, list_id, public_value, value_source, list_digest, drawn_at,
     drawn_by, voided_at, voided_by, void_reason";

fn draw_row(r: &Row<'_>) -> rusqlite::Result<DrawRow> {
    let voided = match col_ts_opt(r, 7)? {
        Some(at) => Some(Voided {
            at,
            by: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
            reason: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(DrawRow {
        id: col(r, 0)?,
        list_id: col(r, 1)?,
        public_value: r.get(2)?,
        value_source: r.get(3)?,
        list_digest: r.get(4)?,
        drawn_at: col_ts(r, 5)?,
        drawn_by: r.get(6)?,
        voided,
    })
}

impl LotteryDrawTable for SqliteTx<'_> {
    fn insert(
        &mut self,
        campaign: CampaignId,
        draw: &DrawRow,
        pools: &[DrawPoolRow],
        entries: &[DrawEntryRow],
    ) -> StorageResult<()> {
        self.conn.execute(
            &format!(
                "INSERT INTO lottery_draws ({DRAW_COLUMNS}, campaign_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL, NULL, ?8)"
            ),
            params![
                draw.id.to_string(),
                draw.list_id.to_string(),
                draw.public_value,
                draw.value_source,
                draw.list_digest,
                ts(draw.drawn_at),
                draw.drawn_by,
                campaign.to_string()
            ],
        )?;
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO lottery_draw_pools (draw_id, pool_no, pool_id, name, delivery, carriers,
                 quantity, reserves)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for p in pools {
            stmt.execute(params![
                draw.id.to_string(),
                p.pool_no,
                p.pool_id.to_string(),
                p.name,
                p.delivery.as_str(),
                crate::draw::carriers_text(&p.carriers),
                p.quantity,
                p.reserves
            ])?;
        }
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO lottery_draw_entries (draw_id, pool_no, kind, rank, entry, win_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for e in entries {
            stmt.execute(params![
                draw.id.to_string(),
                e.pool_no,
                if e.reserve { "reserve" } else { "winner" },
                e.rank,
                e.entry,
                e.win_id.map(|w| w.to_string())
            ])?;
        }
        Ok(())
    }

    fn standing(&mut self) -> StorageResult<Option<DrawRow>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {DRAW_COLUMNS} FROM lottery_draws WHERE voided_at IS NULL
                     ORDER BY rowid DESC LIMIT 1"
                ),
                [],
                draw_row,
            )
            .optional()?)
    }

    fn all(&mut self) -> StorageResult<Vec<DrawRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {DRAW_COLUMNS} FROM lottery_draws ORDER BY rowid"
        ))?;
        let rows = stmt.query_map([], draw_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn get(&mut self, id: DrawId) -> StorageResult<Option<DrawRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {DRAW_COLUMNS} FROM lottery_draws WHERE id = ?1"),
                [id.to_string()],
                draw_row,
            )
            .optional()?)
    }

    fn pools(&mut self, id: DrawId) -> StorageResult<Vec<DrawPoolRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT pool_no, pool_id, name, delivery, carriers, quantity, reserves
             FROM lottery_draw_pools WHERE draw_id = ?1 ORDER BY pool_no",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            let delivery: String = r.get(3)?;
            let carriers: String = r.get(4)?;
            Ok(DrawPoolRow {
                pool_no: col_u32(r, 0)?,
                pool_id: col(r, 1)?,
                name: r.get(2)?,
                delivery: Delivery::parse(&delivery).ok_or_else(|| conversion_text(3, delivery))?,
                carriers: parse_carriers(&carriers).ok_or_else(|| conversion_text(4, carriers))?,
                quantity: col_u32(r, 5)?,
                reserves: col_u32(r, 6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn entries(&mut self, id: DrawId) -> StorageResult<Vec<DrawEntryRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT pool_no, kind, rank, entry, win_id FROM lottery_draw_entries
             WHERE draw_id = ?1 ORDER BY pool_no, kind DESC, rank",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            let kind: String = r.get(1)?;
            Ok(DrawEntryRow {
                pool_no: col_u32(r, 0)?,
                reserve: kind == "reserve",
                rank: col_u32(r, 2)?,
                entry: col_u32(r, 3)?,
                win_id: col_opt(r, 4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn void(&mut self, id: DrawId, voided: &Voided) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE lottery_draws SET voided_at = ?2, voided_by = ?3, void_reason = ?4
             WHERE id = ?1 AND voided_at IS NULL",
            params![id.to_string(), ts(voided.at), voided.by, voided.reason],
        )?;
        Ok(())
    }

    fn promote(&mut self, id: DrawId, pool_no: u32, rank: u32, win: WinId) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE lottery_draw_entries SET win_id = ?4
             WHERE draw_id = ?1 AND pool_no = ?2 AND kind = 'reserve' AND rank = ?3",
            params![id.to_string(), pool_no, rank, win.to_string()],
        )?;
        Ok(())
    }
}
