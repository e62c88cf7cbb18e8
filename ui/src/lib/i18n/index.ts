export {
  DEFAULT_LOCALE,
  LOCALES,
  catalogues,
  interpolate,
  isLocale,
  planStatusKey,
  translate,
  type Locale,
  type MessageParams,
} from "./catalogue";
export { getLocale, planStatusLabel, setLocale, t } from "./locale.svelte";
export type { MessageKey, Messages } from "./zh-CN";
