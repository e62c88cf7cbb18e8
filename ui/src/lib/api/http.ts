/**
 * The secretariat console's backend: the central's HTTP API under `/api/v1`, with the
 * session cookie (HttpOnly, SameSite=Strict) the browser sends by itself. The console is
 * served by the same server, so every call is same-origin.
 *
 * Errors reject with `HttpError` carrying the server's `{error: {code, message, field}}`.
 */
import type { ActivityPlan } from "./generated/domain/ActivityPlan";
import type { Item } from "./generated/domain/Item";
import type { ItemQuantity } from "./generated/domain/ItemQuantity";
import type { PlanStatus } from "./generated/domain/PlanStatus";
import type { Unit } from "./generated/domain/Unit";
import type { CountRow } from "./generated/console/CountRow";
import type { CountsApplied } from "./generated/console/CountsApplied";
import type { Bulletin } from "./generated/console/Bulletin";
import type { PublishedDay } from "./generated/console/PublishedDay";
import type { Dashboard } from "./generated/console/Dashboard";
import type { DeviceRecord } from "./generated/console/DeviceRecord";
import type { DeviceShare } from "./generated/console/DeviceShare";
import type { ErrorBody } from "./generated/console/ErrorBody";
import type { ErrorDetail } from "./generated/console/ErrorDetail";
import type { ErrorCode } from "./generated/console/ErrorCode";
import type { Grant } from "./generated/console/Grant";
import type { IssuedCode } from "./generated/console/IssuedCode";
import type { Me } from "./generated/console/Me";
import type { PlanView } from "./generated/console/PlanView";
import type { Preview as PreviewOf } from "./generated/console/Preview";
import type { StockBalance } from "./generated/console/StockBalance";
import type { TaskRow } from "./generated/console/TaskRow";
import type { TasksApplied } from "./generated/console/TasksApplied";
import type { TopUpRequestLine } from "./generated/console/TopUpRequestLine";
import type { TopUpStatus } from "./generated/console/TopUpStatus";
import type { User } from "./generated/console/User";
import type { Assessment } from "./generated/console/Assessment";
import type { AssessmentRules } from "./generated/console/AssessmentRules";
import type { Commendation } from "./generated/console/Commendation";
import type { CommendationInput } from "./generated/console/CommendationInput";
import type { RulesInput } from "./generated/console/RulesInput";
import type { SummaryReport } from "./generated/console/SummaryReport";
import type { Account } from "./generated/console/Account";
import type { AccountBody } from "./generated/console/AccountBody";
import type { AuditEntry } from "./generated/console/AuditEntry";
import type { AuditFilter } from "./generated/console/AuditFilter";
import type { PasswordReset } from "./generated/console/PasswordReset";
import type { UserBody } from "./generated/console/UserBody";
import type { Carrier } from "./generated/console/Carrier";
import type { LotteryTermsView } from "./generated/console/LotteryTermsView";
import type { EntrantList as EntrantsView } from "./generated/console/EntrantList";
import type { DeletionReport } from "./generated/console/DeletionReport";
import type { Pool } from "./generated/console/Pool";
import type { PoolInput } from "./generated/console/PoolInput";
import type { FrozenListView } from "./generated/console/FrozenListView";
import type { ListView as PublishedList } from "./generated/console/ListView";
import type { Draw } from "./generated/console/Draw";
import type { Win } from "./generated/console/Win";
import type { WinState } from "./generated/console/WinState";
import type { ReturnReport as ReturnsReport } from "./generated/console/ReturnReport";
import type { PublicWinners } from "./generated/console/PublicWinners";
import type { CampaignRecord } from "./generated/console/CampaignRecord";
import type { CampaignBody } from "./generated/console/CampaignBody";
import type { ItemBody } from "./generated/console/ItemBody";
import type { ItemUpdateBody } from "./generated/console/ItemUpdateBody";
import type { LedgerEntry } from "./generated/console/LedgerEntry";
import type { UnitLink } from "./generated/console/UnitLink";
import type { UnitLinks } from "./generated/console/UnitLinks";

