/**
 * Formatting shared by the station app and the secretariat console.
 *
 * Functions take the locale explicitly so that they stay pure (and testable without a
 * component); screens pass `getLocale()`.
 */
import { translate, type Locale } from "./i18n/catalogue";

/**
 * China Standard Time is UTC+8 all year (no daylight saving since 1991), so the offset is a
 * constant. Doing the arithmetic ourselves instead of `Intl.DateTimeFormat({ timeZone })`
 * gives the same text in the Tauri window (WebKitGTK), the console's browsers and Node,
 * whose ICU data and patterns differ (e.g. `8/6 09:30` vs `8月6日 09:30`).
 */
const CHINA_OFFSET_MINUTES = 8 * 60;

// RFC 3339 date-time with a mandatory offset: a wire timestamp without one is ambiguous.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** The instant a wire timestamp names, in milliseconds since the epoch; `null` if malformed. */
export function parseTimestamp(text: string): number | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, zulu, sign, oh, om] = m;
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = fields;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return null;
  }
  const offsetMinutes =
    zulu !== undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March; refuse it instead of showing a wrong day.
  if (new Date(utc).getUTCDate() !== day) return null;
  return utc - offsetMinutes * 60_000;
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/**
 * A wire timestamp (RFC 3339, normally UTC) shown in China time to the minute:
 * `8月6日 09:30` in zh-CN, `6 Aug 09:30` in en. A malformed timestamp is shown as it came,
 * so one bad row cannot blank a screen and the raw value stays visible for a bug report.
 */
export function formatTimestamp(text: string, locale: Locale): string {
  const instant = parseTimestamp(text);
  if (instant === null) return text;
  const china = new Date(instant + CHINA_OFFSET_MINUTES * 60_000);
  const month = china.getUTCMonth() + 1;
  return translate(locale, "datetime.monthDayTime", {
    month: translate(locale, monthKey(month)),
    day: china.getUTCDate(),
    time: `${pad2(china.getUTCHours())}:${pad2(china.getUTCMinutes())}`,
  });
}

/**
 * When a wait ends, as `HH:MM` China time, rounded up to the next whole minute: someone told
 * "after 09:46" who tries at 09:46:00 must not find the wait still running.
 */
export function formatClockAfter(text: string): string {
  const instant = parseTimestamp(text);
  if (instant === null) return text;
  const china = new Date(Math.ceil((instant + CHINA_OFFSET_MINUTES * 60_000) / 60_000) * 60_000);
  return `${pad2(china.getUTCHours())}:${pad2(china.getUTCMinutes())}`;
}

function monthKey(month: number): `month.${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12}` {
  return `month.${month as 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12}`;
}

/** Progress of a unit (or station) against its quota. */
export type Progress = {
  /** The true percentage, floored: 137 when a unit collected 137% of its quota. */
  percent: number;
  /** The width of a progress bar, 0..100: a bar cannot be more than full. */
  bar: number;
  /** The text to show, e.g. `137%`: over-collection is shown, it is what commendation ranks. */
  label: string;
};

/**
 * `collected / quota` as a percentage. Floored, so 99.6% reads 99% and "100%" only appears
 * once the quota is really met. A quota of 0 (not yet assigned) reads 0% rather than
 * dividing by zero; negative or non-finite inputs are treated as 0.
 */
export function formatProgress(collected: number, quota: number, locale: Locale): Progress {
  const c = Number.isFinite(collected) && collected > 0 ? collected : 0;
  const q = Number.isFinite(quota) && quota > 0 ? quota : 0;
  // Integer arithmetic first: (c * 100) / q avoids 0.29 * 100 = 28.999… flooring to 28.
  const percent = q === 0 ? 0 : Math.floor((c * 100) / q);
  return {
    percent,
    bar: Math.min(percent, 100),
    label: translate(locale, "progress.percent", { percent: formatCount(percent, locale) }),
  };
}

const COUNT_FORMATS: Record<Locale, Intl.NumberFormat> = {
  "zh-CN": new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 0 }),
  en: new Intl.NumberFormat("en", { maximumFractionDigits: 0 }),
};

/** A count with digit grouping: `50,000`. */
export function formatCount(count: number, locale: Locale): string {
  return COUNT_FORMATS[locale].format(count);
}

/**
 * A quantity with the item's counting word (`unit_label` from the server): `12 只` in zh-CN.
 * English has no counting words, so en shows the number alone (`12`).
 */
export function formatQuantity(count: number, unitLabel: string, locale: Locale): string {
  return translate(locale, "quantity.counted", { count: formatCount(count, locale), unit: unitLabel });
}
