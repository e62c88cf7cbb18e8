/** The home screen's lines about the unit's progress, from the latest published bulletin. */
import type { UnitProgress } from "../api/generated/station/UnitProgress";
import { translate, type Locale } from "../i18n/catalogue";
import { formatCount } from "../format";

/** What the home screen shows, line by line. */
export type ProgressLines = {
  /** `本单位已采集 1,234 / 3,200 份（38.6%）` */
  collected: string;
  /** `完成率第 5 名，采集量第 3 名` */
  ranks: string;
  /** `共 12 个单位 · 8月5日 采集数据通报` */
  source: string;
};

/** The day `2022-08-05` as the bulletin names it: `8月5日` in Chinese, `8/5` in English. */
function bulletinDay(day: string, locale: Locale): string {
  const m = /^\d{4}-(\d{2})-(\d{2})$/.exec(day);
  if (m === null) return day;
  const [month, date] = [Number(m[1]), Number(m[2])];
  return locale === "zh-CN" ? `${month}月${date}日` : `${month}/${date}`;
}

/** The unit's progress in the reader's language: counts grouped, the rate to one decimal. */
export function progressLines(p: UnitProgress, locale: Locale): ProgressLines {
  return {
    collected: translate(locale, "unit.progress.collected", {
      collected: formatCount(p.collected, locale),
      quota: formatCount(p.quota, locale),
      percent: p.progress_percent.toFixed(1),
    }),
    ranks: translate(locale, "unit.progress.ranks", { rate: p.rank_by_rate, count: p.rank_by_count }),
    source: translate(locale, "unit.progress.of", { units: p.units, day: bulletinDay(p.day, locale) }),
  };
}
