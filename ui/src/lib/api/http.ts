/**
 * The secretariat console's backend: the central's HTTP API under `/api/v1`, with the
 * session cookie (HttpOnly, SameSite=Strict) the browser sends by itself. The console is
 * served by the same server, so every call is same-origin.
 *
 * Errors reject with `HttpError` carrying the server's `{error: {code, message, field}}`.
 */
import type { ActivityPlan } from "./generated/domain/ActivityPlan";
import type { Campaign } from "./generated/domain/Campaign";
import type { Item } from "./generated/domain/Item";
import type { ItemQuantity } from "./generated/domain/ItemQuantity";
import type { PlanStatus } from "./generated/domain/PlanStatus";
import type { Section } from "./generated/domain/Section";
import type { Unit } from "./generated/domain/Unit";

export type Role = "admin" | "viewer";
export type User = { id: string; username: string; role: Role; unit_id: string | null };

export type ItemFlow = { item_id: string; allocated: number; handed_out: number };
export type UnitRecord = {
  unit: Unit;
  collected: number;
  progress_percent: number;
  rank: number;
  items: ItemFlow[];
  plans: { plan_id: string; title: string; status: PlanStatus; items: ItemFlow[] }[];
};
export type SectionRecord = {
  section: Section;
  units: number;
  quota: number;
  collected: number;
  progress_percent: number;
};
export type Records = {
  campaign: Campaign & { note: string | null };
  totals: { target: number; quota: number; collected: number; progress_percent: number };
  sections: SectionRecord[];
  units: UnitRecord[];
};
export type HandoutLine = {
  id: string;
  plan_id: string;
  unit_id: string;
  device_id: string;
  device_name: string;
  item_id: string;
  quantity: number;
  backed: number;
  handed_out_at: string;
  over_grant_reason: string | null;
  voided_at: string | null;
  void_reason: string | null;
};
export type QuarantinedEvent = {
  device_id: string;
  unit_id: string;
  seq: number;
  kind: string;
  received_at: string;
  code: string | null;
  reason: string;
};
export type DeviceRecord = {
  id: string;
  unit_id: string;
  name: string;
  enrolled_at: string;
  revoked_at: string | null;
};
export type DeviceLine = DeviceRecord & {
  unit_name: string;
  /** When the central received the device's newest stored event. */
  last_push_at: string | null;
  /**
   * The later of `last_push_at` and the device's last push or pull. The central keeps the
   * latter in memory only: right after it restarts this is just `last_push_at`.
   */
  last_contact_at: string | null;
  last_seq: number;
};
export type ItemLine = {
  item: Item;
  received: number;
  on_hand: number;
  allocated: number;
  handed_out: number;
};
export type Dashboard = {
  now: string;
  records: Records;
  daily: { day: string; count: number }[];
  items: ItemLine[];
  exceptions: { over_grant: HandoutLine[]; quarantined: QuarantinedEvent[] };
  devices: DeviceLine[];
  plans_submitted: number;
};
export type StockBalance = {
  item: Item;
  received: number;
  written_off: number;
  allocated: number;
  handed_out: number;
  on_hand: number;
};
export type PlanView = {
  plan: ActivityPlan;
  items: {
    item_id: string;
    requested: number;
    allocated: number;
    granted: number;
    handed_out: number;
    unbacked: number;
  }[];
  devices: {
    device_id: string;
    item_id: string;
    granted: number;
    handed_out: number;
    available: number;
  }[];
};
export type DeviceShare = { device_id: string; item_id: string; quantity: number };
export type TopUpStatus = "open" | "fulfilled" | "declined";
/** A device's top-up request (申请追加) as the central holds it. */
export type TopUpRequestLine = {
  id: string;
  plan_id: string;
  plan_title: string;
  unit_id: string;
  device_id: string;
  device_name: string;
  item_id: string;
  quantity: number;
  note: string | null;
  requested_at: string;
  received_at: string;
  status: TopUpStatus;
  grant_id: string | null;
  granted: number | null;
  decline_reason: string | null;
  decided_at: string | null;
  decided_by: string | null;
};

export type ImportKind = "task-table" | "collection-counts";
export type ImportIssue = {
  row: number;
  column: string | null;
  field: string;
  value: string;
  code: string;
  reason: string;
};
export type TaskRow = {
  row: number;
  unit: string;
  unit_id: string | null;
  section: string | null;
  quota: number;
  link: string;
  contact: string | null;
  action: "create" | "update" | "unchanged";
};
export type CountRow = { row: number; unit: string; unit_id: string; day: string; count: number };
export type Preview<Row = TaskRow | CountRow> = {
  kind: "task_table" | "counts";
  sheet: string | null;
  header_row: number;
  columns: { column: string; header: string; field: string | null }[];
  rows: Row[];
  errors: ImportIssue[];
  skipped: { row: number; reason: "title" | "blank" | "total" }[];
};
export type ImportApplied = {
  preview: Preview;
  outcome?: { created: number; updated: number; unchanged: number; sections_created: number };
  imported?: number;
};
export type IssuedCode = {
  code: string;
  unit_id: string;
  expires_at: string;
  qr_text: string;
  qr_svg: string;
};
export type ExportKind = "bulletin" | "handouts" | "volunteer-hours" | "plan-assessment";

/** A refusal from the central, with its stable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
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
      const err = (json as { error?: { code?: string; message?: string; field?: string | null } } | null)
        ?.error;
      throw new HttpError(res.status, err?.code ?? "http_" + res.status, err?.message ?? text, err?.field ?? null);
    }
    return json as T;
  }

  /** The logged-in user, or null when there is no (valid) session. */
  async me(): Promise<User | null> {
    try {
      const me = await this.call<{ kind: string; user?: User }>("GET", "/auth/me");
      return me.kind === "user" && me.user !== undefined ? me.user : null;
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) return null;
      throw e;
    }
  }
  async login(username: string, password: string): Promise<User> {
    const me = await this.call<{ user: User }>("POST", "/auth/login", { username, password });
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
  stock(): Promise<StockBalance[]> {
    return this.call("GET", "/stock");
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
  grant(planId: string, share: DeviceShare): Promise<unknown> {
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

  /** Where the browser downloads an export (a plain link: the cookie goes along). */
  exportUrl(kind: ExportKind): string {
    return `${this.base}/exports/${kind}.xlsx`;
  }
  /** One unit's A4 poster, or every unit's when `unitId` is undefined. */
  posterUrl(unitId?: string): string {
    return unitId === undefined ? `${this.base}/posters` : `${this.base}/posters/${unitId}`;
  }
}
