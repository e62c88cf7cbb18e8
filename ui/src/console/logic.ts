/**
 * The console's logic, kept out of the components so vitest checks it without a DOM:
 * the collection window's days left, chart scales, "last contact" wording and stale devices, import preview
 * summaries and the text of each row issue, error messages by code, and the page routes.
 */
import type { Locale } from "../lib/i18n/catalogue";
import type { Award, Carrier, CommendationLine, GiftAccount, Role, Shortfall, SummaryReport } from "../lib/api/http";
import { consoleTranslate, isConsoleKey, type ConsoleKey } from "../lib/i18n/console";
import type {
  DeviceLine,
  ErrorCode,
  ImportIssue,
  Preview,
  QuarantineCode,
  QuarantinedEvent,
  RowIssueCode,
  TopUpRequestLine,
} from "../lib/api/http";
import { catalogues, planStatusKey, translate } from "../lib/i18n/catalogue";
import type { MessageKey } from "../lib/i18n";
import { HttpError } from "../lib/api/http";
import { formatClockAfter, formatCount, formatTimestamp, parseTimestamp } from "../lib/format";
import { AUDIT_ACTION_NAMES } from "../lib/api/generated/console/AuditActionNames";

const DAY = 86_400_000;
const CHINA = 8 * 3_600_000;

/** Where the collection window stands at `now`. */
export type WindowState =
  | { phase: "before"; days: number }
  | { phase: "during"; days: number; lastDay: boolean }
  | { phase: "after" };

/**
 * Days of collection left, counted in China-time calendar days including today: on 12 August
 * with the window ending at 13 August 00:00 it is the last day (1 day left). Before the start,
 * the days until it opens.
 */
export function collectionWindow(now: string, start: string, end: string): WindowState {
  const [n, s, e] = [parseTimestamp(now), parseTimestamp(start), parseTimestamp(end)];
  if (n === null || s === null || e === null) return { phase: "after" };
  const day = (t: number) => Math.floor((t + CHINA) / DAY);
  if (n >= e) return { phase: "after" };
  if (n < s) return { phase: "before", days: Math.max(1, day(s) - day(n)) };
  // The last instant inside the window is e - 1 ms: a window ending at midnight ends the day before.
  const days = day(e - 1) - day(n) + 1;
  return { phase: "during", days, lastDay: days === 1 };
}

/** Which phase of the campaign `now` is in: publicity (宣传) and collection (采集) told apart. */
export type CampaignPhase = "not_started" | "publicity" | "between" | "collection" | "ended";

/**
 * The campaign's phase at `now`: publicity from its first day 00:00 to its last day 24:00,
 * China time (`2022-07-08` to `2022-08-02`), collection from `collectionStart` to
 * `collectionEnd`; `between` for a gap between them.
 */
export function campaignPhase(
  now: string,
  publicityStart: string,
  publicityEnd: string,
  collectionStart: string,
  collectionEnd: string,
): CampaignPhase {
  const chinaMidnight = (day: string) => parseTimestamp(`${day}T00:00:00+08:00`);
  const [n, ps, pe, cs, ce] = [
    parseTimestamp(now),
    chinaMidnight(publicityStart),
    chinaMidnight(publicityEnd),
    parseTimestamp(collectionStart),
    parseTimestamp(collectionEnd),
  ];
  if (n === null || cs === null || ce === null) return "ended";
  if (n >= ce) return "ended";
  if (n >= cs) return "collection";
  if (ps !== null && pe !== null && n >= ps && n < pe + DAY) return "publicity";
  if (ps !== null && n < ps) return "not_started";
  return "between";
}

/** Whether a plan runs past the close of collection (accepted, and flagged for the secretariat). */
export function afterCollection(endsAt: string, collectionEnd: string): boolean {
  const [e, c] = [parseTimestamp(endsAt), parseTimestamp(collectionEnd)];
  return e !== null && c !== null && e > c;
}

/** A round upper bound for a chart axis: 1, 2, 2.5 or 5 times a power of ten, ≥ `max`. */
export function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

