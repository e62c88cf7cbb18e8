import type { PlanStatus } from "../api/generated/domain/PlanStatus";
import {
  DEFAULT_LOCALE,
  planStatusKey,
  translate,
  type Locale,
  type MessageParams,
} from "./catalogue";
import type { MessageKey } from "./zh-CN";

// The one current locale of the window. A rune in a module: components that call `t` read it
// and re-render when it changes, without each of them subscribing.
const current = $state<{ locale: Locale }>({ locale: DEFAULT_LOCALE });

/** The current locale. Reactive when read inside a component or an effect. */
export function getLocale(): Locale {
  return current.locale;
}

/** Switch the whole UI to `locale`. */
export function setLocale(locale: Locale): void {
  current.locale = locale;
}

/** The message for `key` in the current locale, with `{name}` placeholders filled. */
export function t(key: MessageKey, params?: MessageParams): string {
  return translate(current.locale, key, params);
}

/** The label of a plan status in the current locale. */
export function planStatusLabel(status: PlanStatus): string {
  return t(planStatusKey(status));
}
