//! `assessment_rules` and `commendations`.

use chrono::{DateTime, Utc};
use fieldpost_domain::{CampaignId, ItemId};

use super::{PgTx, col, col_u32, col_u64, get};
use crate::assessment::{AssessmentRules, Award, Commendation};
use crate::storage::{AssessmentTable, StorageError, StorageResult};

impl AssessmentTable for PgTx<'_> {
    fn rules(&mut self, campaign: CampaignId) -> StorageResult<Option<AssessmentRules>> {
        let row = self.query_opt(
            "SELECT pass_percent::int8, min_per_gift_hundredths::int8, organizing_awards::int8,
                    supporting_awards::int8, updated_at, updated_by
               FROM assessment_rules WHERE campaign_id = $1",
            &[&campaign.to_string()],
        )?;
        row.map(|r| {
            Ok(AssessmentRules {
                pass_percent: col_u32(&r, 0)?,
                min_per_gift_hundredths: col_u32(&r, 1)?,
                organizing_awards: col_u32(&r, 2)?,
                supporting_awards: col_u32(&r, 3)?,
                updated_at: Some(get::<DateTime<Utc>>(&r, 4)?),
                updated_by: Some(get(&r, 5)?),
            })
        })
        .transpose()
    }

    fn put_rules(&mut self, campaign: CampaignId, r: &AssessmentRules) -> StorageResult<()> {
        let (Some(at), Some(by)) = (r.updated_at, r.updated_by.as_deref()) else {
            return Err(StorageError::Corrupt("rules without who and when".into()));
        };
        let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        self.execute(
            "INSERT INTO assessment_rules (campaign_id, pass_percent, min_per_gift_hundredths,
                 organizing_awards, supporting_awards, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (campaign_id) DO UPDATE SET
                 pass_percent = excluded.pass_percent,
                 min_per_gift_hundredths = excluded.min_per_gift_hundredths,
                 organizing_awards = excluded.organizing_awards,
                 supporting_awards = excluded.supporting_awards,
                 updated_at = excluded.updated_at,
                 updated_by = excluded.updated_by",
            &[
                &campaign.to_string(),
                &n(r.pass_percent),
                &n(r.min_per_gift_hundredths),
                &n(r.organizing_awards),
                &n(r.supporting_awards),
                &at,
                &by,
            ],
        )?;
        Ok(())
    }

    fn commendations(&mut self, campaign: CampaignId) -> StorageResult<Vec<Commendation>> {
        let rows = self.query(
            "SELECT award, unit_id, position::int8, confirmed_at, confirmed_by FROM commendations
              WHERE campaign_id = $1 ORDER BY award, position",
            &[&campaign.to_string()],
        )?;
        rows.iter()
            .map(|r| {
                let award: String = get(r, 0)?;
                Ok(Commendation {
                    award: Award::parse(&award).ok_or_else(|| {
                        StorageError::Corrupt(format!("commendation award {award}"))
                    })?,
                    unit_id: col(r, 1)?,
                    position: col_u32(r, 2)?,
                    confirmed_at: get::<DateTime<Utc>>(r, 3)?,
                    confirmed_by: get(r, 4)?,
                })
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
        self.execute(
            "DELETE FROM commendations WHERE campaign_id = $1",
            &[&campaign.to_string()],
        )?;
        for c in list {
            let position = i32::try_from(c.position).unwrap_or(i32::MAX);
            self.execute(
                "INSERT INTO commendations (campaign_id, award, unit_id, position, confirmed_at,
                     confirmed_by) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &campaign.to_string(),
                    &c.award.as_str(),
                    &c.unit_id.to_string(),
                    &position,
                    &at,
                    &by,
                ],
            )?;
        }
        Ok(())
    }

    fn returned_by_item(&mut self) -> StorageResult<Vec<(ItemId, u64)>> {
        let rows = self.query(
            "SELECT item_id, COALESCE(SUM(quantity), 0)::int8 FROM stock_ledger
              WHERE kind = 'return' GROUP BY item_id",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((col(r, 0)?, col_u64(r, 1)?)))
            .collect()
    }
}
