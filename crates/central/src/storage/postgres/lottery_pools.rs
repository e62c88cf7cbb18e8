//! `lottery_pools`: the prize pools, in their published draw order.

use chrono::{DateTime, Utc};
use fieldpost_domain::{CampaignId, Carrier, ItemId, PoolId};
use tokio_postgres::Row;

use super::{PgTx, col, col_u32, get};
use crate::draw::{Delivery, Pool, PoolInput, carriers_text, parse_carriers};
use crate::storage::{LotteryPoolTable, StorageError, StorageResult};

const POOL_COLUMNS: &str =
    "id, name, item_id, quantity, reserves, carriers, delivery, delivered_by, position";

fn pool_row(r: &Row) -> StorageResult<Pool> {
    let carriers: String = get(r, 5)?;
    let delivery: String = get(r, 6)?;
    let delivered_by: Option<String> = get(r, 7)?;
    let corrupt = |what: String| StorageError::Corrupt(format!("lottery_pools: {what}"));
    Ok(Pool {
        id: col(r, 0)?,
        spec: PoolInput {
            name: get(r, 1)?,
            item_id: col(r, 2)?,
            quantity: col_u32(r, 3)?,
            reserves: col_u32(r, 4)?,
            carriers: parse_carriers(&carriers)
                .ok_or_else(|| corrupt(format!("carriers {carriers}")))?,
            delivery: Delivery::parse(&delivery)
                .ok_or_else(|| corrupt(format!("delivery {delivery}")))?,
            delivered_by: delivered_by
                .map(|c| Carrier::from_code(&c).ok_or_else(|| corrupt(format!("carrier {c}"))))
                .transpose()?,
            position: col_u32(r, 8)?,
        },
    })
}

impl LotteryPoolTable for PgTx<'_> {
    fn all(&mut self) -> StorageResult<Vec<Pool>> {
        let rows = self.query(
            &format!("SELECT {POOL_COLUMNS} FROM lottery_pools ORDER BY position, row_order"),
            &[],
        )?;
        rows.iter().map(pool_row).collect()
    }

    fn get(&mut self, id: PoolId) -> StorageResult<Option<Pool>> {
        let row = self.query_opt(
            &format!("SELECT {POOL_COLUMNS} FROM lottery_pools WHERE id = $1"),
            &[&id.to_string()],
        )?;
        row.as_ref().map(pool_row).transpose()
    }

    fn insert(
        &mut self,
        campaign: CampaignId,
        pool: &Pool,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        let p = &pool.spec;
        self.execute(
            &format!(
                "INSERT INTO lottery_pools ({POOL_COLUMNS}, campaign_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)"
            ),
            &[
                &pool.id.to_string(),
                &p.name,
                &p.item_id.to_string(),
                &i64::from(p.quantity),
                &i64::from(p.reserves),
                &carriers_text(&p.carriers),
                &p.delivery.as_str(),
                &p.delivered_by.map(|c| c.code()),
                &i64::from(p.position),
                &campaign.to_string(),
                &now,
            ],
        )?;
        Ok(())
    }

    fn update(&mut self, pool: &Pool, now: DateTime<Utc>) -> StorageResult<()> {
        let p = &pool.spec;
        self.execute(
            "UPDATE lottery_pools SET name = $2, item_id = $3, quantity = $4, reserves = $5,
                 carriers = $6, delivery = $7, delivered_by = $8, position = $9,
                 updated_at = $10
             WHERE id = $1",
            &[
                &pool.id.to_string(),
                &p.name,
                &p.item_id.to_string(),
                &i64::from(p.quantity),
                &i64::from(p.reserves),
                &carriers_text(&p.carriers),
                &p.delivery.as_str(),
                &p.delivered_by.map(|c| c.code()),
                &i64::from(p.position),
                &now,
            ],
        )?;
        Ok(())
    }

    fn pooled(&mut self, item: ItemId, except: Option<PoolId>) -> StorageResult<u64> {
        let row = self.query_one(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS bigint) FROM lottery_pools
             WHERE item_id = $1 AND ($2::text IS NULL OR id <> $2)",
            &[&item.to_string(), &except.map(|p| p.to_string())],
        )?;
        let n: i64 = get(&row, 0)?;
        Ok(n.unsigned_abs())
    }

    fn promised(&mut self, item: ItemId) -> StorageResult<u64> {
        let row = self.query_one(
            "SELECT CAST(COALESCE(SUM(GREATEST(p.quantity - (
                 SELECT COUNT(*) FROM lottery_wins w
                 WHERE w.pool_id = p.id AND NOT w.voided AND w.state = 'delivered'), 0)), 0)
                 AS bigint)
             FROM lottery_pools p WHERE p.item_id = $1",
            &[&item.to_string()],
        )?;
        let n: i64 = get(&row, 0)?;
        Ok(n.unsigned_abs())
    }
}
