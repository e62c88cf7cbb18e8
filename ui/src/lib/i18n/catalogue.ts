import type { PlanStatus } from "../api/generated/domain/PlanStatus";
import { en } from "./en";
import { zhCN, type MessageKey, type Messages } from "./zh-CN";

/** The languages the UI speaks, default first. */
export const LOCALES = ["zh-CN", "en"] as const;

/** One of `LOCALES`; also the value of `<html lang>`. */
export type Locale = (typeof LOCALES)[number];

/** Chinese first: the language a new install starts in. */
export const DEFAULT_LOCALE: Locale = "zh-CN";

/** Every locale's messages, keyed by locale. */
export const catalogues: Record<Locale, Messages> = {
  "zh-CN": zhCN,
  en,
};

/** Values that can fill a `{name}` placeholder. */
export type MessageParams = Readonly<Record<string, string | number>>;

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

/**
 * Fill `{name}` placeholders from `params`. A placeholder without a value is left as it is,
 * so a forgotten parameter shows up on screen and in tests instead of becoming "undefined".
 */
export function interpolate(template: string, params?: MessageParams): string {
  if (params === undefined) return template;
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** The message for `key` in `locale`, with its placeholders filled. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  return interpolate(catalogues[locale][key], params);
}

/** Whether a string (from storage, a URL, a header) names a supported locale. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The catalogue key of a plan status label. The template type only names a key if the
 * catalogue has one, so a status added in Rust fails the type-check until it is labelled.
 */
export function planStatusKey(status: PlanStatus): `plan.status.${PlanStatus}` & MessageKey {
  return `plan.status.${status}`;
}
