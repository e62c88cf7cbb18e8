//! `lottery_lists` and `lottery_list_entries`: the frozen list as published (its text and
//! digest), and which entrant holds each entry number.

use fieldpost_domain::{CampaignId, Carrier};
use uuid::Uuid;

use super::{PgTx, col, col_u32, get};
use crate::storage::draw::{ListRow, StoredList};
use crate::storage::{LotteryListTable, StorageError, StorageResult};

impl LotteryListTable for PgTx<'_> {
    fn current(&mut self) -> StorageResult<Option<StoredList>> {
        let row = self.query_opt(
            "SELECT id, frozen_at, frozen_by, digest, text, entries FROM lottery_lists
             ORDER BY frozen_at LIMIT 1",
            &[],
        )?;
        row.map(|r| {
            Ok(StoredList {
                id: col(&r, 0)?,
                frozen_at: get(&r, 1)?,
                frozen_by: get(&r, 2)?,
                digest: get(&r, 3)?,
                text: get(&r, 4)?,
                entries: col_u32(&r, 5)?,
            })
        })
        .transpose()
    }

    fn insert(
        &mut self,
        campaign: CampaignId,
        list: &StoredList,
        rows: &[ListRow],
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO lottery_lists (id, campaign_id, frozen_at, frozen_by, digest, text,
                 entries)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &list.id.to_string(),
                &campaign.to_string(),
                &list.frozen_at,
                &list.frozen_by,
                &list.digest,
                &list.text,
                &i64::from(list.entries),
            ],
        )?;
        // One statement for the whole list: it may hold tens of thousands of entrants.
        let entries: Vec<i64> = rows.iter().map(|r| i64::from(r.entry)).collect();
        let entrants: Vec<String> = rows.iter().map(|r| r.entrant_id.to_string()).collect();
        let units: Vec<String> = rows.iter().map(|r| r.unit_id.to_string()).collect();
        let masked: Vec<&str> = rows.iter().map(|r| r.masked_phone.as_str()).collect();
        let carriers: Vec<&str> = rows.iter().map(|r| r.carrier.code()).collect();
        self.execute(
            "INSERT INTO lottery_list_entries (list_id, entry, entrant_id, unit_id, masked_phone,
                 carrier)
             SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[],
                 $6::text[])",
            &[
                &list.id.to_string(),
                &entries,
                &entrants,
                &units,
                &masked,
                &carriers,
            ],
        )?;
        Ok(())
    }

    fn rows(&mut self, list: Uuid) -> StorageResult<Vec<ListRow>> {
        self.list_rows(list, None)
    }

    fn rows_of(&mut self, list: Uuid, entries: &[u32]) -> StorageResult<Vec<ListRow>> {
        self.list_rows(list, Some(entries))
    }
}

impl PgTx<'_> {
    /// A list's entries, all or those numbered in `only`.
    fn list_rows(&mut self, list: Uuid, only: Option<&[u32]>) -> StorageResult<Vec<ListRow>> {
        let only: Option<Vec<i64>> = only.map(|e| e.iter().map(|&n| i64::from(n)).collect());
        let rows = self.query(
            "SELECT entry, entrant_id, unit_id, masked_phone, carrier FROM lottery_list_entries
             WHERE list_id = $1 AND ($2::bigint[] IS NULL OR entry = ANY($2))
             ORDER BY entry",
            &[&list.to_string(), &only],
        )?;
        rows.iter()
            .map(|r| {
                let carrier: String = get(r, 4)?;
                Ok(ListRow {
                    entry: col_u32(r, 0)?,
                    entrant_id: col(r, 1)?,
                    unit_id: col(r, 2)?,
                    masked_phone: get(r, 3)?,
                    carrier: Carrier::from_code(&carrier).ok_or_else(|| {
                        StorageError::Corrupt(format!("lottery_list_entries: carrier {carrier}"))
                    })?,
                })
            })
            .collect()
    }
}