// Every shape the central sends or takes is generated from its Rust type (`cargo xtask
// types`); these re-exports are the names the console's pages use.
export type { Bulletin } from "./generated/console/Bulletin";
export type { BulletinLine } from "./generated/console/BulletinLine";
export type { PublishedDay } from "./generated/console/PublishedDay";
export type { Dashboard } from "./generated/console/Dashboard";
export type { DeviceLine } from "./generated/console/DeviceLine";
export type { DeviceRecord } from "./generated/console/DeviceRecord";
export type { DeviceShare } from "./generated/console/DeviceShare";
export type { ErrorCode } from "./generated/console/ErrorCode";
export type { HandoutLine } from "./generated/console/HandoutLine";
export type { IssuedCode } from "./generated/console/IssuedCode";
export type { ItemLine } from "./generated/console/ItemLine";
export type { PlanView } from "./generated/console/PlanView";
export type { QuarantineCode } from "./generated/console/QuarantineCode";
export type { QuarantinedEvent } from "./generated/console/QuarantinedEvent";
export type { Records } from "./generated/console/Records";
export type { Role } from "./generated/console/Role";
export type { RowIssue as ImportIssue } from "./generated/console/RowIssue";
export type { RowIssueCode } from "./generated/console/RowIssueCode";
export type { SectionRecord } from "./generated/console/SectionRecord";
export type { SkipReason } from "./generated/console/SkipReason";
export type { StockBalance } from "./generated/console/StockBalance";
export type { TopUpRequestLine } from "./generated/console/TopUpRequestLine";
export type { TopUpStatus } from "./generated/console/TopUpStatus";
export type { UnitRecord } from "./generated/console/UnitRecord";
export type { User } from "./generated/console/User";
export type { Account } from "./generated/console/Account";
export type { AccountBody } from "./generated/console/AccountBody";
export type { AuditEntry } from "./generated/console/AuditEntry";
export type { AuditFilter } from "./generated/console/AuditFilter";
export type { PasswordReset } from "./generated/console/PasswordReset";
export type { UserBody } from "./generated/console/UserBody";
// The assessment and the summary meeting (issue 13).
export type { Assessment } from "./generated/console/Assessment";
export type { AssessmentRules } from "./generated/console/AssessmentRules";
export type { Award } from "./generated/console/Award";
export type { Commendation } from "./generated/console/Commendation";
export type { CommendationInput } from "./generated/console/CommendationInput";
export type { CommendationLine } from "./generated/console/CommendationLine";
export type { GiftAccount } from "./generated/console/GiftAccount";
export type { RulesInput } from "./generated/console/RulesInput";
export type { Shortfall } from "./generated/console/Shortfall";
export type { SummaryReport } from "./generated/console/SummaryReport";
export type { UnitAssessment } from "./generated/console/UnitAssessment";

// The lottery (issue 12): docs/lottery/api.md.
export type { Carrier } from "./generated/console/Carrier";
export type { LotteryTermsView } from "./generated/console/LotteryTermsView";
export type { EntrantList as EntrantsView } from "./generated/console/EntrantList";
export type { DeletionReport } from "./generated/console/DeletionReport";
export type { Pool } from "./generated/console/Pool";
export type { PoolInput } from "./generated/console/PoolInput";
export type { Delivery } from "./generated/console/Delivery";
export type { FrozenListView } from "./generated/console/FrozenListView";
export type { ListView as PublishedList } from "./generated/console/ListView";
export type { Draw } from "./generated/console/Draw";
export type { DrawnEntry } from "./generated/console/DrawnEntry";
export type { Win } from "./generated/console/Win";
export type { WinState } from "./generated/console/WinState";
export type { ReturnReport as ReturnsReport } from "./generated/console/ReturnReport";
export type { PublicWinners } from "./generated/console/PublicWinners";

