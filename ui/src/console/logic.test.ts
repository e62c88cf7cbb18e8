import { describe, expect, it } from "vitest";
import { HttpError, auditQuery, type Preview, type RowIssueCode } from "../lib/api/http";
import {
  bulletinDayOf,
  bulletinXlsxUrl,
  accountBody,
  afterCollection,
  auditActionText,
  auditDetail,
  consoleTitle,
  isSecretariatAdmin,
  moreErrorsText,
  NAV_GROUPS,
  navGroupsFor,
  PAGES,
  localInputToIso,
  loginFailureText,
  pagesFor,
  barFraction,
  campaignPhase,
  collectionWindow,
  deviceStale,
  errorText,
  grantQuantity,
  issueText,
  isStale,
  lastContactLabel,
  niceMax,
  openTopUp,
  pageOf,
  rowsToWrite,
  shortDay,
  sortedIssues,
  summarizePreview,
  quarantineText,
  roleKey,
} from "./logic";

// The demo campaign's window: 2022-08-03 09:00 to 08-12 24:00, China time.
const START = "2022-08-03T01:00:00Z";
const END = "2022-08-12T16:00:00Z";

describe("collectionWindow", () => {
  it("counts China-time days including today", () => {
    expect(collectionWindow("2022-08-03T02:00:00Z", START, END)).toEqual({
      phase: "during",
      days: 10,
      lastDay: false,
    });
    // 12 Aug 23:30 China time is still the last day.
    expect(collectionWindow("2022-08-12T15:30:00Z", START, END)).toEqual({
      phase: "during",
      days: 1,
      lastDay: true,
    });
    // 11 Aug 00:30 China time is 10 Aug 16:30 UTC: two days left (11th and 12th).
    expect(collectionWindow("2022-08-10T16:30:00Z", START, END)).toMatchObject({ days: 2 });
  });
  it("before and after the window", () => {
    expect(collectionWindow("2022-08-01T12:00:00Z", START, END)).toEqual({ phase: "before", days: 2 });
    expect(collectionWindow(END, START, END)).toEqual({ phase: "after" });
    expect(collectionWindow("garbage", START, END)).toEqual({ phase: "after" });
  });
});

describe("chart scales", () => {
  it("rounds an axis up to a readable number", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(1900)).toBe(2000);
    expect(niceMax(2100)).toBe(2500);
    expect(niceMax(50_000)).toBe(50_000);
  });
  it("keeps bars inside the chart", () => {
    expect(barFraction(50, 100)).toBe(0.5);
    expect(barFraction(150, 100)).toBe(1);
    expect(barFraction(-1, 100)).toBe(0);
    expect(barFraction(5, 0)).toBe(0);
  });
});

describe("last contact", () => {
  const now = "2022-08-06T10:00:00Z";
  it("says how long ago, in the console's language", () => {
    expect(lastContactLabel(now, null, "zh-CN")).toBe("从未同步");
    expect(lastContactLabel(now, "2022-08-06T09:59:40Z", "zh-CN")).toBe("刚刚");
    expect(lastContactLabel(now, "2022-08-06T09:55:00Z", "zh-CN")).toBe("5 分钟前");
    expect(lastContactLabel(now, "2022-08-06T07:00:00Z", "en")).toBe("3 h ago");
    expect(lastContactLabel(now, "2022-08-03T10:00:00Z", "en")).toBe("3 days ago");
  });
  it("flags a device silent for more than a day", () => {
    expect(isStale(now, "2022-08-06T09:00:00Z")).toBe(false);
    expect(isStale(now, "2022-08-05T09:00:00Z")).toBe(true);
    expect(isStale(now, null)).toBe(true);
  });
  it("goes by the last contact, so a quiet station that only pulls is not flagged", () => {
    const quiet = { revoked_at: null, last_push_at: "2022-08-03T10:00:00Z", last_contact_at: "2022-08-06T09:59:30Z" };
    expect(deviceStale(now, quiet)).toBe(false);
    expect(deviceStale(now, { ...quiet, last_contact_at: "2022-08-05T09:00:00Z" })).toBe(true);
    expect(deviceStale(now, { revoked_at: null, last_contact_at: null })).toBe(true);
    expect(deviceStale(now, { revoked_at: "2022-08-04T00:00:00Z", last_contact_at: null })).toBe(false);
  });
});

