//! `lottery_draws`, `lottery_draw_pools` and `lottery_draw_entries`: each draw, the pools as
//! it drew them, and the winners and reserves it picked, by entry number.

use chrono::{DateTime, Utc};
use fieldpost_domain::{CampaignId, DrawId, WinId};
use tokio_postgres::Row;

use super::{PgTx, col, col_opt, col_u32, get};
use crate::draw::{Delivery, Voided, carriers_text, parse_carriers};
use crate::storage::draw::{DrawEntryRow, DrawPoolRow, DrawRow};
use crate::storage::{LotteryDrawTable, StorageError, StorageResult};

const DRAW_COLUMNS: &str = "id, list_id, public_value, value_source, list_digest, drawn_at,
     drawn_by, voided_at, voided_by, void_reason";

fn draw_row(r: &Row) -> StorageResult<DrawRow> {
    let voided_at: Option<DateTime<Utc>> = get(r, 7)?;
    let voided = match voided_at {
        Some(at) => Some(Voided {
            at,
            by: get::<Option<String>>(r, 8)?.unwrap_or_default(),
            reason: get::<Option<String>>(r, 9)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(DrawRow {
        id: col(r, 0)?,
        list_id: col(r, 1)?,
        public_value: get(r, 2)?,
        value_source: get(r, 3)?,
        list_digest: get(r, 4)?,
        drawn_at: get(r, 5)?,
        drawn_by: get(r, 6)?,
        voided,
    })
}

impl LotteryDrawTable for PgTx<'_> {
    fn insert(
        &mut self,
        campaign: CampaignId,
        draw: &DrawRow,
        pools: &[DrawPoolRow],
        entries: &[DrawEntryRow],
    ) -> StorageResult<()> {
        let id = draw.id.to_string();
        self.execute(
            &format!(
                "INSERT INTO lottery_draws ({DRAW_COLUMNS}, campaign_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, $8)"
            ),
            &[
                &id,
                &draw.list_id.to_string(),
                &draw.public_value,
                &draw.value_source,
                &draw.list_digest,
                &draw.drawn_at,
                &draw.drawn_by,
                &campaign.to_string(),
            ],
        )?;
        for p in pools {
            self.execute(
                "INSERT INTO lottery_draw_pools (draw_id, pool_no, pool_id, name, delivery,
                     carriers, quantity, reserves)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &id,
                    &i64::from(p.pool_no),
                    &p.pool_id.to_string(),
                    &p.name,
                    &p.delivery.as_str(),
                    &carriers_text(&p.carriers),
                    &i64::from(p.quantity),
                    &i64::from(p.reserves),
                ],
            )?;
        }
        let pool_nos: Vec<i64> = entries.iter().map(|e| i64::from(e.pool_no)).collect();
        let kinds: Vec<&str> = entries
            .iter()
            .map(|e| if e.reserve { "reserve" } else { "winner" })
            .collect();
        let ranks: Vec<i64> = entries.iter().map(|e| i64::from(e.rank)).collect();
        let numbers: Vec<i64> = entries.iter().map(|e| i64::from(e.entry)).collect();
        let wins: Vec<Option<String>> = entries
            .iter()
            .map(|e| e.win_id.map(|w| w.to_string()))
            .collect();
        self.execute(
            "INSERT INTO lottery_draw_entries (draw_id, pool_no, kind, rank, entry, win_id)
             SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::bigint[],
                 $6::text[])",
            &[&id, &pool_nos, &kinds, &ranks, &numbers, &wins],
        )?;
        Ok(())
    }

    fn standing(&mut self) -> StorageResult<Option<DrawRow>> {
        let row = self.query_opt(
            &format!(
                "SELECT {DRAW_COLUMNS} FROM lottery_draws WHERE voided_at IS NULL
                 ORDER BY row_order DESC LIMIT 1"
            ),
            &[],
        )?;
        row.as_ref().map(draw_row).transpose()
    }

    fn all(&mut self) -> StorageResult<Vec<DrawRow>> {
        let rows = self.query(
            &format!("SELECT {DRAW_COLUMNS} FROM lottery_draws ORDER BY row_order"),
            &[],
        )?;
        rows.iter().map(draw_row).collect()
    }

    fn get(&mut self, id: DrawId) -> StorageResult<Option<DrawRow>> {
        let row = self.query_opt(
            &format!("SELECT {DRAW_COLUMNS} FROM lottery_draws WHERE id = $1"),
            &[&id.to_string()],
        )?;
        row.as_ref().map(draw_row).transpose()
    }

    fn pools(&mut self, id: DrawId) -> StorageResult<Vec<DrawPoolRow>> {
        let rows = self.query(
            "SELECT pool_no, pool_id, name, delivery, carriers, quantity, reserves
             FROM lottery_draw_pools WHERE draw_id = $1 ORDER BY pool_no",
            &[&id.to_string()],
        )?;
        rows.iter()
            .map(|r| {
                let delivery: String = get(r, 3)?;
                let carriers: String = get(r, 4)?;
                let corrupt =
                    |what: String| StorageError::Corrupt(format!("lottery_draw_pools: {what}"));
                Ok(DrawPoolRow {
                    pool_no: col_u32(r, 0)?,
                    pool_id: col(r, 1)?,
                    name: get(r, 2)?,
                    delivery: Delivery::parse(&delivery)
                        .ok_or_else(|| corrupt(delivery.clone()))?,
                    carriers: parse_carriers(&carriers).ok_or_else(|| corrupt(carriers.clone()))?,
                    quantity: col_u32(r, 5)?,
                    reserves: col_u32(r, 6)?,
                })
            })
            .collect()
    }

    fn entries(&mut self, id: DrawId) -> StorageResult<Vec<DrawEntryRow>> {
        let rows = self.query(
            "SELECT pool_no, kind, rank, entry, win_id FROM lottery_draw_entries
             WHERE draw_id = $1 ORDER BY pool_no, kind DESC, rank",
            &[&id.to_string()],
        )?;
        rows.iter()
            .map(|r| {
                let kind: String = get(r, 1)?;
                Ok(DrawEntryRow {
                    pool_no: col_u32(r, 0)?,
                    reserve: kind == "reserve",
                    rank: col_u32(r, 2)?,
                    entry: col_u32(r, 3)?,
                    win_id: col_opt(r, 4)?,
                })
            })
            .collect()
    }

    fn void(&mut self, id: DrawId, voided: &Voided) -> StorageResult<()> {
        self.execute(
            "UPDATE lottery_draws SET voided_at = $2, voided_by = $3, void_reason = $4
             WHERE id = $1 AND voided_at IS NULL",
            &[&id.to_string(), &voided.at, &voided.by, &voided.reason],
        )?;
        Ok(())
    }

    fn promote(&mut self, id: DrawId, pool_no: u32, rank: u32, win: WinId) -> StorageResult<()> {
        self.execute(
            "UPDATE lottery_draw_entries SET win_id = $4
             WHERE draw_id = $1 AND pool_no = $2 AND kind = 'reserve' AND rank = $3",
            &[
                &id.to_string(),
                &i64::from(pool_no),
                &i64::from(rank),
                &win.to_string(),
            ],
        )?;
        Ok(())
    }
}
