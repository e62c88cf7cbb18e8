//! `lottery_lists` and `lottery_list_entries`: the frozen list as published (its text and
//! digest), and which entrant holds each entry number.

use fieldpost_domain::{CampaignId, Carrier};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::{SqliteTx, col, col_ts, col_u32, conversion_text, ts};
use crate::storage::draw::{ListRow, StoredList};
use crate::storage::{LotteryListTable, StorageResult};

impl LotteryListTable for SqliteTx<'_> {
    fn current(&mut self) -> StorageResult<Option<StoredList>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, frozen_at, frozen_by, digest, text, entries FROM lottery_lists
                 ORDER BY rowid LIMIT 1",
                [],
                |r| {
                    Ok(StoredList {
                        id: col(r, 0)?,
                        frozen_at: col_ts(r, 1)?,
                        frozen_by: r.get(2)?,
                        digest: r.get(3)?,
                        text: r.get(4)?,
                        entries: col_u32(r, 5)?,
                    })
                },
            )
            .optional()?)
    }

    fn insert(
        &mut self,
        campaign: CampaignId,
        list: &StoredList,
        rows: &[ListRow],
    ) -> StorageResult<()> {
        self.conn.execute(
            "INSERT INTO lottery_lists (id, campaign_id, frozen_at, frozen_by, digest, text,
                 entries)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                list.id.to_string(),
                campaign.to_string(),
                ts(list.frozen_at),
                list.frozen_by,
                list.digest,
                list.text,
                list.entries
            ],
        )?;
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO lottery_list_entries (list_id, entry, entrant_id, unit_id, masked_phone,
                 carrier)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for row in rows {
            stmt.execute(params![
                list.id.to_string(),
                row.entry,
                row.entrant_id.to_string(),
                row.unit_id.to_string(),
                row.masked_phone,
                row.carrier.code()
            ])?;
        }
        Ok(())
    }

    fn rows(&mut self, list: Uuid) -> StorageResult<Vec<ListRow>> {
        self.list_rows(list, None)
    }

    fn rows_of(&mut self, list: Uuid, entries: &[u32]) -> StorageResult<Vec<ListRow>> {
        self.list_rows(list, Some(entries))
    }
}

impl SqliteTx<'_> {
    /// A list's entries, all or those numbered in `only` (passed as a JSON array).
    fn list_rows(&mut self, list: Uuid, only: Option<&[u32]>) -> StorageResult<Vec<ListRow>> {
        let only = only.map(|e| serde_json::Value::from(e.to_vec()).to_string());
        let mut stmt = self.conn.prepare_cached(
            "SELECT entry, entrant_id, unit_id, masked_phone, carrier FROM lottery_list_entries
             WHERE list_id = ?1
               AND (?2 IS NULL OR entry IN (SELECT value FROM json_each(?2)))
             ORDER BY entry",
        )?;
        let rows = stmt.query_map(params![list.to_string(), only], |r| {
            let carrier: String = r.get(4)?;
            Ok(ListRow {
                entry: col_u32(r, 0)?,
                entrant_id: col(r, 1)?,
                unit_id: col(r, 2)?,
                masked_phone: r.get(3)?,
                carrier: Carrier::from_code(&carrier).ok_or_else(|| conversion_text(4, carrier))?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