// Stock, the campaign and the units' survey links (issue 13).
export type { CampaignRecord } from "./generated/console/CampaignRecord";
export type { CampaignBody } from "./generated/console/CampaignBody";
export type { ItemBody } from "./generated/console/ItemBody";
export type { ItemUpdateBody } from "./generated/console/ItemUpdateBody";
export type { LedgerEntry } from "./generated/console/LedgerEntry";
export type { UnitLink } from "./generated/console/UnitLink";
export type { UnitLinks } from "./generated/console/UnitLinks";

/** An import preview: of the task table's rows or of the count sheet's. */
export type Preview<Row = TaskRow | CountRow> = PreviewOf<Row>;
/** What applying an import answers: the task table's outcome or the count sheet's total. */
export type ImportApplied = TasksApplied | CountsApplied;
/** The import routes' path segment (`/imports/{kind}`): URLs, not a wire type. */
export type ImportKind = "task-table" | "collection-counts";
/** The export routes' file names (`/exports/{kind}.xlsx`): URLs, not a wire type. */
export type ExportKind = "bulletin" | "handouts" | "volunteer-hours" | "plan-assessment" | "assessment";
/**
 * A refusal's code: one of the central's, or the console's own when no answer came
 * (`network`) or the answer was no error body (`http_<status>`).
 */
export type RefusalCode = ErrorCode | "network" | `http_${number}`;

/**
 * The facts a refusal rests on (numbers, names, times), each with the codes that name it, so
 * that the console words the refusal itself instead of quoting the central's English.
 */
export type RefusalFacts = Pick<
  ErrorDetail,
  "requested" | "available" | "promised" | "plan_status" | "closes_at" | "frozen_at" | "pool" | "item" | "entry"
>;

/** The facts of an error body, without its code, message and field. */
function refusalFacts(detail: Partial<ErrorDetail> | undefined): RefusalFacts {
  const facts: RefusalFacts = {};
  if (detail === undefined) return facts;
  if (detail.requested !== undefined) facts.requested = detail.requested;
  if (detail.available !== undefined) facts.available = detail.available;
  if (detail.promised !== undefined) facts.promised = detail.promised;
  if (detail.plan_status !== undefined) facts.plan_status = detail.plan_status;
  if (detail.closes_at !== undefined) facts.closes_at = detail.closes_at;
  if (detail.frozen_at !== undefined) facts.frozen_at = detail.frozen_at;
  if (detail.pool !== undefined) facts.pool = detail.pool;
  if (detail.item !== undefined) facts.item = detail.item;
  if (detail.entry !== undefined) facts.entry = detail.entry;
  return facts;
}

/** A refusal from the central, with its stable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: RefusalCode,
    message: string,
    readonly field: string | null = null,
    /** With `login_throttled`: when the login may be tried again (RFC 3339). */
    readonly retryAt: string | null = null,
    /** With `sheet_too_large` / `sheet_too_wide`: the rows or columns a sheet may have. */
    readonly limit: number | null = null,
    readonly facts: RefusalFacts = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** The console's calls to the central. */