const preview: Preview = {
  kind: "task_table",
  sheet: "任务分解",
  header_row: 3,
  columns: [],
  rows: [
    { row: 4, unit: "甲", unit_id: "u1", section: null, quota: 1, link: "https://a.b/c", contact: null, action: "update" },
    { row: 6, unit: "丙", unit_id: null, section: "学校", quota: 1, link: "https://a.b/d", contact: null, action: "create" },
    { row: 12, unit: "乙", unit_id: "u2", section: null, quota: 1, link: "https://a.b/e", contact: null, action: "unchanged" },
  ],
  errors: [
    { row: 9, column: "E", field: "link", value: "s.example/e", code: "malformed_link", reason: "x" },
    { row: 3, column: "G", field: "header", value: "负责人签字", code: "unknown_header", reason: "y" },
    { row: 9, column: "D", field: "quota", value: "八百", code: "not_a_number", reason: "z" },
  ],
  error_count: 3,
  skipped: [{ row: 1, reason: "title" }, { row: 2, reason: "blank" }],
  skipped_count: 2,
};

describe("import preview", () => {
  it("summarizes what would happen", () => {
    expect(summarizePreview(preview)).toEqual({
      good: 3,
      bad: 3,
      badRows: 2,
      skipped: 2,
      create: 1,
      update: 1,
      unchanged: 1,
    });
    expect(rowsToWrite(preview)).toBe(2);
  });
  it("counts every problem and skipped row, past the ones listed (issue 13)", () => {
    const capped = { ...preview, error_count: 4998, skipped_count: 1200 };
    expect(summarizePreview(capped)).toMatchObject({ bad: 4998, skipped: 1200 });
  });
  it("lists issues in sheet order with Chinese reasons from their codes", () => {
    const sorted = sortedIssues(preview.errors);
    expect(sorted.map((i) => `${i.row}${i.column}`)).toEqual(["3G", "9D", "9E"]);
    expect(issueText(sorted[1]!, "zh-CN")).toBe("不是数字：“八百”（请用阿拉伯数字填写）");
    expect(issueText({ ...sorted[1]!, code: "negative", value: "-50" }, "zh-CN")).toBe("不能为负数：“-50”");
    expect(issueText({ ...sorted[1]!, code: "negative", value: "-50" }, "en")).toBe("Must not be negative: “-50”");
    expect(issueText(sorted[0]!, "en")).toBe("Unknown header: “负责人签字” (column ignored)");
    expect(issueText({ ...sorted[0]!, code: "new_code" as RowIssueCode, reason: "server text" }, "zh-CN")).toBe(
      "server text",
    );
  });
});

