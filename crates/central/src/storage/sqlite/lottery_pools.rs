//! `lottery_pools`: the prize pools, in their published draw order.

use chrono::{DateTime, Utc};
use fieldpost_domain::{CampaignId, Carrier, ItemId, PoolId};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_u32, conversion_text, ts};
use crate::draw::{Delivery, Pool, PoolInput, carriers_text, parse_carriers};
use crate::storage::{LotteryPoolTable, StorageResult};

const POOL_COLUMNS: &str =
    "id, name, item_id, quantity, reserves, carriers, delivery, delivered_by, position";

fn pool_row(r: &Row<'_>) -> rusqlite::Result<Pool> {
    let carriers: String = r.get(5)?;
    let delivery: String = r.get(6)?;
    let delivered_by: Option<String> = r.get(7)?;
    Ok(Pool {
        id: col(r, 0)?,
        spec: PoolInput {
            name: r.get(1)?,
            item_id: col(r, 2)?,
            quantity: col_u32(r, 3)?,
            reserves: col_u32(r, 4)?,
            carriers: parse_carriers(&carriers)
                .ok_or_else(|| conversion_text(5, format!("carriers {carriers}")))?,
            delivery: Delivery::parse(&delivery)
                .ok_or_else(|| conversion_text(6, format!("delivery {delivery}")))?,
            delivered_by: delivered_by
                .map(|c| Carrier::from_code(&c).ok_or_else(|| conversion_text(7, c)))
                .transpose()?,
            position: col_u32(r, 8)?,
        },
    })
}

impl LotteryPoolTable for SqliteTx<'_> {
    fn all(&mut self) -> StorageResult<Vec<Pool>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {POOL_COLUMNS} FROM lottery_pools ORDER BY position, rowid"
        ))?;
        let rows = stmt.query_map([], pool_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn get(&mut self, id: PoolId) -> StorageResult<Option<Pool>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {POOL_COLUMNS} FROM lottery_pools WHERE id = ?1"),
                [id.to_string()],
                pool_row,
            )
            .optional()?)
    }

    fn insert(
        &mut self,
        campaign: CampaignId,
        pool: &Pool,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        let p = &pool.spec;
        self.conn.execute(
            &format!(
                "INSERT INTO lottery_pools ({POOL_COLUMNS}, campaign_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)"
            ),
            params![
                pool.id.to_string(),
                p.name,
                p.item_id.to_string(),
                p.quantity,
                p.reserves,
                carriers_text(&p.carriers),
                p.delivery.as_str(),
                p.delivered_by.map(|c| c.code()),
                p.position,
                campaign.to_string(),
                ts(now)
            ],
        )?;
        Ok(())
    }

    fn update(&mut self, pool: &Pool, now: DateTime<Utc>) -> StorageResult<()> {
        let p = &pool.spec;
        self.conn.execute(
            "UPDATE lottery_pools SET name = ?2, item_id = ?3, quantity = ?4, reserves = ?5,
                 carriers = ?6, delivery = ?7, delivered_by = ?8, position = ?9,
                 updated_at = ?10
             WHERE id = ?1",
            params![
                pool.id.to_string(),
                p.name,
                p.item_id.to_string(),
                p.quantity,
                p.reserves,
                carriers_text(&p.carriers),
                p.delivery.as_str(),
                p.delivered_by.map(|c| c.code()),
                p.position,
                ts(now)
            ],
        )?;
        Ok(())
    }

    fn pooled(&mut self, item: ItemId, except: Option<PoolId>) -> StorageResult<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COALESCE(SUM(quantity), 0) FROM lottery_pools
             WHERE item_id = ?1 AND (?2 IS NULL OR id <> ?2)",
            params![item.to_string(), except.map(|p| p.to_string())],
            |r| r.get(0),
        )?;
        Ok(n.unsigned_abs())
    }

    fn promised(&mut self, item: ItemId) -> StorageResult<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COALESCE(SUM(MAX(p.quantity - (
                 SELECT COUNT(*) FROM lottery_wins w
                 WHERE w.pool_id = p.id AND w.voided = 0 AND w.state = 'delivered'), 0)), 0)
             FROM lottery_pools p WHERE p.item_id = ?1",
            [item.to_string()],
            |r| r.get(0),
        )?;
        Ok(n.unsigned_abs())
    }
}
