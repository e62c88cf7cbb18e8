//! The demo: the Jieyang 2022 campaign, seeded from the organizing plan
//! (`reference/jieyang-2022-organizing-plan.txt`).
//!
//! From the document: the windows (publicity 2022-07-08..08-02; collection 2022-08-03 09:00 to
//! 08-12 24:00, China time), the target (≥ 50,000), the guiding, initiating, supporting and
//! media units it names, the party and government departments it reports to, the new
//! 侨 / 志愿者 / 乡镇街道社区 sections, the 10,000 masks from 广东海鸥医疗器械股份有限公司 and
//! the three carriers' prizes.
//!
//! Illustrative, and said so in the campaign's note: the quotas (the real attachment 1,
//! 《各单位采集任务分解及链接入口表》, is not public; ours sum exactly to the target), the
//! township, school, hospital and bank units (the document names only the kinds), the number
//! of four-mascot kits (the document says 若干), the survey links, the plans and the daily
//! counts.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use fieldpost_domain::{
    ActivityPlan, Campaign, CampaignId, Item, ItemId, ItemKind, ItemQuantity, PlanId, PlanStatus,
    UnitId,
};

use crate::campaign::CampaignRecord;
use crate::plans::Approval;
use crate::records::DailyCount;
use crate::secrets::{hash_password, random_password};
use crate::seed::{CampaignBuilder, Seed, SeedError};
use crate::storage::{Database, StorageError};
use crate::users::Role;

/// The seed's marker: applied at most once per database.
pub const SEED_NAME: &str = "demo-jieyang-2022";
/// The demo admin's login name.
pub const ADMIN_USERNAME: &str = "admin";
/// Where `--demo` keeps the generated admin password (mode 0600), so that a restart can print
/// it again: a demo is run by one person on their own machine, and losing the first
/// terminal's output should not lock them out. Outside the demo the password is printed once
/// and never stored.
pub const PASSWORD_FILE: &str = "admin-password.txt";

/// The campaign's target of valid questionnaires (采集目标 ≥ 50000 份).
pub const TARGET: u32 = 50_000;

/// A section of the demo: (code, name, [(unit name, illustrative quota)]).
pub type DemoSection = (&'static str, &'static str, &'static [(&'static str, u32)]);

/// The demo's sections and units.
pub const UNITS: &[DemoSection] = &[
    (
        "guide",
        "指导单位",
        &[("揭阳市委网信办", 1_500), ("揭阳市公安局网警支队", 1_500)],
    ),
    (
        "initiator",
        "发起单位",
        &[
            ("揭阳网络空间安全协会", 2_000),
            ("揭阳市网络文化协会", 1_500),
        ],
    ),
    (
        "carrier",
        "运营商",
        &[
            ("中国电信股份有限公司揭阳分公司", 3_500),
            ("中国移动通信集团广东有限公司揭阳分公司", 3_500),
            ("中国联合网络通信有限公司揭阳分公司", 2_500),
        ],
    ),
    (
        "media",
        "媒体",
        &[("揭阳日报社", 1_500), ("揭阳电视台", 1_500)],
    ),
    (
        "government",
        "党政部门",
        &[
            ("揭阳市科学技术协会", 1_000),
            ("揭阳市市场监督管理局", 1_000),
            ("揭阳市政务服务数据管理局", 1_000),
            ("揭阳市教育局", 1_500),
            ("揭阳市卫生健康局", 1_000),
            ("揭阳市应急管理局", 800),
        ],
    ),
    ("qiao", "侨", &[("揭阳市侨联", 3_000)]),
    ("volunteer", "志愿者", &[("共青团揭阳市委员会", 4_000)]),
    (
        "township",
        "乡镇/街道/社区",
        &[
            ("榕城区榕华街道", 1_500),
            ("榕城区中山街道", 1_200),
            ("揭东区曲溪街道", 1_000),
            ("普宁市流沙东街道", 1_500),
            ("惠来县惠城镇", 1_000),
            ("揭西县河婆街道", 1_000),
        ],
    ),
    (
        "school",
        "学校",
        &[
            ("揭阳职业技术学院", 2_500),
            ("揭阳技师学院", 1_500),
            ("揭阳市卫生学校", 1_000),
        ],
    ),
    (
        "hospital",
        "医院",
        &[("揭阳市人民医院", 1_500), ("揭阳市中医院", 1_000)],
    ),
    (
        "bank",
        "银行",
        &[
            ("中国工商银行揭阳分行", 1_000),
            ("中国建设银行揭阳分行", 1_000),
            ("揭阳农村商业银行", 1_000),
        ],
    ),
];