describe("errors and routes", () => {
  it("translates known refusal codes", () => {
    const e = new HttpError(409, "insufficient_stock", "cannot allocate 900: only 100 on hand", "allocation[0].quantity", null, null, {
      requested: 900,
      available: 100,
    });
    expect(errorText(e, "zh-CN")).toBe("库存不足：需要 900，只有 100");
    expect(errorText(e, "en")).toBe("Not enough stock: 900 wanted, only 100 there");
    // Without its facts (an older central) the code alone is said, never the English.
    const bare = new HttpError(409, "insufficient_stock", "cannot allocate 900: only 100 on hand");
    expect(errorText(bare, "zh-CN")).toBe("库存不足，已拒绝");
    expect(errorText(new HttpError(500, "internal", "internal server error"), "zh-CN")).toBe(
      "服务器出错了，请稍后再试；一直出错请联系管理员",
    );
    expect(errorText(new HttpError(0, "network", "Failed to fetch"), "zh-CN")).toBe(
      "连不上中心服务器：请检查网络连接后刷新再试",
    );
    expect(errorText(new HttpError(502, "http_502", "<html>Bad Gateway</html>"), "zh-CN")).toBe(
      "中心服务器没有正常应答（HTTP 502），请稍后再试；一直这样请联系管理员",
    );
    expect(errorText(new Error("boom"), "en"), "a thrown error of the console's own").toBe("Something went wrong: boom");
    const unreadable = errorText(new HttpError(400, "unreadable_file", "the file is empty"), "zh-CN");
    expect(unreadable, "what to do, in the secretariat's words").toContain("另存为 .xlsx 或“CSV UTF-8”");
    expect(unreadable).not.toContain("the file is empty");
  });
  it("words every refusal from the facts the central sends, in Chinese with no English left", () => {
    const refusals: [HttpError, string][] = [
      [
        new HttpError(409, "insufficient_stock", "x", "quantity", null, null, { requested: 50, available: 30, promised: 1200 }),
        "库存不足：有 1,200 留给了抽奖奖项，只能再用 30，不是 50",
      ],
      [
        new HttpError(409, "insufficient_stock", "x", "state", null, null, { requested: 1, available: 0, item: "电信实物奖品", entry: 17 }),
        "库存里没有“电信实物奖品”，不能把 17 号的奖品设为已发放：请先入库",
      ],
      [new HttpError(409, "exceeds_grant", "x", "quantity", null, null, { requested: 40, available: 12 }), "超出该设备的配额：要 40，配额只剩 12"],
      [
        new HttpError(409, "grant_exceeds_allocation", "x", "grants[0].quantity", null, null, { requested: 600, available: 500 }),
        "超出活动配额：要配给 600，活动配额只剩 500",
      ],
      [
        new HttpError(409, "exceeds_ungranted_allocation", "x", "quantity", null, null, { requested: 80, available: 20 }),
        "超出活动配额中尚未配给设备的数量：要退回 80，只有 20 尚未配给",
      ],
      [
        new HttpError(409, "pool_over_stock", "x", "pools", null, null, { requested: 80, available: 77, pool: "电信实物奖" }),
        "奖项“电信实物奖”有 80 份奖品，库存只剩 77，已拒绝开奖：请少核销一些或缩小奖项",
      ],
      [new HttpError(409, "no_reserve_left", "x", "win_id", null, null, { pool: "联通 70G 流量卡" }), "奖项“联通 70G 流量卡”已没有可递补的候补"],
      [new HttpError(409, "plan_not_approved", "x", null, null, null, { plan_status: "closed" }), "活动方案现在是“已结束”，不是已批准"],
      [
        new HttpError(409, "collection_open", "x", null, null, null, { closes_at: "2022-08-12T16:00:00Z" }),
        "采集要到 8月13日 00:00 才结束，结束后才能冻结名单或开奖",
      ],
      [
        new HttpError(409, "list_frozen", "x", null, null, null, { frozen_at: "2022-08-13T02:00:00Z" }),
        "名单已于 8月13日 10:00 冻结",
      ],
      [new HttpError(409, "duplicate", "url: already taken", "url"), "“专属链接”与已有记录重复，未保存"],
      [new HttpError(409, "draw_voided", "the draw was voided already"), "这次开奖已作废"],
      [new HttpError(409, "lottery_closed", "the lottery is closed"), "抽奖已关闭"],
      [new HttpError(409, "list_tampered", "digest abc != def"), "名单与公示的摘要不符，已拒绝开奖"],
    ];
    for (const [e, zh] of refusals) {
      expect(errorText(e, "zh-CN"), e.code).toBe(zh);
      expect(errorText(e, "zh-CN"), `${e.code}: no English left`).not.toMatch(/[A-Za-z]{3,}/u);
      // The English names the same things; the names themselves are the secretariat's Chinese.
      let english = errorText(e, "en");
      for (const name of [e.facts.item, e.facts.pool]) if (name !== undefined) english = english.replace(name, "");
      expect(english, `${e.code} in English`).not.toMatch(/[\u4e00-\u9fff]/u);
    }
    // A field's reason is still the central's, but after the field's own name, once.
    const invalid = new HttpError(400, "invalid_value", "quantity: must be at least 1", "quantity");
    expect(errorText(invalid, "zh-CN")).toBe("“数量”填写有误：must be at least 1");
  });
  it("says until when a throttled login must wait, in China time (issue 14)", () => {
    const locked = new HttpError(429, "login_throttled", "too many", null, "2022-08-03T01:15:00Z");
    expect(loginFailureText(locked, "zh-CN")).toBe("登录尝试过多，请于 09:15 后再试");
    expect(loginFailureText(locked, "en")).toBe("Too many login attempts; try again after 09:15");
    // A wait ending within a minute is rounded up, never down to a time already waited out.
    const short = new HttpError(429, "login_throttled", "too many", null, "2022-08-03T15:59:01Z");
    expect(loginFailureText(short, "zh-CN")).toBe("登录尝试过多，请于 00:00 后再试");
    expect(loginFailureText(new HttpError(401, "invalid_login", "wrong"), "zh-CN")).toBe("用户名或密码错误");
    expect(errorText(new HttpError(403, "cross_site_request", "Origin x"), "zh-CN")).toContain("来自其他网站");
    expect(auditActionText("user.login_locked", "zh-CN")).toBe("登录锁定（失败次数过多）");
  });
  it("maps hashes to pages", () => {
    expect(pageOf("#/plans")).toBe("plans");
    expect(pageOf("#/import?x=1")).toBe("import");
    expect(pageOf("")).toBe("dashboard");
    expect(pageOf("#/nope")).toBe("dashboard");
    expect(pageOf("#/draw")).toBe("draw");
    expect(pageOf("#/winners")).toBe("winners");
    expect(pageOf("#/lottery-list")).toBe("lottery-list");
    expect(shortDay("2022-08-03")).toBe("8/3");
  });
});