/** A bar's length in 0..1 of the scale; never negative, never past the end. */
export function barFraction(value: number, max: number): number {
  if (!(max > 0) || !(value > 0)) return 0;
  return Math.min(1, value / max);
}

/**
 * "3 分钟前" / "从未同步": when the central last heard from a device (its `last_contact_at`: a
 * push or a pull, so a quiet station that only pulls still reads as alive), relative to the
 * dashboard's `now`.
 */
export function lastContactLabel(now: string, last: string | null, locale: Locale): string {
  if (last === null) return consoleTranslate(locale, "dev.never");
  const [n, l] = [parseTimestamp(now), parseTimestamp(last)];
  if (n === null || l === null) return last;
  const minutes = Math.max(0, Math.floor((n - l) / 60_000));
  if (minutes < 1) return consoleTranslate(locale, "dev.justNow");
  if (minutes < 60) return consoleTranslate(locale, "dev.minutesAgo", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return consoleTranslate(locale, "dev.hoursAgo", { n: hours });
  return consoleTranslate(locale, "dev.daysAgo", { n: Math.floor(hours / 24) });
}

/** Whether a device has been silent (no push, no pull) long enough to be worth a look (a day). */
export function isStale(now: string, last: string | null): boolean {
  if (last === null) return true;
  const [n, l] = [parseTimestamp(now), parseTimestamp(last)];
  return n === null || l === null || n - l > DAY;
}

/**
 * Whether a device's row is flagged: an active device silent for a day, going by when it was
 * last heard from (a quiet station still pulls), not by its last push. A revoked device is
 * expected to be silent.
 */
export function deviceStale(now: string, d: Pick<DeviceLine, "revoked_at" | "last_contact_at">): boolean {
  return d.revoked_at === null && isStale(now, d.last_contact_at);
}

/** Counts of an import preview. */
export type PreviewSummary = {
  good: number;
  bad: number;
  badRows: number;
  skipped: number;
  create: number;
  update: number;
  unchanged: number;
};

export function summarizePreview(p: Preview): PreviewSummary {
  const actions = p.rows.map((r) => ("action" in r ? r.action : "create"));
  return {
    good: p.rows.length,
    // The preview lists the first problems and counts them all (issue 13).
    bad: p.error_count,
    badRows: new Set(p.errors.map((e) => e.row)).size,
    skipped: p.skipped_count,
    create: actions.filter((a) => a === "create").length,
    update: actions.filter((a) => a === "update").length,
    unchanged: actions.filter((a) => a === "unchanged").length,
  };
}

/** Rows an apply would write (unchanged rows write nothing). */
export function rowsToWrite(p: Preview): number {
  return p.rows.filter((r) => !("action" in r) || r.action !== "unchanged").length;
}

// Every import issue code (the Rust enum `RowIssueCode`, generated) has its `issue.*` message,
// and every `issue.*` message names a code: a new or retired code is a type error here.
type IssueKey = Extract<ConsoleKey, `issue.${string}`>;
const issueKeysAreCodes: [Exclude<IssueKey, `issue.${RowIssueCode}`>, Exclude<`issue.${RowIssueCode}`, IssueKey>] extends [never, never]
  ? true
  : never = true;
void issueKeysAreCodes;

/** The issue's reason in the console's language, from its stable code. */
export function issueText(issue: ImportIssue, locale: Locale): string {
  // A code this console does not know yet (a newer central) falls back to the server's words.
  const key: string = `issue.${issue.code}`;
  return isConsoleKey(key)
    ? consoleTranslate(locale, key, { value: issue.value })
    : issue.reason;
}

/** The label of a field named by the server (`quota` → 采集任务). */
export function fieldLabel(field: string, locale: Locale): string {
  // A request path (`allocation[0].quantity`) is named by its last field.
  for (const name of [field, field.replace(/^.*[.\]]/u, "")]) {
    const key = `field.${name}`;
    if (isConsoleKey(key)) return consoleTranslate(locale, key);
  }
  return field;
}