/// (code, name, kind, counting word, donor, quantity received).
pub const ITEMS: &[(&str, &str, ItemKind, &str, &str, u32)] = &[
    (
        "mask",
        "医疗专用口罩",
        ItemKind::Gift,
        "只",
        "广东海鸥医疗器械股份有限公司",
        10_000,
    ),
    // 若干 in the document; 2,000 is illustrative.
    (
        "mascot_kit",
        "网安四宝宣传品",
        ItemKind::Gift,
        "份",
        "网民网络安全感满意度调查活动组委会",
        2_000,
    ),
    (
        "telecom_prize",
        "电信实物奖品",
        ItemKind::Prize,
        "份",
        "中国电信股份有限公司揭阳分公司",
        80,
    ),
    (
        "telecom_5g",
        "电信5G流量包",
        ItemKind::Prize,
        "份",
        "中国电信股份有限公司揭阳分公司",
        1_000,
    ),
    (
        "mobile_pack",
        "移动“1+1”礼包",
        ItemKind::Prize,
        "份",
        "中国移动通信集团广东有限公司揭阳分公司",
        1_000,
    ),
    (
        "unicom_card",
        "联通70G流量卡",
        ItemKind::Prize,
        "份",
        "中国联合网络通信有限公司揭阳分公司",
        1_000,
    ),
];

/// China Standard Time, UTC+8 (evaluated at compile time, so it cannot fail at run time).
const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// A China-time wall clock moment in UTC. Only called with the document's literal dates, all
/// valid, so the default (the epoch) is never reached; the seed test checks the windows.
fn cst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    CHINA
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// A literal calendar date (always valid here; see [`cst`]).
fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// What a demo start-up reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// Whether this start seeded the campaign (false on a restart).
    pub seeded: bool,
    /// The admin's login name.
    pub username: String,
    /// The admin's password, when the password file has it.
    pub password: Option<String>,
    /// The password file.
    pub password_file: PathBuf,
    /// The plan for today this start added for the demo unit, if it needed one.
    pub today_plan: Option<PlanId>,
}

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The seed was refused.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The password file could not be read or written.
    #[error("{path}: {source}")]
    PasswordFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Hashing the password failed.
    #[error("password hashing: {0}")]
    Hash(String),
    /// Today's plan was refused.
    #[error(transparent)]
    Plan(#[from] crate::plans::PlanError),
}