export class HttpBackend {
  constructor(
    private readonly base = "/api/v1",
    private readonly fetchFn: Fetch = (input, init) => fetch(input, init),
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, credentials: "same-origin", headers: {} };
    if (body instanceof Blob) {
      init.body = body;
      init.headers = { "Content-Type": "application/octet-stream" };
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { "Content-Type": "application/json" };
    }
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, init);
    } catch (e) {
      throw new HttpError(0, "network", e instanceof Error ? e.message : String(e));
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    if (!res.ok) {
      const err = (json as Partial<ErrorBody> | null)?.error;
      throw new HttpError(
        res.status,
        err?.code ?? `http_${res.status}`,
        err?.message ?? text,
        err?.field ?? null,
        err?.retry_at ?? null,
        err?.limit ?? null,
        refusalFacts(err),
      );
    }
    return json as T;
  }

  /** The logged-in user, or null when there is no (valid) session. */
  async me(): Promise<User | null> {
    try {
      const me = await this.call<Me>("GET", "/auth/me");
      return me.kind === "user" ? me.user : null;
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) return null;
      throw e;
    }
  }
  async login(username: string, password: string): Promise<User> {
    const me = await this.call<Me>("POST", "/auth/login", { username, password });
    if (me.kind !== "user") throw new HttpError(500, "internal", "login answered a device");
    return me.user;
  }
  logout(): Promise<void> {
    return this.call("POST", "/auth/logout");
  }

  dashboard(): Promise<Dashboard> {
    return this.call("GET", "/dashboard");
  }
  plans(status?: PlanStatus): Promise<ActivityPlan[]> {
    return this.call("GET", status === undefined ? "/plans" : `/plans?status=${status}`);
  }
  plan(id: string): Promise<PlanView> {
    return this.call("GET", `/plans/${id}`);
  }
  units(): Promise<Unit[]> {
    return this.call("GET", "/units");
  }
  items(): Promise<Item[]> {
    return this.call("GET", "/items");
  }
  /** The assessment (按采集量考核): every unit, or a unit's own account's unit. */
  assessment(): Promise<Assessment> {
    return this.call("GET", "/assessment");
  }
  /** Sets the assessment's thresholds (a secretariat admin). */
  putAssessmentRules(rules: RulesInput): Promise<AssessmentRules> {
    return this.call("PUT", "/assessment/rules", rules);
  }
  /** The summary meeting's report (the secretariat's). */
  summary(): Promise<SummaryReport> {
    return this.call("GET", "/summary");
  }
  /** Confirms the commendations in the order given; an empty list withdraws them. */
  confirmCommendations(commendations: CommendationInput[]): Promise<Commendation[]> {
    return this.call("PUT", "/summary/commendations", { commendations });
  }
  stock(): Promise<StockBalance[]> {
    return this.call("GET", "/stock");
  }
  createItem(item: ItemBody): Promise<Item> {
    return this.call("POST", "/items", item);
  }
  /** Renames an item, replaces its unit label and donor (code and kind stay). */
  updateItem(id: string, item: ItemUpdateBody): Promise<Item> {
    return this.call("PUT", `/items/${id}`, item);
  }
  receive(item_id: string, quantity: number, note: string | null): Promise<LedgerEntry> {
    return this.call("POST", "/stock/receipts", { item_id, quantity, note });
  }
  /** A write-off; `note` is its reason, which the central requires. */
  writeOff(item_id: string, quantity: number, note: string): Promise<LedgerEntry> {
    return this.call("POST", "/stock/write-offs", { item_id, quantity, note });
  }
  /** The campaign, or null before it is set up. */
  async campaign(): Promise<CampaignRecord | null> {
    try {
      return await this.call<CampaignRecord>("GET", "/campaign");
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return null;
      throw e;
    }
  }
  putCampaign(body: CampaignBody): Promise<CampaignRecord> {
    return this.call("PUT", "/campaign", body);
  }
  unitLinks(unitId: string): Promise<UnitLinks> {
    return this.call("GET", `/units/${unitId}/links`);
  }
  addUnitLink(unitId: string, label: string, url: string): Promise<UnitLink> {
    return this.call("POST", `/units/${unitId}/links`, { label, url });
  }
  removeUnitLink(unitId: string, linkId: string): Promise<UnitLink> {
    return this.call("DELETE", `/units/${unitId}/links/${linkId}`);
  }
  devices(): Promise<DeviceRecord[]> {
    return this.call("GET", "/devices");
  }
  approve(planId: string, allocation: ItemQuantity[]): Promise<PlanView> {
    return this.call("POST", `/plans/${planId}/approve`, { allocation });
  }
  reject(planId: string, reason: string): Promise<PlanView> {
    return this.call("POST", `/plans/${planId}/reject`, { reason });
  }
  close(planId: string): Promise<PlanView> {
    return this.call("POST", `/plans/${planId}/close`);
  }
  grant(planId: string, share: DeviceShare): Promise<Grant> {
    return this.call("POST", `/plans/${planId}/grants`, share);
  }
  release(planId: string, share: DeviceShare): Promise<PlanView> {
    return this.call("POST", `/plans/${planId}/releases`, share);
  }
  topUpRequests(status?: TopUpStatus): Promise<TopUpRequestLine[]> {
    return this.call("GET", `/top-up-requests${status ? `?status=${status}` : ""}`);
  }
  /** Grants the request (its own quantity when `quantity` is left out). */
  fulfilTopUp(id: string, quantity?: number): Promise<TopUpRequestLine> {
    return this.call("POST", `/top-up-requests/${id}/fulfil`, quantity === undefined ? {} : { quantity });
  }
  declineTopUp(id: string, reason: string): Promise<TopUpRequestLine> {
    return this.call("POST", `/top-up-requests/${id}/decline`, { reason });
  }
  previewImport(kind: ImportKind, file: Blob): Promise<Preview> {
    return this.call("POST", `/imports/${kind}/preview`, file);
  }
  applyImport(kind: ImportKind, file: Blob, skipBadRows: boolean): Promise<ImportApplied> {
    return this.call("POST", `/imports/${kind}${skipBadRows ? "?skip_bad_rows=true" : ""}`, file);
  }
  issueCode(unitId: string): Promise<IssuedCode> {
    return this.call("POST", "/enrollment-codes", { unit_id: unitId });
  }
  revoke(deviceId: string): Promise<DeviceRecord> {
    return this.call("POST", `/devices/${deviceId}/revoke`);
  }

  lotteryTerms(): Promise<LotteryTermsView> {
    return this.call("GET", "/lottery/terms");
  }
  saveLotteryTerms(consent_text: string, consent_version: string): Promise<LotteryTermsView> {
    return this.call("PUT", "/lottery/terms", { consent_text, consent_version });
  }
  entrants(): Promise<EntrantsView> {
    return this.call("GET", "/lottery/entrants");
  }
  closeLottery(reason: string): Promise<DeletionReport> {
    return this.call("POST", "/lottery/close", { reason });
  }
  setRetention(delete_on: string | null): Promise<LotteryTermsView> {
    return this.call("PUT", "/lottery/retention", { delete_on });
  }
  deletions(): Promise<DeletionReport[]> {
    return this.call("GET", "/lottery/deletions");
  }
  pools(): Promise<Pool[]> {
    return this.call("GET", "/lottery/pools");
  }
  createPool(input: PoolInput): Promise<Pool> {
    return this.call("POST", "/lottery/pools", input);
  }
  updatePool(id: string, input: PoolInput): Promise<Pool> {
    return this.call("PUT", `/lottery/pools/${id}`, input);
  }
  freezeList(): Promise<FrozenListView> {
    return this.call("POST", "/lottery/list/freeze");
  }
  publishedList(): Promise<PublishedList | null> {
    return this.call("GET", "/lottery/list");
  }
  /** Runs the draw with the public value announced in advance. */
  draw(public_value: string, value_source: string): Promise<Draw> {
    return this.call("POST", "/lottery/draws", { public_value, value_source });
  }
  /** The standing draw, or null. */
  currentDraw(): Promise<Draw | null> {
    return this.call("GET", "/lottery/draw");
  }
  voidDraw(id: string, reason: string): Promise<Draw> {
    return this.call("POST", `/lottery/draws/${id}/void`, { reason });
  }
  wins(): Promise<Win[]> {
    return this.call("GET", "/lottery/wins");
  }
  setWin(id: string, state: WinState, note: string): Promise<Win> {
    return this.call("PUT", `/lottery/wins/${id}`, { state, note });
  }
  handover(id: string, station: string, handed_at: string): Promise<Win> {
    return this.call("POST", `/lottery/wins/${id}/handover`, { station, handed_at });
  }
  /** Passes a given-up prize to the pool's next-ranked reserve without a prize. */
  promote(id: string): Promise<Win> {
    return this.call("POST", `/lottery/wins/${id}/promote`);
  }
  uploadReturns(carrier: Carrier, file: Blob): Promise<ReturnsReport> {
    return this.call("POST", `/lottery/carriers/${carrier}/returns`, file);
  }
  publicWinners(): Promise<PublicWinners | null> {
    return this.call("GET", "/lottery/winners/public");
  }
  /** The published list, byte for byte (a plain link). */
  listCsvUrl(): string {
    return `${this.base}/lottery/list.csv`;
  }
  /** A carrier's winners with full numbers: only that carrier's account may download it. */
  carrierWinnersUrl(carrier: Carrier): string {
    return `${this.base}/lottery/carriers/${carrier}/winners.xlsx`;
  }

  /** Every console account with its standing (secretariat admin). */
  accounts(): Promise<Account[]> {
    return this.call("GET", "/users");
  }
  createAccount(body: UserBody): Promise<User> {
    return this.call("POST", "/users", body);
  }
  changeAccount(id: string, body: AccountBody): Promise<Account> {
    return this.call("PUT", `/users/${id}`, body);
  }
  setDisabled(id: string, disabled: boolean): Promise<Account> {
    return this.call("POST", `/users/${id}/${disabled ? "disable" : "enable"}`);
  }
  /** Resets a password to `password`, or to one the server makes (answered once) when null. */
  resetPassword(id: string, password: string | null): Promise<PasswordReset> {
    return this.call("POST", `/users/${id}/password`, password === null ? {} : { password });
  }
  /** One page of the audit log, newest first (`filter.before`: the previous page's last seq). */
  audit(filter: AuditFilter, limit: number): Promise<AuditEntry[]> {
    return this.call("GET", `/audit?${auditQuery(filter)}&limit=${limit}`);
  }
  auditActions(): Promise<string[]> {
    return this.call("GET", "/audit/actions");
  }
  /** The audit log's export, filtered as the page is (every page, not just the one shown). */
  auditExportUrl(filter: AuditFilter): string {
    const { before: _before, ...rest } = filter;
    return `${this.base}/exports/audit-log.xlsx?${auditQuery(rest)}`;
  }

  /** Where the browser downloads an export (a plain link: the cookie goes along). */
  /** Today's bulletin as the records stand (not archived). */
  liveBulletin(): Promise<Bulletin> {
    return this.call("GET", "/bulletin");
  }
  /** The days whose bulletin was published, newest first. */
  bulletinDays(): Promise<PublishedDay[]> {
    return this.call("GET", "/bulletins");
  }
  /** A day's bulletin exactly as it was published. */
  bulletin(day: string): Promise<Bulletin> {
    return this.call("GET", `/bulletins/${day}`);
  }
  /** Publishes today's bulletin (China time) into the archive. */
  publishBulletin(): Promise<Bulletin> {
    return this.call("POST", "/bulletins");
  }
  /** The API's base path, for links the browser follows itself (downloads). */
  get apiBase(): string {
    return this.base;
  }
  exportUrl(kind: ExportKind): string {
    return `${this.base}/exports/${kind}.xlsx`;
  }
  /** One unit's A4 poster, or every unit's when `unitId` is undefined. */
  posterUrl(unitId?: string): string {
    return unitId === undefined ? `${this.base}/posters` : `${this.base}/posters/${unitId}`;
  }
  /** The A4 poster of one of a unit's extra survey links. */
  linkPosterUrl(unitId: string, linkId: string): string {
    return `${this.base}/posters/${unitId}/links/${linkId}`;
  }
}

/** An audit filter as a query string: the conditions given, blank ones left out. */
export function auditQuery(filter: AuditFilter): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value !== null && value !== undefined && String(value).trim() !== "") q.set(key, String(value));
  }
  return q.toString();
}
