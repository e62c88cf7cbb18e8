import type { Messages } from "./zh-CN";

/**
 * The English catalogue. Typed as `Messages`, so a key missing here (or one that zh-CN
 * does not have) fails the type-check.
 */
export const en: Messages = {
  "app.station": "Fieldpost Station",
  "app.console": "Secretariat console",

  "locale.zh-CN": "中文",
  "locale.en": "English",
  "locale.switch": "Interface language",

  "sync.pending": "{count} pending",
  "sync.last": "Last sync {time}",
  "sync.never": "Not synced yet",
  "sync.offline": "Offline",
  "sync.online": "Online",

  "plan.status.draft": "Draft",
  "plan.status.submitted": "Submitted",
  "plan.status.approved": "Approved",
  "plan.status.rejected": "Rejected",
  "plan.status.closed": "Closed",

  "datetime.monthDayTime": "{day} {month} {time}",
  "month.1": "Jan",
  "month.2": "Feb",
  "month.3": "Mar",
  "month.4": "Apr",
  "month.5": "May",
  "month.6": "Jun",
  "month.7": "Jul",
  "month.8": "Aug",
  "month.9": "Sep",
  "month.10": "Oct",
  "month.11": "Nov",
  "month.12": "Dec",

  "progress.percent": "{percent}%",
  // English counts items without a measure word; the counting word (只, 份) is Chinese data
  // from the server, so it is left out rather than shown untranslated.
  "quantity.counted": "{count}",
};
