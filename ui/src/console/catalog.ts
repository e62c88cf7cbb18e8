/**
 * The stock and campaign pages' logic (issue 13), kept out of the components so vitest checks
 * it without a DOM: the checks of a receipt, a write-off, an item, a survey link and the
 * campaign form (the central's own rules, said in Chinese before the request goes), the
 * China-time fields of the campaign's windows, and a refusal's text beside the field it names.
 */
import type { Locale } from "../lib/i18n/catalogue";
import { consoleTranslate, isConsoleKey } from "../lib/i18n/console";
import { parseTimestamp } from "../lib/format";
import { HttpError, type StockBalance } from "../lib/api/http";
import type { CampaignRecord } from "../lib/api/generated/console/CampaignRecord";
import type { CampaignBody } from "../lib/api/generated/console/CampaignBody";
import { chinaInstant } from "./lottery";
import { errorText } from "./logic";

/** A form's problems, by the request field they belong to, in the console's language. */
export type FieldErrors = Record<string, string>;

const CHINA = 8 * 3_600_000;
const DAY = 86_400_000;

/** Whether a typed quantity is a whole number of at least 1. */
function wholeQuantity(q: number | null | undefined): q is number {
  return typeof q === "number" && Number.isInteger(q) && q >= 1 && q <= 4_294_967_295;
}

/**
 * A receipt's or a write-off's problems. A write-off names its reason and takes no more than
 * is on hand (the central refuses both; the page says so before asking).
 */
export function checkMove(
  kind: "receipt" | "write_off",
  quantity: number | null | undefined,
  note: string,
  onHand: number,
  locale: Locale,
): FieldErrors {
  const errors: FieldErrors = {};
  if (!wholeQuantity(quantity)) {
    errors.quantity = consoleTranslate(locale, "stock.err.quantity");
  } else if (kind === "write_off" && quantity > onHand) {
    errors.quantity = consoleTranslate(locale, "stock.err.beyondOnHand", { onHand });
  }
  if (kind === "write_off" && note.trim() === "") {
    errors.note = consoleTranslate(locale, "stock.err.reason");
  }
  return errors;
}

/**
 * Whether an item's every unit is accounted: received = on hand + written off + allocated +
 * delivered to lottery winners (a prize leaves the stock when its win is delivered).
 */
export function accounted(
  b: Pick<StockBalance, "received" | "written_off" | "allocated" | "delivered_to_winners" | "on_hand">,
): boolean {
  return b.received === b.on_hand + b.written_off + b.allocated + b.delivered_to_winners;
}

/** A new or renamed item's problems (the code only when creating: it never changes). */
export function checkItem(
  item: { code?: string; name: string; unit_label: string },
  locale: Locale,
): FieldErrors {
  const errors: FieldErrors = {};
  const blank = consoleTranslate(locale, "form.required");
  if (item.code !== undefined && item.code.trim() === "") errors.code = blank;
  if (item.name.trim() === "") errors.name = blank;
  if (item.unit_label.trim() === "") errors.unit_label = blank;
  return errors;
}

/** Whether a link is a web address a phone's scanner opens: http(s), no spaces. */
export function isWebAddress(url: string): boolean {
  const u = url.trim();
  return /^https?:\/\/\S+$/i.test(u);
}

/** A new survey link's problems. */
export function checkLink(label: string, url: string, locale: Locale): FieldErrors {
  const errors: FieldErrors = {};
  if (label.trim() === "") errors.label = consoleTranslate(locale, "form.required");
  if (url.trim() === "") errors.url = consoleTranslate(locale, "form.required");
  else if (!isWebAddress(url)) errors.url = consoleTranslate(locale, "links.err.url");
  return errors;
}

/** An instant as a `datetime-local` field shows it in China time (`2022-08-03T09:00`). */
export function chinaLocal(instant: string): string {
  const t = parseTimestamp(instant);
  if (t === null) return "";
  return new Date(t + CHINA).toISOString().slice(0, 16);
}

/** The campaign as its form holds it: days as `YYYY-MM-DD`, instants in China time. */
export type CampaignForm = {
  name: string;
  city: string;
  publicity_start: string;
  publicity_end: string;
  collection_start: string;
  collection_end: string;
  target: number | null;
  note: string;
};

