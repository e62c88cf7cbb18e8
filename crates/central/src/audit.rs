//! Who did what: the actor every change names, and the audit log's lines.

use chrono::{DateTime, Utc};
use fieldpost_domain::DeviceId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// Who did something, as the audit log and the ledger record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A console user.
    User {
        /// The user's id.
        id: Uuid,
        /// The user's login name.
        username: String,
    },
    /// An enrolled device.
    Device(DeviceId),
    /// The server itself or its CLI (e.g. `demo`, `cli`).
    System(&'static str),
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::User { username, .. } => write!(f, "user:{username}"),
            Actor::Device(id) => write!(f, "device:{id}"),
            Actor::System(name) => write!(f, "system:{name}"),
        }
    }
}

/// One audit-log line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct AuditEntry {
    /// Position.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What, e.g. `plan.approve`.
    pub action: String,
    /// On what, e.g. the plan id.
    pub subject: Option<String>,
    /// The request's substance.
    pub detail: serde_json::Value,
}

/// An audit action's names, as people read it in the console and in the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionName {
    /// The code the log stores, e.g. `user.login_failed`.
    pub code: &'static str,
    /// Its Chinese name, e.g. 登录失败.
    pub zh: &'static str,
    /// Its English name.
    pub en: &'static str,
}

const fn name(code: &'static str, zh: &'static str, en: &'static str) -> ActionName {
    ActionName { code, zh, en }
}

/// Every action the central records, named: the one table the audit export and (through the
/// generated `AuditActionNames.ts`) the console's audit page read.
pub const ACTION_NAMES: &[ActionName] = &[
    name("user.login", "登录", "Login"),
    name("user.login_failed", "登录失败", "Failed login"),
    name(
        "user.login_locked",
        "登录锁定（失败次数过多）",
        "Login locked (too many failures)",
    ),
    name("user.create", "新建账号", "Account created"),
    name("user.update", "修改角色/单位", "Role/unit changed"),
    name("user.disable", "停用账号", "Account disabled"),
    name("user.enable", "启用账号", "Account enabled"),
    name("user.password_reset", "重置密码", "Password reset"),
    name("campaign.put", "修改活动设置", "Campaign settings changed"),
    name("section.create", "新建版块", "Section created"),
    name("unit.create", "新建单位", "Unit created"),
    name("unit.update", "修改单位", "Unit changed"),
    name("units.import", "导入任务表", "Task table imported"),
    name("unit.link_add", "添加问卷链接", "Survey link added"),
    name("unit.link_remove", "删除问卷链接", "Survey link removed"),
    name("item.create", "新建物资", "Item created"),
    name("item.update", "修改物资", "Item changed"),
    name("stock.receive", "物资入库", "Stock received"),
    name("stock.write_off", "物资报损", "Stock written off"),
    name("plan.file", "提交活动方案", "Plan filed"),
    name("plan.revise", "修改活动方案", "Plan revised"),
    name("plan.approve", "批准活动方案", "Plan approved"),
    name("plan.reject", "退回活动方案", "Plan rejected"),
    name("plan.close", "结束活动", "Plan closed"),
    name("plan.allocate", "追加物资分配", "Allocation added"),
    name("plan.return", "物资退回库存", "Gifts returned to stock"),
    name("plan.grant", "分配设备配额", "Device grant"),
    name("plan.release", "退回设备配额", "Device grant given back"),
    name("top_up.fulfil", "补发物资", "Top-up fulfilled"),
    name("top_up.decline", "拒绝补发申请", "Top-up declined"),
    name(
        "device.enrollment_code",
        "生成设备注册码",
        "Enrollment code made",
    ),
    name("device.enroll", "设备注册", "Device enrolled"),
    name("device.revoke", "停用设备", "Device revoked"),
    name("sync.push", "平板同步", "Tablet sync"),
    name(
        "sync.clock_off",
        "平板时钟偏差（时间已按中心校正）",
        "Tablet clock off (times corrected to the central's)",
    ),
    name("counts.import", "导入采集量", "Counts imported"),
    name("bulletin.publish", "发布采集数据通报", "Bulletin published"),
    name(
        "assessment.rules",
        "修改考核标准",
        "Assessment thresholds set",
    ),
    name(
        "commendations.confirm",
        "确认表彰名单",
        "Commendations confirmed",
    ),
    name("lottery.terms", "修改抽奖规则", "Lottery terms saved"),
    name("lottery.retention", "抽奖号码保留期", "Lottery retention"),
    name("lottery.close", "结束抽奖", "Lottery closed"),
    name("lottery.key", "生成抽奖密钥", "Lottery key made"),
    name(
        "lottery.seal_legacy",
        "封存旧版号码",
        "Legacy numbers sealed",
    ),
    name("lottery.pool.create", "新建奖池", "Prize pool created"),
    name("lottery.pool.update", "修改奖池", "Prize pool changed"),
    name("lottery.list.freeze", "锁定抽奖名单", "Entrant list frozen"),
    name("lottery.draw", "抽奖", "Draw"),
    name("lottery.draw.void", "作废抽奖结果", "Draw voided"),
    name("lottery.win.state", "更新中奖状态", "Win state changed"),
    name("lottery.win.handover", "现场领取奖品", "Prize handed over"),
    name(
        "lottery.win.promote",
        "候补递补中奖",
        "Reserve promoted to a given-up prize",
    ),
    name(
        "lottery.carrier.download",
        "运营商下载中奖名单",
        "Carrier downloaded winners",
    ),
    name(
        "lottery.carrier.returns",
        "运营商回传发放结果",
        "Carrier returns applied",
    ),
];