/** Issues sorted by row, then column: how the secretariat walks the sheet. */
export function sortedIssues(issues: ImportIssue[]): ImportIssue[] {
  return [...issues].sort(
    (a, b) => a.row - b.row || (a.column ?? "").localeCompare(b.column ?? ""),
  );
}

// Every `errcode.*` message of the catalogue names one of the central's error codes (the
// Rust enum `ErrorCode`, generated): a retired or misspelt code is a type error here.
type ErrcodeKey = Extract<ConsoleKey, `errcode.${string}`>;
const errcodeKeysAreCodes: Exclude<ErrcodeKey, `errcode.${ErrorCode}`> extends never ? true : never = true;
void errcodeKeysAreCodes;
// Likewise every `quarantine.*` message names a `QuarantineCode`.
type QuarantineKey = Extract<MessageKey, `quarantine.${string}`>;
const quarantineKeysAreCodes: Exclude<QuarantineKey, `quarantine.${QuarantineCode}`> extends never ? true : never =
  true;
void quarantineKeysAreCodes;

/** The catalogue's message for a central error code, when it has one. */
function errcodeKey(code: ErrorCode): ErrcodeKey | null {
  const key = `errcode.${code}`;
  return isConsoleKey(key) ? (key as ErrcodeKey) : null;
}

/** Why an event was quarantined, in the console's language when its code is translated. */
export function quarantineText(q: Pick<QuarantinedEvent, "code" | "reason">, locale: Locale): string {
  if (q.code === null) return q.reason;
  const key = `quarantine.${q.code}`;
  return key in catalogues[locale] ? translate(locale, key as MessageKey) : q.reason;
}

/**
 * A thrown error as the secretariat reads it: a known code in their language, worded from
 * the facts the central sent with it (numbers, names, times) rather than from its English.
 */
export function errorText(e: unknown, locale: Locale): string {
  if (e instanceof HttpError) {
    const key = e.code === "network" || e.code.startsWith("http_") ? null : errcodeKey(e.code as ErrorCode);
    const worded = refusalText(e, locale);
    if (worded !== null) return worded;
    // No answer (the meeting room's network), or an answer that is no error body (a proxy's).
    if (e.code === "network") return consoleTranslate(locale, "console.offline");
    if (e.code.startsWith("http_")) return consoleTranslate(locale, "console.badAnswer", { status: String(e.status) });
    // A sheet past a limit is told in the console's words with the number, not the English.
    const sheetLimit = e.code === "sheet_too_large" || e.code === "sheet_too_wide";
    if (key !== null && sheetLimit && e.limit !== null) {
      return consoleTranslate(locale, key, { limit: formatCount(e.limit, locale) });
    }
    if (key !== null && !sheetLimit) return consoleTranslate(locale, key, { message: e.message });
    return consoleTranslate(locale, "console.error", { message: e.message });
  }
  return consoleTranslate(locale, "console.error", {
    message: e instanceof Error ? e.message : String(e),
  });
}