/** The form of a stored campaign, or an empty one. */
export function campaignForm(c: CampaignRecord | null): CampaignForm {
  return {
    name: c?.name ?? "",
    city: c?.city ?? "",
    publicity_start: c?.publicity_start ?? "",
    publicity_end: c?.publicity_end ?? "",
    collection_start: c === null ? "" : chinaLocal(c.collection_start),
    collection_end: c === null ? "" : chinaLocal(c.collection_end),
    target: c?.target ?? null,
    note: c?.note ?? "",
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The China-time calendar day (`YYYY-MM-DD`) of an instant. */
function chinaDay(t: number): string {
  return new Date(t + CHINA).toISOString().slice(0, 10);
}

/**
 * The campaign form checked as the central checks it, field by field: the body to send when
 * there is nothing to say. Collection opens on or after publicity's first day; publicity ends
 * by collection's last day (a window ending at 8/13 00:00 ends on 8/12).
 */
export function checkCampaign(
  f: CampaignForm,
  locale: Locale,
): { errors: FieldErrors; body: CampaignBody | null } {
  const say = (key: Parameters<typeof consoleTranslate>[1]) => consoleTranslate(locale, key);
  const errors: FieldErrors = {};
  if (f.name.trim() === "") errors.name = say("form.required");
  if (f.city.trim() === "") errors.city = say("form.required");
  for (const field of ["publicity_start", "publicity_end"] as const) {
    if (!DATE.test(f[field]) || Number.isNaN(Date.parse(f[field]))) errors[field] = say("camp.err.date");
  }
  const start = chinaInstant(f.collection_start);
  const end = chinaInstant(f.collection_end);
  if (start === null) errors.collection_start = say("camp.err.time");
  if (end === null) errors.collection_end = say("camp.err.time");
  if (f.target === null || !Number.isInteger(f.target) || f.target < 1 || f.target > 4_294_967_295) {
    errors.target = say("camp.err.target");
  }
  if (errors.publicity_start === undefined && errors.publicity_end === undefined && f.publicity_end < f.publicity_start) {
    errors.publicity_end = say("camp.err.publicityOrder");
  }
  const [s, e] = [start === null ? null : parseTimestamp(start), end === null ? null : parseTimestamp(end)];
  if (s !== null && e !== null && e <= s) errors.collection_end = say("camp.err.collectionOrder");
  if (s !== null && errors.publicity_start === undefined && chinaDay(s) < f.publicity_start) {
    errors.collection_start = say("camp.err.beforePublicity");
  }
  if (e !== null && errors.publicity_end === undefined && errors.collection_end === undefined) {
    const lastDay = chinaDay(e - 1);
    if (f.publicity_end > lastDay) errors.publicity_end = say("camp.err.publicityAfter");
  }
  if (Object.keys(errors).length > 0 || start === null || end === null || f.target === null) {
    return { errors, body: null };
  }
  return {
    errors,
    body: {
      name: f.name.trim(),
      city: f.city.trim(),
      publicity_start: f.publicity_start,
      publicity_end: f.publicity_end,
      collection_start: new Date(parseTimestamp(start) ?? 0).toISOString().replace(".000Z", "Z"),
      collection_end: new Date(parseTimestamp(end) ?? 0).toISOString().replace(".000Z", "Z"),
      target: f.target,
      note: f.note.trim() === "" ? null : f.note.trim(),
    },
  };
}

/** How many China-time calendar days a window spans, both ends included (for the form's summary). */
export function windowDays(startDay: string, endDay: string): number {
  const [s, e] = [Date.parse(startDay), Date.parse(endDay)];
  if (Number.isNaN(s) || Number.isNaN(e) || e < s) return 0;
  return Math.round((e - s) / DAY) + 1;
}

/**
 * How many China-time days the collection window of a form spans: from its opening day to the
 * day of its last instant (a window closing at 8/13 00:00 ends on 8/12: 8/3–8/12 is 10 days).
 */
export function collectionDays(start: string, end: string): number {
  const [s, e] = [chinaInstant(start), chinaInstant(end)];
  const [st, et] = [s === null ? null : parseTimestamp(s), e === null ? null : parseTimestamp(e)];
  if (st === null || et === null || et <= st) return 0;
  return windowDays(chinaDay(st), chinaDay(et - 1));
}

/**
 * A refusal of the central as the form shows it: beside the field it names when the console
 * has words for that field's refusal (`refuse.duplicate.url`), else as the page's message.
 */
export function refusal(e: unknown, locale: Locale): { field: string | null; text: string } {
  if (e instanceof HttpError && e.field !== null) {
    const key = `refuse.${e.code}.${e.field}`;
    if (isConsoleKey(key)) return { field: e.field, text: consoleTranslate(locale, key) };
  }
  return { field: null, text: errorText(e, locale) };
}
