/**
 * The console's translator: `ct(key, params)` over the console catalogues, in the same
 * current locale as the station's `t` (one language switch for the whole window).
 */
import { interpolate, type Locale, type MessageParams } from "./catalogue";
import { consoleEn } from "./console.en";
import { consoleZhCN, type ConsoleKey, type ConsoleMessages } from "./console.zh-CN";
import { getLocale } from "./locale.svelte";

export type { ConsoleKey };

/** Every locale's console messages. */
export const consoleCatalogues: Record<Locale, ConsoleMessages> = {
  "zh-CN": consoleZhCN,
  en: consoleEn,
};

/** The console message for `key` in `locale`. */
export function consoleTranslate(locale: Locale, key: ConsoleKey, params?: MessageParams): string {
  return interpolate(consoleCatalogues[locale][key], params);
}

/** The console message for `key` in the current locale (reactive in components). */
export function ct(key: ConsoleKey, params?: MessageParams): string {
  return consoleTranslate(getLocale(), key, params);
}

/** Whether `key` is a console message key (for codes that come from the server). */
export function isConsoleKey(key: string): key is ConsoleKey {
  return Object.hasOwn(consoleZhCN, key);
}