/** A refusal worded from its facts, or null when its code has no such wording or they are missing. */
function refusalText(e: HttpError, locale: Locale): string | null {
  const f = e.facts;
  const n = (v: number) => formatCount(v, locale);
  const say = (key: ConsoleKey, params: Record<string, string>) => consoleTranslate(locale, key, params);
  const shortfall =
    f.requested !== undefined && f.available !== undefined
      ? { requested: n(f.requested), available: n(f.available) }
      : null;
  switch (e.code) {
    case "insufficient_stock":
      if (f.item !== undefined && f.entry !== undefined) return say("refusal.prizeOnHand", { item: f.item, entry: String(f.entry) });
      if (shortfall !== null && f.promised !== undefined) return say("refusal.stockPromised", { ...shortfall, promised: n(f.promised) });
      return shortfall === null ? null : say("refusal.stock", shortfall);
    case "exceeds_grant":
      return shortfall === null ? null : say("refusal.grant", shortfall);
    case "grant_exceeds_allocation":
      return shortfall === null ? null : say("refusal.allocation", shortfall);
    case "exceeds_ungranted_allocation":
      return shortfall === null ? null : say("refusal.ungranted", shortfall);
    case "pool_over_stock":
      return shortfall === null || f.pool === undefined ? null : say("refusal.poolOverStock", { ...shortfall, pool: f.pool });
    case "no_reserve_left":
      return f.pool === undefined ? null : say("refusal.noReserveLeft", { pool: f.pool });
    case "plan_not_approved":
      return f.plan_status === undefined ? null : say("refusal.planStatus", { status: translate(locale, planStatusKey(f.plan_status)) });
    case "collection_open":
      return f.closes_at === undefined ? null : say("refusal.collectionOpen", { time: formatTimestamp(f.closes_at, locale) });
    case "list_frozen":
      return f.frozen_at === undefined ? null : say("refusal.listFrozen", { time: formatTimestamp(f.frozen_at, locale) });
    case "invalid_value":
    case "duplicate": {
      if (e.field === null) return null;
      const field = fieldLabel(e.field, locale);
      if (e.code === "duplicate") return say("refusal.duplicate", { field });
      // The reason is the central's English ("quantity: must be at least 1"): said after the
      // field's own name, without repeating the field's code.
      const reason = e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
      return say("refusal.invalidValue", { field, message: reason });
    }
    default:
      return null;
  }
}

/**
 * Why a login failed, as the login page says it: a wrong name or password, or, when the
 * central makes the name or address wait, until when (China time).
 */
export function loginFailureText(e: unknown, locale: Locale): string {
  if (e instanceof HttpError && e.status === 401) return consoleTranslate(locale, "login.failed");
  if (e instanceof HttpError && e.code === "login_throttled" && e.retryAt !== null) {
    return consoleTranslate(locale, "login.throttled", { time: formatClockAfter(e.retryAt) });
  }
  return errorText(e, locale);
}

/**
 * The line under a capped list of an import's problems ("仅列出前 200 处，共 4,998 处错误"), or
 * null when every problem is listed.
 */
export function moreErrorsText(p: { errors: readonly unknown[]; error_count: number }, locale: Locale): string | null {
  if (p.error_count <= p.errors.length) return null;
  return consoleTranslate(locale, "import.moreErrors", {
    shown: formatCount(p.errors.length, locale),
    total: formatCount(p.error_count, locale),
  });
}

/** The pages in the console's navigation, in its order. */
export const PAGES = [
  "dashboard",
  "bulletin",
  "plans",
  "stock",
  "campaign",
  "import",
  "export",
  "posters",
  "devices",
  "lottery",
  "draw",
  "accounts",
  "audit",
  "assessment",
  "summary",
] as const;
export type NavPage = (typeof PAGES)[number];

/** A group of the secretariat's navigation: a clerk's task, its pages. */
export type NavGroup = { key: "daily" | "data" | "supplies" | "lottery" | "admin"; pages: readonly NavPage[] };

/**
 * The secretariat's 15 pages in five groups, so the navigation is one line on a 1366 px desk
 * screen and on the projector: the current group shows its pages, the others their name.
 */
export const NAV_GROUPS: readonly NavGroup[] = [
  { key: "daily", pages: ["dashboard", "bulletin", "plans", "devices"] },
  { key: "data", pages: ["import", "export", "assessment", "summary"] },
  { key: "supplies", pages: ["stock", "campaign", "posters"] },
  { key: "lottery", pages: ["lottery", "draw"] },
  { key: "admin", pages: ["accounts", "audit"] },
];

/** Up to this many pages the navigation is one flat line (a unit's own account: 7). */
const FLAT_NAV = 8;

/**
 * The navigation for `pages`, the user's pages: null for a flat line when they fit, else the
 * groups holding any of them, each with the user's pages only.
 */
export function navGroupsFor(pages: readonly NavPage[]): NavGroup[] | null {
  if (pages.length <= FLAT_NAV) return null;
  return NAV_GROUPS.map((g) => ({ key: g.key, pages: g.pages.filter((p) => pages.includes(p)) })).filter(
    (g) => g.pages.length > 0,
  );
}