describe("openTopUp", () => {
  const open = { plan_id: "p", device_id: "d", item_id: "mask", quantity: 5, status: "open" as const };
  it("sums the open requests of one device, item and plan", () => {
    expect(
      openTopUp(
        [
          open,
          { ...open, quantity: 3 },
          { ...open, status: "fulfilled" },
          { ...open, status: "declined" },
          { ...open, device_id: "other" },
          { ...open, item_id: "kit" },
          { ...open, plan_id: "q" },
        ],
        "p",
        "d",
        "mask",
      ),
    ).toBe(8);
  });
  it("is zero without requests", () => {
    expect(openTopUp([], "p", "d", "mask")).toBe(0);
  });
});

describe("grantQuantity", () => {
  it("defaults to what was asked", () => {
    expect(grantQuantity(undefined, 20)).toBe(20);
  });
  it("takes a whole number of at least 1", () => {
    expect(grantQuantity(6, 20)).toBe(6);
    expect(grantQuantity(40, 20)).toBe(40);
  });
  it("refuses an empty field, zero, negatives and fractions", () => {
    expect(grantQuantity(null, 20)).toBeNull();
    expect(grantQuantity(0, 20)).toBeNull();
    expect(grantQuantity(-1, 20)).toBeNull();
    expect(grantQuantity(2.5, 20)).toBeNull();
  });
});

describe("quarantineText", () => {
  it("says a quarantined event's reason in the console's language by its code", () => {
    expect(quarantineText({ code: "plan_not_approved", reason: "plan is closed" }, "zh-CN")).toContain("追加申请");
    expect(quarantineText({ code: null, reason: "plan is closed" }, "zh-CN")).toBe("plan is closed");
    // A code without a translation keeps the central's English reason.
    expect(quarantineText({ code: "checked_out_before_in", reason: "out before in" }, "zh-CN")).toBe("out before in");
  });
});

describe("campaignPhase", () => {
  const phase = (now: string) => campaignPhase(now, "2022-07-08", "2022-08-02", START, END);
  it("tells publicity and collection apart, in China time", () => {
    expect(phase("2022-07-07T15:59:00Z")).toBe("not_started");
    // 7/8 00:00 China time.
    expect(phase("2022-07-07T16:00:00Z")).toBe("publicity");
    // 8/2 23:59 China time is still publicity; 8/3 00:00 to 09:00 lies between the two.
    expect(phase("2022-08-02T15:59:00Z")).toBe("publicity");
    expect(phase("2022-08-02T20:00:00Z")).toBe("between");
    expect(phase("2022-08-03T01:00:00Z")).toBe("collection");
    expect(phase(END)).toBe("ended");
  });
});

describe("afterCollection", () => {
  it("flags a plan that runs past the collection's close", () => {
    expect(afterCollection("2022-08-20T09:00:00Z", END)).toBe(true);
    expect(afterCollection(END, END)).toBe(false);
    expect(afterCollection("garbage", END)).toBe(false);
  });
});

