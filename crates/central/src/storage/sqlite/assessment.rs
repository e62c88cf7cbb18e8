//! `assessment_rules` and `commendations`.

use chrono::{DateTime, Utc};
use fieldpost_domain::{CampaignId, ItemId};
use rusqlite::{OptionalExtension, params};

use super::{SqliteTx, col, col_ts, col_u32, col_u64, ts};
use crate::assessment::{AssessmentRules, Award, Commendation};
use crate::storage::{AssessmentTable, StorageError, StorageResult};

impl AssessmentTable for SqliteTx<'_> {
    fn rules(&mut self, campaign: CampaignId) -> StorageResult<Option<AssessmentRules>> {
        Ok(self
            .conn
            .query_row(
                "SELECT pass_percent, min_per_gift_hundredths, organizing_awards,
                        supporting_awards, updated_at, updated_by
                   FROM assessment_rules WHERE campaign_id = ?1",
                [campaign.to_string()],
                |r| {
                    Ok(AssessmentRules {
                        pass_percent: col_u32(r, 0)?,
                        min_per_gift_hundredths: col_u32(r, 1)?,
                        organizing_awards: col_u32(r, 2)?,
                        supporting_awards: col_u32(r, 3)?,
                        updated_at: Some(col_ts(r, 4)?),
                        updated_by: Some(r.get(5)?),
                    })
                },
            )
            .optional()?)
    }

    fn put_rules(&mut self, campaign: CampaignId, r: &AssessmentRules) -> StorageResult<()> {
        let (Some(at), Some(by)) = (r.updated_at, r.updated_by.as_deref()) else {
            return Err(StorageError::Corrupt("rules without who and when".into()));
        };
        self.conn.execute(
            "INSERT INTO assessment_rules (campaign_id, pass_percent, min_per_gift_hundredths,
                 organizing_awards, supporting_awards, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (campaign_id) DO UPDATE SET
                 pass_percent = excluded.pass_percent,
                 min_per_gift_hundredths = excluded.min_per_gift_hundredths,
                 organizing_awards = excluded.organizing_awards,
                 supporting_awards = excluded.supporting_awards,
                 updated_at = excluded.updated_at,
                 updated_by = excluded.updated_by",
            params![
                campaign.to_string(),
                r.pass_percent,
                r.min_per_gift_hundredths,
                r.organizing_awards,
                r.supporting_awards,
                ts(at),
                by
            ],
        )?;
        Ok(())
    }

    fn commendations(&mut self, campaign: CampaignId) -> StorageResult<Vec<Commendation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT award, unit_id, position, confirmed_at, confirmed_by FROM commendations
              WHERE campaign_id = ?1 ORDER BY award, position",
        )?;
        let rows = stmt.query_map([campaign.to_string()], |r| {
            let award: String = r.get(0)?;
            Ok((
                award,
                Commendation {
                    award: Award::Organizing,
                    unit_id: col(r, 1)?,
                    position: col_u32(r, 2)?,
                    confirmed_at: col_ts(r, 3)?,
                    confirmed_by: r.get(4)?,
                },
            ))
        })?;
        rows.map(|row| {
            let (award, mut c) = row?;
            c.award = Award::parse(&award)
                .ok_or_else(|| StorageError::Corrupt(format!("commendation award {award}")))?;
            Ok(c)
        })
        .collect()
    }

    fn replace_commendations(
        &mut self,
        campaign: CampaignId,
        list: &[Commendation],
        at: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()> {
        self.conn.execute(
            "DELETE FROM commendations WHERE campaign_id = ?1",
            [campaign.to_string()],
        )?;
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO commendations (campaign_id, award, unit_id, position, confirmed_at,
                 confirmed_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for c in list {
            stmt.execute(params![
                campaign.to_string(),
                c.award.as_str(),
                c.unit_id.to_string(),
                c.position,
                ts(at),
                by
            ])?;
        }
        Ok(())
    }

    fn returned_by_item(&mut self) -> StorageResult<Vec<(ItemId, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT item_id, COALESCE(SUM(quantity), 0) FROM stock_ledger
              WHERE kind = 'return' GROUP BY item_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((col(r, 0)?, col_u64(r, 1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
