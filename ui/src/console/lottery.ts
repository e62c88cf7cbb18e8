/**
 * The lottery pages' logic, kept out of the components so vitest checks it without a DOM:
 * labels of carriers, deliveries and win states, the projector's paging of a pool's winners,
 * and the China-time instants of the handover form.
 */
import type { Locale } from "../lib/i18n/catalogue";
import { consoleTranslate, isConsoleKey, type ConsoleKey } from "../lib/i18n/console";
import type { ReturnIssueCode } from "../lib/api/generated/console/ReturnIssueCode";
import { parseTimestamp } from "../lib/format";
import type { Carrier, Delivery, Draw, Pool, ReturnsReport, WinState } from "../lib/api/http";

/** The carriers in the list's order. */
export const CARRIERS: readonly Carrier[] = ["telecom", "mobile", "unicom", "other"];
/** The carriers that donate prizes and have accounts (not "other"). */
export const PRIZE_CARRIERS: readonly Carrier[] = ["telecom", "mobile", "unicom"];
/** How a prize reaches its winner. */
export const DELIVERIES: readonly Delivery[] = ["carrier_credit", "voucher", "shipped", "at_station"];
/** A win's states, in the order a clerk meets them. */
export const WIN_STATES: readonly WinState[] = ["pending", "delivered", "unreachable", "declined"];

export function carrierLabel(carrier: Carrier, locale: Locale): string {
  return consoleTranslate(locale, `carrier.${carrier}`);
}

export function deliveryLabel(delivery: Delivery, locale: Locale): string {
  return consoleTranslate(locale, `delivery.${delivery}`);
}

export function winStateLabel(state: WinState, locale: Locale): string {
  return consoleTranslate(locale, `win.${state}`);
}

/** "所有号码" when every carrier may win, else the carriers' names joined. */
export function carriersLabel(carriers: readonly Carrier[], locale: Locale): string {
  if (CARRIERS.every((c) => carriers.includes(c))) return consoleTranslate(locale, "lot.anyCarrier");
  return CARRIERS.filter((c) => carriers.includes(c))
    .map((c) => carrierLabel(c, locale))
    .join(locale === "zh-CN" ? "、" : ", ");
}

/** The pool the projector shows at step `index`, clamped to the draw's pools; null without any. */
export function stagePool(draw: Pick<Draw, "pools">, index: number): { index: number; total: number } | null {
  const total = draw.pools.length;
  if (total === 0) return null;
  return { index: Math.min(Math.max(0, Math.trunc(index)), total - 1), total };
}

/**
 * A pool's winners in screens of at most `perScreen` (a pool of 1,000 data packs does not fit
 * one projector screen): the slice shown at `page`, and how many screens there are.
 */
export function stageScreen<T>(entries: readonly T[], perScreen: number, page: number): { shown: T[]; pages: number; page: number } {
  const size = Math.max(1, Math.trunc(perScreen));
  const pages = Math.max(1, Math.ceil(entries.length / size));
  const p = Math.min(Math.max(0, Math.trunc(page)), pages - 1);
  return { shown: entries.slice(p * size, (p + 1) * size), pages, page: p };
}

/** Columns of the projector's grid of numbers: fewer, bigger numbers for small pools. */
export function stageColumns(count: number): number {
  if (count <= 4) return Math.max(1, count);
  if (count <= 12) return 3;
  if (count <= 24) return 4;
  return 5;
}

/**
 * A `datetime-local` field's value (`2022-08-20T15:30`, China time, as the clerk reads the
 * wall clock) as an RFC 3339 instant with its +08:00 offset; null when it is not one.
 */
export function chinaInstant(local: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s ?? "00"}+08:00`);
  if (Number.isNaN(date.getTime())) return null;
  return `${y}-${mo}-${d}T${h}:${mi}:${s ?? "00"}+08:00`;
}

/** Whether a text shows a full mainland mobile number (the public pages must never). */
export function showsFullNumber(text: string): boolean {
  return /(?<!\d)1[3-9]\d{9}(?!\d)/.test(text);
}

/**
 * The pools in draw order as `docs/lottery/verify_draw.py --pools` reads them: name,
 * quantity, carriers, reserves. Published with the list, before the draw.
 */
export function poolsForVerifier(pools: readonly Pick<Pool, "name" | "quantity" | "carriers" | "reserves" | "position">[]): string {
  const ordered = [...pools].sort((a, b) => a.position - b.position);
  return `${JSON.stringify(
    ordered.map((p) => ({ name: p.name, quantity: p.quantity, carriers: CARRIERS.filter((c) => p.carriers.includes(c)), reserves: p.reserves })),
    null,
    2,
  )}\n`;
}

/**
 * Who did it, as the audit log names them (`user:admin`, `system:retention`): a user's login
 * name, or the retention date's automatic deletion.
 */
export function actorLabel(actor: string, locale: Locale): string {
  if (actor.startsWith("user:")) return actor.slice("user:".length);
  if (actor === "system:retention") return consoleTranslate(locale, "lot.retentionAuto");
  return actor;
}

/**
 * Tablets not heard from since collection closed (not revoked): entrants registered on them
 * offline would miss a list frozen now, since the central refuses entrants after the freeze.
 */
export function silentSinceCollection<D extends { last_contact_at: string | null; revoked_at: string | null }>(
  devices: readonly D[],
  collectionEnd: string,
): D[] {
  const end = parseTimestamp(collectionEnd);
  return devices.filter((d) => {
    if (d.revoked_at !== null) return false;
    const last = d.last_contact_at === null ? null : parseTimestamp(d.last_contact_at);
    return last === null || end === null || last < end;
  });
}

// Every code of a returned sheet's bad row (the Rust enum `ReturnIssueCode`, generated) has
// its `lot.returnsWhy.*` message, and every such message names a code.
type ReturnWhyKey = Extract<ConsoleKey, `lot.returnsWhy.${string}`>;
const returnWhyKeysAreCodes: [
  Exclude<ReturnWhyKey, `lot.returnsWhy.${ReturnIssueCode}`>,
  Exclude<`lot.returnsWhy.${ReturnIssueCode}`, ReturnWhyKey>,
] extends [never, never]
  ? true
  : never = true;
void returnWhyKeysAreCodes;

/**
 * A returned sheet's bad row, for the carrier's staff and the secretariat: the row, the column
 * as the sheet heads it (抽奖编号, 状态) and why, from its code, in the console's language.
 */
export function returnIssueText(issue: ReturnsReport["errors"][number], locale: Locale): string {
  const column = issue.field === "entry" || issue.field === "state" ? consoleTranslate(locale, `lot.returnsColumn.${issue.field}`) : issue.field;
  const key = `lot.returnsWhy.${issue.code}`;
  // A code this console does not know yet (a newer central) is told in the server's words.
  const reason = isConsoleKey(key) ? consoleTranslate(locale, key, { value: issue.value ?? "" }) : issue.reason;
  return consoleTranslate(locale, "lot.returnsRow", { row: String(issue.row), column, reason });
}