describe("pagesFor (issue 13: every unit sees itself)", () => {
  it("gives a unit's own account its unit's pages and nothing of the secretariat", () => {
    for (const role of ["admin", "viewer"] as const) {
      const pages = pagesFor({ role, unit_id: "unit-a" });
      expect(pages, role).toEqual(["dashboard", "bulletin", "plans", "export", "posters", "devices", "assessment"]);
      for (const secretariat of ["import", "lottery", "draw", "accounts", "audit", "summary"] as const) {
        expect(pages.includes(secretariat), `${role} ${secretariat}`).toBe(false);
      }
    }
  });
  it("gives the accounts page to secretariat admins only, the audit log to the secretariat", () => {
    expect(pagesFor({ role: "admin", unit_id: null })).toContain("accounts");
    expect(pagesFor({ role: "admin", unit_id: null })).toContain("audit");
    expect(pagesFor({ role: "viewer", unit_id: null })).not.toContain("accounts");
    expect(pagesFor({ role: "viewer", unit_id: null })).toContain("audit");
    expect(pagesFor({ role: "carrier", unit_id: null })).toEqual([]);
  });
  it("names secretariat admins: admins of no unit", () => {
    expect(isSecretariatAdmin({ role: "admin", unit_id: null })).toBe(true);
    expect(isSecretariatAdmin({ role: "admin", unit_id: "unit-a" })).toBe(false);
    expect(isSecretariatAdmin({ role: "viewer", unit_id: null })).toBe(false);
  });
  it("opens the accounts and audit pages by their hash", () => {
    expect(pageOf("#/accounts")).toBe("accounts");
    expect(pageOf("#/audit")).toBe("audit");
  });
});

describe("accountBody", () => {
  it("gives a carrier's account its carrier and no unit", () => {
    expect(accountBody("carrier", "unit-a", "mobile")).toEqual({ role: "carrier", unit_id: null, carrier: "mobile" });
  });
  it("gives any other account its unit (none for the secretariat) and no carrier", () => {
    expect(accountBody("viewer", "unit-a", "mobile")).toEqual({ role: "viewer", unit_id: "unit-a", carrier: null });
    expect(accountBody("admin", "", "telecom")).toEqual({ role: "admin", unit_id: null, carrier: null });
  });
});

describe("audit filters and lines", () => {
  it("reads a datetime-local value as an instant, and nothing as no condition", () => {
    const iso = localInputToIso("2022-08-03T09:00");
    expect(iso).toBe(new Date("2022-08-03T09:00").toISOString());
    expect(localInputToIso("")).toBeNull();
    expect(localInputToIso("not a time")).toBeNull();
  });
  it("names actions from the central's one table, and shows an unnamed action by its code", () => {
    expect(auditActionText("user.login_failed", "zh-CN")).toBe("登录失败");
    expect(auditActionText("sync.clock_off", "zh-CN")).toBe("平板时钟偏差（时间已按中心校正）");
    expect(auditActionText("user.login", "en")).toBe("Login");
    expect(auditActionText("plan.approve", "zh-CN"), "every action the central records is named").toBe("批准活动方案");
    expect(auditActionText("some.new_action", "zh-CN")).toBe("some.new_action");
    expect(auditActionText("toString", "zh-CN"), "not an object's own method").toBe("toString");
  });
  it("shows a detail as short text", () => {
    expect(auditDetail({ username: "admin", sessions_ended: 2 })).toBe("username: admin；sessions_ended: 2");
    expect(auditDetail({ before: { role: "viewer" } })).toBe('before: {"role":"viewer"}');
    expect(auditDetail(null)).toBe("");
  });
});

describe("auditQuery", () => {
  it("sends the conditions given and leaves blank ones out", () => {
    expect(auditQuery({ action: "user.login", actor: " ", from: null, before: 42 })).toBe("action=user.login&before=42");
    expect(auditQuery({ from: "2022-08-03T01:00:00.000Z" })).toBe("from=2022-08-03T01%3A00%3A00.000Z");
  });
});

describe("the bulletin archive (issue 13, deliverable 2)", () => {
  it("reads an archived day from the hash, and today's live bulletin otherwise", () => {
    expect(bulletinDayOf("#/bulletin/2022-08-03"), "an archived day").toBe("2022-08-03");
    expect(bulletinDayOf("#/bulletin"), "no day: the live bulletin").toBeNull();
    expect(bulletinDayOf("#/bulletin/yesterday"), "not a date: the live bulletin").toBeNull();
    expect(pageOf("#/bulletin/2022-08-03"), "the page is the bulletin's").toBe("bulletin");
  });
  it("downloads an archived day as published, and today's live one from the exports", () => {
    expect(bulletinXlsxUrl("/api/v1", "2022-08-03")).toBe("/api/v1/bulletins/2022-08-03/bulletin.xlsx");
    expect(bulletinXlsxUrl("/api/v1", null)).toBe("/api/v1/exports/bulletin.xlsx");
  });
  it("is on every console user's navigation, a unit's own account's included (the 通报 goes to all units)", () => {
    expect(pagesFor({ role: "viewer", unit_id: "u1" }), "a unit viewer").toContain("bulletin");
    expect(pagesFor({ role: "viewer", unit_id: null }), "a secretariat viewer").toContain("bulletin");
  });
});