/// The names of `action`, when it has them (an action added since shows as its code).
pub fn action_name(action: &str) -> Option<&'static ActionName> {
    ACTION_NAMES.iter().find(|n| n.code == action)
}

/// The newest lines of the audit log first.
pub fn latest(
    db: &dyn crate::storage::Database,
    limit: u32,
) -> Result<Vec<AuditEntry>, crate::storage::StorageError> {
    crate::storage::read(db, |tx| tx.audit_log().latest(limit))
}

/// Which audit-log lines to read: every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct AuditFilter {
    /// The action, exactly (`user.login`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub action: Option<String>,
    /// Part of the actor's name (`admin` finds `user:admin`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub actor: Option<String>,
    /// At or after this time.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub to: Option<DateTime<Utc>>,
    /// Lines older than this position only: the last `seq` of the previous page.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub before: Option<i64>,
}

/// At most `limit` lines that pass `filter`, newest first. The next (older) page passes the
/// last line's `seq` as [`AuditFilter::before`].
pub fn find(
    db: &dyn crate::storage::Database,
    filter: &AuditFilter,
    limit: u32,
) -> Result<Vec<AuditEntry>, crate::storage::StorageError> {
    crate::storage::read(db, |tx| tx.audit_log().find(filter, limit.max(1)))
}

/// Every action the log names, for choosing one.
pub fn actions(
    db: &dyn crate::storage::Database,
) -> Result<Vec<String>, crate::storage::StorageError> {
    crate::storage::read(db, |tx| tx.audit_log().actions())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_named_once_in_both_languages() {
        let mut codes: Vec<_> = ACTION_NAMES.iter().map(|n| n.code).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(
            codes.len(),
            before,
            "an action named twice would show two names"
        );
        for n in ACTION_NAMES {
            assert!(
                !n.zh.is_empty() && !n.en.is_empty(),
                "{} has both names",
                n.code
            );
            assert!(
                !n.zh.is_ascii(),
                "{}: the Chinese name is Chinese ({})",
                n.code,
                n.zh
            );
        }
        assert_eq!(
            action_name("user.login_failed").map(|n| n.zh),
            Some("登录失败")
        );
        assert_eq!(
            action_name("no.such"),
            None,
            "unknown actions show their code"
        );
    }

    /// Every action string the central and the server write into the log (a literal such as
    /// `"lottery.win.promote"` in their sources) has its names: one added without them would
    /// show as its bare code on the 操作日志 page and in the export.
    #[test]
    fn every_action_the_sources_record_has_its_names() {
        const KINDS: &[&str] = &[
            "user",
            "campaign",
            "section",
            "unit",
            "units",
            "item",
            "stock",
            "plan",
            "top_up",
            "device",
            "sync",
            "counts",
            "bulletin",
            "assessment",
            "commendations",
            "lottery",
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("src"), root.join("../server/src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.ends_with("storage") {
                    // SQL: its `units.survey_link` are columns, not actions.
                    continue;
                } else if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 20, "the sources were found: {files:?}");
        let mut seen = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let Some((kind, rest)) = literal.split_once('.') else {
                    continue;
                };
                let word = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                };
                if !KINDS.contains(&kind) || !word(rest) || rest.ends_with("xlsx") {
                    continue;
                }
                seen += 1;
                assert!(
                    action_name(literal).is_some(),
                    "{literal} (in {}) is recorded but has no name in ACTION_NAMES",
                    file.display()
                );
            }
        }
        assert!(seen > 40, "the actions were found in the sources: {seen}");
    }
}
