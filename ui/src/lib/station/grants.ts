/**
 * The checks the grant panel (申请追加 / 归还配给) makes before it calls the store, so a
 * slip is shown beside its field at once, in the store's own kinds. The store checks the
 * same again: these only save a round trip and word the refusal for the volunteer.
 */
import type { CommandError } from "../api/backend";
import type { Item } from "../api/generated/station/Item";
import type { ItemGrant } from "../api/generated/station/ItemGrant";
import type { TopUpRequestView } from "../api/generated/station/TopUpRequestView";
import { formatTimestamp } from "../format";
import { translate, type Locale } from "../i18n/catalogue";
import { quarantineReason } from "./sync-line";

/** The longest note of a top-up request, in characters (the domain's `NOTE_MAX_CHARS`). */
export const NOTE_MAX_CHARS = 200;

/** A whole number of at least 1 (and within a u32), from a number box's value; else null. */
export function parseQuantity(value: unknown): number | null {
  const n =
    typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value.trim()) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 4_294_967_295 ? n : null;
}

/** Why a top-up request cannot be sent as typed, or null. */
export function checkTopUp(quantity: unknown, note: string): CommandError | null {
  if (parseQuantity(quantity) === null) {
    return { kind: "quantity_required", message: "a top-up request is for at least 1", field: "quantity" };
  }
  if ([...note.trim()].length > NOTE_MAX_CHARS) {
    return { kind: "too_long", message: `at most ${NOTE_MAX_CHARS} characters`, field: "note" };
  }
  return null;
}

/**
 * Why a release cannot be made as typed, or null. `availableText` is what remains, worded
 * for the reader ("3 只"): the refusal shows it.
 */
export function checkRelease(quantity: unknown, available: number, availableText: string): CommandError | null {
  const q = parseQuantity(quantity);
  if (q === null) return { kind: "quantity_required", message: "a release is at least 1", field: "quantity" };
  if (q > available) return { kind: "release_exceeds", message: availableText, field: "quantity" };
  return null;
}

/** The items a device may ask more of: every gift, and anything it holds a grant of. */
export function requestableItems(items: readonly Item[], grants: readonly ItemGrant[]): Item[] {
  return items.filter((i) => i.kind === "gift" || grants.some((g) => g.item.id === i.id));
}

/** The grant lines with something unused to give back. */
export function releasable(grants: readonly ItemGrant[]): ItemGrant[] {
  return grants.filter((g) => g.available > 0);
}

/** The reason the central gives when closing a plan declines its open requests. */
export const PLAN_CLOSED = "plan closed";

/**
 * Where one of the device's top-up requests stands, as far as the last sync knows: still on
 * the tablet, refused by the central, waiting for the secretariat, or answered.
 */
export type RequestState = "unsent" | "refused" | "waiting" | "fulfilled" | "declined";

export function requestState(view: TopUpRequestView): RequestState {
  if (view.answer !== null) return view.answer.status;
  if (view.quarantine !== null) return "refused";
  return view.sent ? "waiting" : "unsent";
}

/**
 * The line under a request that says what became of it: 尚未发出…, 中心未受理：…, 等待秘书处处理,
 * 已批准 8 只 · 8月6日 10:00, or 已拒绝：库存不足 · 8月6日 10:00. `countText` words a quantity of
 * the request's item ("8 只"). The central's `plan closed` and quarantine codes are
 * translated; a secretariat's reason is shown as it was typed.
 */
export function answerText(view: TopUpRequestView, countText: (n: number) => string, locale: Locale): string {
  const { answer, quarantine } = view;
  if (answer === null) {
    if (quarantine !== null) return translate(locale, "grants.refused", { reason: quarantineReason(quarantine, locale) });
    return translate(locale, view.sent ? "grants.waiting" : "grants.unsent");
  }
  const text =
    answer.status === "fulfilled"
      ? translate(locale, "grants.fulfilled", { count: countText(answer.granted ?? 0) })
      : translate(locale, "grants.declined", {
          reason:
            answer.reason === null || answer.reason === PLAN_CLOSED
              ? translate(locale, answer.reason === null ? "grants.noReason" : "grants.planClosed")
              : answer.reason,
        });
  return translate(locale, "grants.decidedAt", { answer: text, when: formatTimestamp(answer.decided_at, locale) });
}