/**
 * What a unit's own account sees: its unit's progress and the 通报, plans, exports, poster,
 * tablets and its own assessment. The summary meeting's report is the secretariat's (it holds
 * the stock books).
 */
const UNIT_PAGES: readonly NavPage[] = ["dashboard", "bulletin", "plans", "export", "posters", "devices", "assessment"];

/** Who a console user is, as the navigation needs it. */
export type Viewer = { role: Role; unit_id: string | null };

/**
 * The pages a user's navigation offers, as the server scopes them: a unit's own account gets
 * its unit's pages; a secretariat viewer everything but the accounts (an admin's); a
 * secretariat admin everything. (A carrier's account has its own desk, no navigation.)
 */
export function pagesFor(user: Viewer): readonly NavPage[] {
  if (user.role === "carrier") return [];
  if (user.unit_id !== null) return UNIT_PAGES;
  if (user.role === "viewer") return PAGES.filter((p) => p !== "accounts");
  return PAGES;
}

/**
 * The console's title for `user`: a unit's own account works in its unit's console
 * ("揭阳市人民医院 · 单位工作台"), not the secretariat's; the unit's name may still be loading.
 */
export function consoleTitle(user: Viewer | null | undefined, unitName: string | null, locale: Locale): string {
  if (!user || user.unit_id === null) return consoleTranslate(locale, "console.title");
  return unitName
    ? consoleTranslate(locale, "console.unitTitle", { unit: unitName })
    : consoleTranslate(locale, "console.unitTitleBare");
}

/** How the header names `user`'s role: a unit's admin or viewer is told from the secretariat's. */
export function roleKey(user: Viewer): ConsoleKey {
  if (user.role === "carrier") return "role.carrier";
  if (user.unit_id !== null) return user.role === "admin" ? "role.unitAdmin" : "role.unitViewer";
  return user.role === "admin" ? "role.admin" : "role.viewer";
}

/** Whether `user` changes what the secretariat owns (approvals, stock, devices, accounts). */
export function isSecretariatAdmin(user: Viewer): boolean {
  return user.role === "admin" && user.unit_id === null;
}
/**
 * Every route: the navigation's pages, the printable published list, and the public winners
 * list (the one page shown without a login).
 */
export const ROUTES = [...PAGES, "lottery-list", "winners"] as const;
export type Page = (typeof ROUTES)[number];

/** Routes drawn without the console's header and navigation: the projector, print, the public. */
export const BARE_ROUTES: readonly Page[] = ["draw", "lottery-list", "winners"];