describe("a unit's own console (issue 13): its title and role are the unit's", () => {
  it("titles a unit account's console with its unit, the secretariat's as the secretariat's", () => {
    const unit = { role: "admin" as const, unit_id: "u1" };
    expect(consoleTitle(unit, "揭阳市人民医院", "zh-CN")).toBe("揭阳市人民医院 · 单位工作台");
    expect(consoleTitle(unit, "揭阳市人民医院", "en")).toBe("揭阳市人民医院 · Unit console");
    expect(consoleTitle(unit, null, "zh-CN"), "the unit's name still loading").toBe("单位工作台");
    expect(consoleTitle({ role: "admin", unit_id: null }, null, "zh-CN")).toBe("秘书处控制台");
    expect(consoleTitle(null, null, "en"), "before a login").toBe("Secretariat console");
  });
  it("names a unit's admin and viewer apart from the secretariat's", () => {
    expect(roleKey({ role: "admin", unit_id: "u1" })).toBe("role.unitAdmin");
    expect(roleKey({ role: "viewer", unit_id: "u1" })).toBe("role.unitViewer");
    expect(roleKey({ role: "admin", unit_id: null })).toBe("role.admin");
    expect(roleKey({ role: "viewer", unit_id: null })).toBe("role.viewer");
    expect(roleKey({ role: "carrier", unit_id: null })).toBe("role.carrier");
  });
});

describe("the navigation's groups (one line at 1366 px)", () => {
  it("holds every page in exactly one group", () => {
    const grouped = NAV_GROUPS.flatMap((g) => g.pages);
    expect([...grouped].sort(), "no page lost, none twice").toEqual([...PAGES].sort());
  });
  it("groups the secretariat's pages, keeping only the user's", () => {
    const admin = navGroupsFor(pagesFor({ role: "admin", unit_id: null }));
    expect(admin?.map((g) => g.key)).toEqual(["daily", "data", "supplies", "lottery", "admin"]);
    const viewer = navGroupsFor(pagesFor({ role: "viewer", unit_id: null }));
    expect(viewer?.find((g) => g.key === "admin")?.pages, "a viewer has the audit log, not the accounts").toEqual(["audit"]);
  });
  it("leaves a unit's few pages as one flat line", () => {
    expect(navGroupsFor(pagesFor({ role: "admin", unit_id: "u1" }))).toBeNull();
  });
});

describe("an import past a sheet's limit (issue 13's audit: columns were told as rows)", () => {
  it("tells too many rows with the limit as a number, in Chinese, without the English message", () => {
    const rows = new HttpError(400, "sheet_too_large", "the sheet has more than 5000 filled rows", "file", null, 5000);
    expect(errorText(rows, "zh-CN")).toBe("表格超过 5,000 行的上限，未导入任何内容。请拆分后分别导入，或确认选择的文件是否正确");
    expect(errorText(rows, "en")).toContain("more than 5,000 rows");
  });
  it("tells a sheet too wide as columns, not rows", () => {
    const wide = new HttpError(400, "sheet_too_wide", "the sheet has a filled cell past column 256", "file", null, 256);
    const zh = errorText(wide, "zh-CN");
    expect(zh).toBe("表格第 256 列之后还有内容，比任何任务表或采集量表都宽，未导入任何内容。请确认选择的文件是否正确");
    expect(zh, "no claim about rows").not.toContain("行");
    expect(zh, "no English quoted").not.toMatch(/[a-z]{3}/);
    expect(errorText(wide, "en")).toContain("past column 256");
  });
  it("says the capped list's line with both numbers, and nothing when all are listed", () => {
    const issue = { row: 2, column: null, field: "quota", code: "not_a_number" };
    const capped = { errors: Array(200).fill(issue), error_count: 4998 };
    expect(moreErrorsText(capped, "zh-CN")).toBe("仅列出前 200 处，共 4,998 处错误");
    expect(moreErrorsText(capped, "en")).toBe("Only the first 200 of 4,998 problems are listed");
    expect(moreErrorsText({ errors: [issue], error_count: 1 }, "zh-CN")).toBeNull();
  });
});