/// Builds the demo seed with an admin whose password hashes to `password_hash`.
pub fn seed(password_hash: String) -> Seed {
    let campaign_id = CampaignId::new();
    let campaign = CampaignRecord {
        campaign: Campaign {
            id: campaign_id,
            name: "2022 网民网络安全感满意度调查活动（揭阳站）".into(),
            city: "揭阳".into(),
            publicity_start: date(2022, 7, 8),
            publicity_end: date(2022, 8, 2),
            collection_start: cst(2022, 8, 3, 9, 0),
            // "8 月 12 日 24:00" is midnight at the start of 13 August.
            collection_end: cst(2022, 8, 13, 0, 0),
            target: TARGET,
        },
        note: Some(
            "演示数据：各单位采集任务为示意，合计等于采集目标 50000 份；真实的附件1《各单位采集任务\
             分解及链接入口表》未公开。Demo data: unit quotas are illustrative and sum to the \
             50,000 target; the real attachment 1 is not public."
                .into(),
        ),
    };
    let mut b = CampaignBuilder::new(SEED_NAME, campaign);
    b.lottery_terms(
        crate::lottery::DEFAULT_CONSENT_TEXT,
        crate::lottery::DEFAULT_CONSENT_VERSION,
    );
    let mut n = 0;
    for (code, name, members) in UNITS {
        let section = b.section(code, name);
        for (unit_name, quota) in *members {
            n += 1;
            b.unit(
                section,
                unit_name,
                *quota,
                &format!("https://survey.example/2022/jieyang/u{n:03}"),
            );
        }
    }
    let mut items = Vec::new();
    for (code, name, kind, label, donor, quantity) in ITEMS {
        let item = b.item(Item {
            id: ItemId::new(),
            code: (*code).into(),
            name: (*name).into(),
            kind: *kind,
            unit_label: (*label).into(),
            donor: Some((*donor).into()),
        });
        b.receive(item, *quantity, Some(format!("{donor} 捐赠")));
        items.push(item);
    }
    let units = b.seed().units.clone();
    let unit = |name: &str| units.iter().find(|u| u.name == name).map(|u| u.id);
    let (mask, kit) = (items[0], items[1]);
    let q = |item_id, quantity| ItemQuantity { item_id, quantity };
    let plan =
        |unit_id: UnitId, title: &str, location: &str, day: u32, people, requested| ActivityPlan {
            id: PlanId::new(),
            unit_id,
            title: title.into(),
            location: location.into(),
            starts_at: cst(2022, 8, day, 9, 0),
            ends_at: cst(2022, 8, day, 17, 0),
            expected_people: people,
            staff: "示例：3 名志愿者".into(),
            requested,
            status: PlanStatus::Submitted,
            allocation: Vec::new(),
            reject_reason: None,
            revision: 0,
        };
    let approved = [
        (
            "揭阳市侨联",
            "侨联进社区网络安全宣传站",
            "榕城区进贤门广场",
            6,
            500,
            (1_000, 200),
            (800, 150),
        ),
        (
            "共青团揭阳市委员会",
            "i志愿·网安联志愿服务站",
            "揭阳楼广场",
            4,
            800,
            (1_500, 300),
            (1_500, 300),
        ),
        (
            "揭阳职业技术学院",
            "校园网络安全感调查宣传站",
            "揭阳职业技术学院图书馆前",
            5,
            600,
            (1_000, 200),
            (1_000, 150),
        ),
    ];
    for (unit_name, title, location, day, people, asked, given) in approved {
        if let Some(u) = unit(unit_name) {
            b.plan(
                plan(
                    u,
                    title,
                    location,
                    day,
                    people,
                    vec![q(mask, asked.0), q(kit, asked.1)],
                ),
                Some(Approval {
                    allocation: vec![q(mask, given.0), q(kit, given.1)],
                    grants: None,
                }),
            );
        }
    }
    if let Some(u) = unit("揭阳市人民医院") {
        b.plan(
            plan(
                u,
                "门诊大厅宣传站",
                "揭阳市人民医院门诊大厅",
                8,
                400,
                vec![q(mask, 600)],
            ),
            None,
        );
    }

    // Illustrative daily counts for the first four collection days: 4–12 % of quota a day.
    let mut counts = Vec::new();
    for (i, u) in (0u32..).zip(&units) {
        for d in 0u32..4 {
            let percent = 4 + (i * 37 + d * 11) % 9;
            counts.push(DailyCount {
                unit_id: u.id,
                day: date(2022, 8, 3 + d),
                count: u.quota * percent / 100,
            });
        }
    }

    b.counts(counts);
    b.user(ADMIN_USERNAME, Role::Admin, None, &password_hash);
    b.into_seed()
}

fn read_password(path: &Path) -> Result<Option<String>, DemoError> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DemoError::PasswordFile {
            path: path.to_owned(),
            source,
        }),
    }
}

fn write_password(path: &Path, password: &str) -> Result<(), DemoError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let wrap = |source| DemoError::PasswordFile {
        path: path.to_owned(),
        source,
    };
    let mut file = options.open(path).map_err(wrap)?;
    file.write_all(format!("{password}\n").as_bytes())
        .map_err(wrap)?;
    Ok(())
}

