import type { PlanStatus } from "../api/generated/domain/PlanStatus";

/**
 * The zh-CN catalogue: the default language and the source of truth for the set of keys.
 *
 * Keys are flat dotted strings so that `t("sync.pending")` is checked by the compiler.
 * Placeholders are written `{name}` and filled by `t(key, { name })`.
 * Values are typed `string` (no `as const`) so that other locales only have to match the keys.
 */
export const zhCN = {
  "app.station": "Fieldpost 现场站",
  "app.console": "秘书处控制台",

  // Language names stay in their own language in every locale, so that a reader who
  // does not understand the current language can still find their own.
  "locale.zh-CN": "中文",
  "locale.en": "English",
  "locale.switch": "界面语言",

  "sync.pending": "待同步 {count} 条",
  "sync.last": "上次同步 {time}",
  "sync.never": "尚未同步",
  "sync.offline": "离线",
  "sync.online": "在线",

  "plan.status.draft": "草稿",
  "plan.status.submitted": "已提交",
  "plan.status.approved": "已批准",
  "plan.status.rejected": "已驳回",
  "plan.status.closed": "已结束",

  // Timestamps are shown in China time; see format.ts.
  "datetime.monthDayTime": "{month}{day}日 {time}",
  "month.1": "1月",
  "month.2": "2月",
  "month.3": "3月",
  "month.4": "4月",
  "month.5": "5月",
  "month.6": "6月",
  "month.7": "7月",
  "month.8": "8月",
  "month.9": "9月",
  "month.10": "10月",
  "month.11": "11月",
  "month.12": "12月",

  "progress.percent": "{percent}%",
  "quantity.counted": "{count} {unit}",
} satisfies Record<`plan.status.${PlanStatus}`, string> & Record<string, string>;

/** The shape every locale's catalogue must have: exactly the keys of zh-CN. */
export type Messages = typeof zhCN;

/** A key of the catalogue. */
export type MessageKey = keyof Messages;
