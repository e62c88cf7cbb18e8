//! The unit task table (采集任务分解及链接入口表): per row a unit, its section, its quota
//! (采集任务), its exclusive link (专属链接) and a contact.

use std::collections::HashMap;

use fieldpost_domain::{Section, SectionId, Unit, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::RowIssueCode;
use super::header::Field;
use super::parse::{name_key, read_count, valid_link};
use super::preview::{Preview, preview_rows};
use super::{ImportKind, Table};

/// What a task-table row will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    /// A new unit.
    Create,
    /// An existing unit changes.
    Update,
    /// An existing unit, already as the row says.
    Unchanged,
}

/// A good row of the task table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct TaskRow {
    /// The spreadsheet row number.
    pub row: u32,
    /// The unit's name.
    pub unit: String,
    /// The existing unit of that name.
    pub unit_id: Option<UnitId>,
    /// The section's name (blank keeps an existing unit's section).
    pub section: Option<String>,
    /// 采集任务.
    pub quota: u32,
    /// 专属链接.
    pub link: String,
    /// 联系人.
    pub contact: Option<String>,
    /// What applying it does.
    pub action: RowAction,
}

/// Checks a task table against the stored units and sections. Every row is checked, so the
/// preview lists every problem at once (up to its listing limit): a missing, negative,
/// fractional or non-numeric quota, a duplicate unit, a
/// malformed or duplicate link, a link another unit already has, a new unit without a section.
pub fn preview_task_table(table: &Table, units: &[Unit], sections: &[Section]) -> Preview<TaskRow> {
    let by_name: HashMap<String, &Unit> = units.iter().map(|u| (name_key(&u.name), u)).collect();
    let by_link: HashMap<&str, &Unit> = units.iter().map(|u| (u.survey_link.as_str(), u)).collect();
    let section_names: HashMap<SectionId, &str> =
        sections.iter().map(|s| (s.id, s.name.as_str())).collect();
    let mut first_row_of_unit: HashMap<String, u32> = HashMap::new();
    let mut first_row_of_link: HashMap<String, u32> = HashMap::new();
    preview_rows(table, ImportKind::TaskTable, None, |p, r| {
        let (name, name_col) = r.cell(Field::Unit);
        let before = p.error_count;
        if name.is_empty() {
            p.report(r.issue(
                name_col.clone(),
                Field::Unit,
                name,
                RowIssueCode::MissingValue,
                "the unit's name is missing".into(),
            ));
        }
        let key = name_key(name);
        if !name.is_empty() {
            if let Some(first) = first_row_of_unit.get(&key) {
                p.report(r.issue(
                    name_col.clone(),
                    Field::Unit,
                    name,
                    RowIssueCode::DuplicateUnit,
                    format!("{name} is already listed on row {first}"),
                ));
            } else {
                first_row_of_unit.insert(key.clone(), r.row.number);
            }
        }
        let existing = by_name.get(&key).copied();
        let (quota_text, quota_col) = r.cell(Field::Quota);
        let quota = match read_count(quota_text) {
            Ok(q) => Some(q),
            Err(e) => {
                p.report(r.count_issue(
                    quota_col,
                    Field::Quota,
                    quota_text,
                    e,
                    "the quota (采集任务)",
                ));
                None
            }
        };
        let (link, link_col) = r.cell(Field::Link);
        if link.is_empty() {
            p.report(r.issue(
                link_col,
                Field::Link,
                link,
                RowIssueCode::MissingValue,
                "the exclusive link (专属链接) is missing".into(),
            ));
        } else if !valid_link(link) {
            p.report(r.issue(
                link_col,
                Field::Link,
                link,
                RowIssueCode::MalformedLink,
                format!("{link:?} is not a web link (http:// or https://)"),
            ));
        } else if let Some(first) = first_row_of_link.get(link) {
            p.report(r.issue(
                link_col,
                Field::Link,
                link,
                RowIssueCode::DuplicateLink,
                format!("the same link is on row {first}"),
            ));
        } else {
            first_row_of_link.insert(link.to_owned(), r.row.number);
            if let Some(owner) = by_link.get(link)
                && existing.is_none_or(|e| e.id != owner.id)
            {
                p.report(r.issue(
                    link_col,
                    Field::Link,
                    link,
                    RowIssueCode::LinkTaken,
                    format!("the link already belongs to {}", owner.name),
                ));
            }
        }
        let (section, section_col) = r.cell(Field::Section);
        if section.is_empty() && existing.is_none() && !name.is_empty() {
            p.report(r.issue(
                section_col,
                Field::Section,
                section,
                RowIssueCode::MissingSection,
                format!("{name} is a new unit: name its section (版块)"),
            ));
        }
        let contact = r.joined(Field::Contact);
        if p.error_count > before {
            return;
        }
        let Some(quota) = quota else { return };
        let section = Some(section.to_owned()).filter(|s| !s.is_empty());
        let contact = Some(contact).filter(|s| !s.is_empty());
        let action = match existing {
            None => RowAction::Create,
            Some(u) => {
                let same_section = section
                    .as_deref()
                    .is_none_or(|s| section_names.get(&u.section_id) == Some(&s));
                let same_contact = contact.is_none() || contact == u.contact;
                if u.quota == quota && u.survey_link == link && same_section && same_contact {
                    RowAction::Unchanged
                } else {
                    RowAction::Update
                }
            }
        };
        p.rows.push(TaskRow {
            row: r.row.number,
            unit: name.to_owned(),
            unit_id: existing.map(|u| u.id),
            section,
            quota,
            link: link.to_owned(),
            contact,
            action,
        });
    })
}