/** The page a location hash names (`#/plans`); the dashboard for anything else. */
export function pageOf(hash: string): Page {
  const name = hash.replace(/^#\/?/, "").split(/[/?]/)[0] ?? "";
  return (ROUTES as readonly string[]).includes(name) ? (name as Page) : "dashboard";
}

/** A day `2022-08-03` as the axis shows it: `8/3`. */
export function shortDay(day: string): string {
  const m = /^\d{4}-(\d{2})-(\d{2})$/.exec(day);
  return m === null ? day : `${Number(m[1])}/${Number(m[2])}`;
}

/** A top-up request as the plans page weighs it. */
type TopUpLike = Pick<TopUpRequestLine, "plan_id" | "device_id" | "item_id" | "quantity" | "status">;

/**
 * How many more a device asks for of an item under a plan, over its open requests: shown
 * beside the device's grant line, so the secretariat sees the request where it tops up.
 */
export function openTopUp(
  requests: readonly TopUpLike[],
  planId: string,
  deviceId: string,
  itemId: string,
): number {
  return requests
    .filter(
      (r) => r.status === "open" && r.plan_id === planId && r.device_id === deviceId && r.item_id === itemId,
    )
    .reduce((sum, r) => sum + r.quantity, 0);
}

/**
 * The quantity the secretariat's field holds for a request, as a grant: the request's own
 * when the field is untouched (`undefined`); `null` when what is typed is not a whole number
 * of at least 1 (the button stays off).
 */
export function grantQuantity(typed: number | null | undefined, asked: number): number | null {
  if (typed === undefined) return asked;
  if (typed === null || !Number.isInteger(typed) || typed < 1) return null;
  return typed;
}

/**
 * An account's role, unit and carrier as the server takes them: a carrier's account names its
 * carrier and no unit; any other names no carrier, and its unit only when one is chosen (`""`
 * is the secretariat).
 */
export function accountBody(
  role: Role,
  unit: string,
  carrier: Carrier,
): { role: Role; unit_id: string | null; carrier: Carrier | null } {
  return role === "carrier" ? { role, unit_id: null, carrier } : { role, unit_id: unit === "" ? null : unit, carrier: null };
}

/**
 * A `<input type="datetime-local">` value (the browser's local time, `2022-08-03T09:00`) as the
 * instant the server filters by; `null` for an empty or unreadable one.
 */
export function localInputToIso(value: string): string | null {
  if (value.trim() === "") return null;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

/** An audit line's detail as one short line of text (JSON without the braces' noise). */
export function auditDetail(detail: unknown): string {
  if (detail === null || detail === undefined) return "";
  if (typeof detail !== "object") return String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`)
    .join("；");
}

/**
 * An audit action as people read it (`user.login` is 登录), or its code when it has no name.
 * The names are generated from the central's one table, which the audit export also reads.
 */
export function auditActionText(action: string, locale: Locale): string {
  return Object.hasOwn(AUDIT_ACTION_NAMES, action) ? (AUDIT_ACTION_NAMES[action]?.[locale] ?? action) : action;
}

/** A shortfall of the assessment, in the console's words. */
export function shortfallText(
  s: Shortfall,
  locale: Locale,
): string {
  const two = (n: number) => n.toFixed(2);
  switch (s.code) {
    case "no_quota":
      return consoleTranslate(locale, "assess.noQuota");
    case "below_completion":
      return consoleTranslate(locale, "assess.belowCompletion", {
        actual: two(s.actual_percent),
        required: s.required_percent,
      });
    case "few_per_gift":
      return consoleTranslate(locale, "assess.fewPerGift", { actual: two(s.actual), required: two(s.required) });
  }
}

/**
 * The commendations the summary report shows: the secretariat's confirmed list once it has
 * one, else the rule's proposal (marked as such by the page). Each honour in its order.
 */
export function shownCommendations(report: Pick<SummaryReport, "proposed" | "confirmed">): {
  confirmed: boolean;
  organizing: CommendationLine[];
  supporting: CommendationLine[];
} {
  const confirmed = report.confirmed.length > 0;
  const lines = confirmed ? report.confirmed : report.proposed;
  const of = (award: Award) =>
    lines.filter((l) => l.award === award).sort((a, b) => a.position - b.position);
  return { confirmed, organizing: of("organizing"), supporting: of("supporting") };
}

/** Whether an item's books balance: every piece received is handed out, written off, still with a plan or on hand. */
export function booksBalance(
  g: Pick<GiftAccount, "received" | "handed_out" | "written_off" | "delivered_to_winners" | "with_plans" | "on_hand">,
): boolean {
  return g.received === g.handed_out + g.written_off + g.delivered_to_winners + g.with_plans + g.on_hand;
}

/** Minutes as hours with one decimal (志愿服务时长). */
export function hoursOf(minutes: number): string {
  return (Math.round(minutes / 6) / 10).toFixed(1);
}

/** The day a bulletin hash names (`#/bulletin/2022-08-03`), or null for today's live one. */
export function bulletinDayOf(hash: string): string | null {
  const m = /^#\/?bulletin\/(\d{4}-\d{2}-\d{2})$/.exec(hash);
  return m === null ? null : (m[1] ?? null);
}

/** Where a bulletin's .xlsx downloads: an archived day's as published, or today's live one. */
export function bulletinXlsxUrl(base: string, day: string | null): string {
  return day === null ? `${base}/exports/bulletin.xlsx` : `${base}/bulletins/${day}/bulletin.xlsx`;
}
