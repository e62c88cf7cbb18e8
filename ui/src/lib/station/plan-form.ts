/**
 * The team leader's plan form: what is typed (strings, China wall-clock times) and the
 * `PlanContent` the store takes (UTC instants, numbers).
 */
import type { ActivityPlan } from "../api/generated/station/ActivityPlan";
import type { CommandError } from "../api/backend";
import type { Item } from "../api/generated/station/Item";
import type { PlanContent } from "../api/generated/domain/PlanContent";

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const WALL_TIME = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$/;

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** `2022-08-06 09:30` read as China time (UTC+8), as an RFC 3339 UTC instant; null if malformed. */
export function chinaWallTimeToUtc(text: string): string | null {
  const m = WALL_TIME.exec(text.trim());
  if (m === null) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(utc).getUTCDate() !== day) return null;
  return new Date(utc - CHINA_OFFSET_MS).toISOString().replace(".000Z", "Z");
}

/** An RFC 3339 instant as China wall-clock time, `2022-08-06 09:30`. */
export function utcToChinaWallTime(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return instant;
  const d = new Date(ms + CHINA_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

/** The form as typed. `requested` maps item ids to the typed quantity. */
export type PlanForm = {
  title: string;
  location: string;
  startsAt: string;
  endsAt: string;
  expectedPeople: string;
  staff: string;
  requested: Record<string, string>;
};

/** A fresh form: today 09:00–17:00 China time, nothing requested. */
export function emptyPlanForm(nowMs: number, items: readonly Item[]): PlanForm {
  const today = utcToChinaWallTime(new Date(nowMs).toISOString()).slice(0, 10);
  return {
    title: "",
    location: "",
    startsAt: `${today} 09:00`,
    endsAt: `${today} 17:00`,
    expectedPeople: "",
    staff: "",
    requested: Object.fromEntries(items.map((i) => [i.id, ""])),
  };
}

/** The form of an existing plan, for revising it. */
export function planToForm(plan: ActivityPlan, items: readonly Item[]): PlanForm {
  const requested: Record<string, string> = Object.fromEntries(items.map((i) => [i.id, ""]));
  for (const line of plan.requested) requested[line.item_id] = String(line.quantity);
  return {
    title: plan.title,
    location: plan.location,
    startsAt: utcToChinaWallTime(plan.starts_at),
    endsAt: utcToChinaWallTime(plan.ends_at),
    expectedPeople: String(plan.expected_people),
    staff: plan.staff,
    requested,
  };
}

const wholeNumber = (text: string): number | null => {
  const t = text.trim();
  if (t === "") return 0;
  return /^\d{1,9}$/.test(t) ? Number(t) : null;
};

/**
 * The store's input for the form, or the first field the UI can already tell is wrong
 * (malformed times and numbers). Everything else (blank title, end before start, …) is the
 * store's to refuse, so the rules live in one place.
 */
export function planFormToInput(form: PlanForm): { ok: true; input: PlanContent } | { ok: false; error: CommandError } {
  const startsAt = chinaWallTimeToUtc(form.startsAt);
  if (startsAt === null) return { ok: false, error: { kind: "invalid_time", message: form.startsAt, field: "starts_at" } };
  const endsAt = chinaWallTimeToUtc(form.endsAt);
  if (endsAt === null) return { ok: false, error: { kind: "invalid_time", message: form.endsAt, field: "ends_at" } };
  const expected = wholeNumber(form.expectedPeople);
  if (expected === null) {
    return { ok: false, error: { kind: "invalid_quantity", message: form.expectedPeople, field: "expected_people" } };
  }
  const requested = [];
  for (const [itemId, typed] of Object.entries(form.requested)) {
    const quantity = wholeNumber(typed);
    if (quantity === null) return { ok: false, error: { kind: "invalid_quantity", message: typed, field: "requested" } };
    if (quantity > 0) requested.push({ item_id: itemId, quantity });
  }
  return {
    ok: true,
    input: {
      title: form.title,
      location: form.location,
      starts_at: startsAt,
      ends_at: endsAt,
      expected_people: expected,
      staff: form.staff,
      requested,
    },
  };
}