/// Seeds the demo campaign into `store` unless it is there already, keeping the admin
/// password in `data_dir`'s password file. Safe to call on every start.
pub fn start(
    central: &dyn Database,
    data_dir: &Path,
    now: DateTime<Utc>,
) -> Result<DemoLogin, DemoError> {
    let password_file = data_dir.join(PASSWORD_FILE);
    let mut password = read_password(&password_file)?;
    let already = crate::seed::seeded(central, SEED_NAME)?;
    let mut seeded = false;
    if !already {
        // The file is written before the seed commits, so a crash in between leaves a
        // password that the next start reuses, never an admin whose password is lost.
        let pw = match password.clone() {
            Some(pw) => pw,
            None => {
                let pw = random_password();
                write_password(&password_file, &pw)?;
                pw
            }
        };
        let hash = hash_password(&pw).map_err(|e| DemoError::Hash(e.to_string()))?;
        seeded = crate::seed::apply_seed(central, now, &seed(hash))?;
        password = Some(pw);
    }
    let today_plan = ensure_todays_plan(central, now)?;
    Ok(DemoLogin {
        seeded,
        username: ADMIN_USERNAME.into(),
        password,
        password_file,
        today_plan,
    })
}

/// The unit whose tablet the demo opens, and the title of its station plan for today.
pub const TODAY_UNIT: &str = "揭阳市侨联";
const TODAY_TITLE: &str = "演示：今日网络安全宣传站";

/// The 2022 plans lie in the past, so a station app opened against the demo would find nothing
/// to open a session under. Every start makes sure the demo unit has an approved plan whose
/// window covers today (China time, 08:00–20:00, or the next twelve hours when started late),
/// with masks and kits allocated; the secretariat tops up an enrolled tablet's grant from the
/// console. Returns the plan when one was added.
fn ensure_todays_plan(
    central: &dyn Database,
    now: DateTime<Utc>,
) -> Result<Option<PlanId>, DemoError> {
    let Some(unit) = crate::campaign::units(central, None)?
        .into_iter()
        .find(|u| u.name == TODAY_UNIT)
    else {
        return Ok(None);
    };
    let covered = crate::plans::plans(central, Some(unit.id), Some(PlanStatus::Approved))?
        .iter()
        .any(|p| p.starts_at <= now && now < p.ends_at);
    if covered {
        return Ok(None);
    }
    let local = now.with_timezone(&CHINA);
    let (starts_at, ends_at) = match (
        CHINA.from_local_datetime(&local.date_naive().and_hms_opt(8, 0, 0).unwrap_or_default()),
        CHINA.from_local_datetime(&local.date_naive().and_hms_opt(20, 0, 0).unwrap_or_default()),
    ) {
        (chrono::LocalResult::Single(s), chrono::LocalResult::Single(e))
            if s.with_timezone(&Utc) <= now && now < e.with_timezone(&Utc) =>
        {
            (s.with_timezone(&Utc), e.with_timezone(&Utc))
        }
        _ => (now, now + chrono::Duration::hours(12)),
    };
    let items = crate::campaign::items(central)?;
    let line = |code: &str, quantity| {
        items.iter().find(|i| i.code == code).map(|i| ItemQuantity {
            item_id: i.id,
            quantity,
        })
    };
    let allocation: Vec<ItemQuantity> = [line("mask", 200), line("mascot_kit", 40)]
        .into_iter()
        .flatten()
        .collect();
    let actor = crate::audit::Actor::System("demo");
    let id = PlanId::new();
    crate::plans::file(
        central,
        &actor,
        now,
        id,
        unit.id,
        &crate::plans::PlanContent {
            title: TODAY_TITLE.into(),
            location: "榕城区进贤门广场".into(),
            starts_at,
            ends_at,
            expected_people: 300,
            staff: "示例：3 名志愿者".into(),
            requested: allocation.clone(),
        },
    )?;
    crate::plans::approve(
        central,
        &actor,
        now,
        id,
        &Approval {
            allocation,
            grants: None,
        },
    )?;
    Ok(Some(id))
}
