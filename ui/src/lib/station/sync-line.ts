/** The sync line that every screen shows: pending events, last sync, the last error. */
import type { QuarantineNotice } from "../api/generated/station/QuarantineNotice";
import type { SyncView } from "../api/generated/station/SyncView";
import { catalogues, translate, type Locale } from "../i18n/catalogue";
import type { MessageKey } from "../i18n/zh-CN";
import { formatTimestamp } from "../format";

/** What the line says, part by part. */
export type SyncLine = {
  /** The state word: syncing, offline, error, synced, not enrolled. */
  state: "syncing" | "offline" | "error" | "ok" | "idle";
  stateLabel: string;
  pending: string;
  last: string;
  /** The last error in plain words, in the reader's language; `null` when there is none. */
  error: string | null;
  /** `n 条被隔离`, or `null` when none are. */
  quarantined: string | null;
  /** The tablet's clock is off: how far, and a request to set it; `null` when it is right. */
  clock: string | null;
};

/** How far a clock is off, rounded as a volunteer reads it: minutes, hours, or days. */
export function clockAmount(seconds: number, locale: Locale): string {
  const abs = Math.abs(seconds);
  if (abs < 3600) {
    return translate(locale, "sync.clockMinutes", { count: Math.max(1, Math.round(abs / 60)) });
  }
  if (abs < 2 * 86400) {
    return translate(locale, "sync.clockHours", { count: Math.round(abs / 3600) });
  }
  return translate(locale, "sync.clockDays", { count: Math.round(abs / 86400) });
}

/** The clock warning of the sync line, or `null` when the clock is right or not known. */
export function clockWarning(offBySeconds: number | null, locale: Locale): string | null {
  if (offBySeconds === null) return null;
  const amount = clockAmount(offBySeconds, locale);
  return translate(locale, offBySeconds > 0 ? "sync.clockAhead" : "sync.clockBehind", { amount });
}

/**
 * The store records the loop's last failure in plain English (sync_loop.rs `plain()`); say
 * it in the reader's language, keeping the central's own words where it gave any.
 */
export function syncErrorText(lastError: string, locale: Locale): string {
  if (lastError.startsWith("the central no longer accepts this device")) {
    return translate(locale, "sync.err.unauthorized");
  }
  // ClientError::Tls and ClientError::Setup (crates/sync/src/client.rs).
  if (lastError.startsWith("secure connection to the central failed:")) {
    return translate(locale, "sync.err.untrusted", { detail: afterColon(lastError) });
  }
  if (lastError.startsWith("cannot set up the connection to the central:")) {
    return translate(locale, "sync.err.rootCertificate", { detail: afterColon(lastError) });
  }
  if (lastError.startsWith("local store:")) {
    return translate(locale, "sync.err.store", { detail: lastError.slice("local store:".length).trim() });
  }
  return translate(locale, "sync.err.refused", { detail: lastError });
}

function afterColon(text: string): string {
  return text.slice(text.indexOf(":") + 1).trim();
}

export function syncLine(view: SyncView, locale: Locale): SyncLine {
  const { status, live, running } = view;
  const state: SyncLine["state"] = !running
    ? "idle"
    : live.syncing
      ? "syncing"
      : live.offline
        ? "offline"
        : status.last_error !== null
          ? "error"
          : "ok";
  const stateKey: Record<SyncLine["state"], MessageKey> = {
    syncing: "sync.syncing",
    offline: "sync.offline",
    error: "sync.failed",
    ok: "sync.online",
    idle: "sync.notEnrolled",
  };
  const count = status.quarantined.length;
  return {
    state,
    stateLabel: translate(locale, stateKey[state]),
    pending: translate(locale, "sync.pending", { count: status.pending }),
    last:
      status.last_success === null
        ? translate(locale, "sync.never")
        : translate(locale, "sync.last", { time: formatTimestamp(status.last_success, locale) }),
    error:
      status.last_error === null
        ? null
        : translate(locale, "sync.error", { error: syncErrorText(status.last_error, locale) }),
    quarantined: count === 0 ? null : translate(locale, "sync.quarantinedCount", { count }),
    clock: clockWarning(status.clock_off_by_seconds ?? null, locale),
  };
}

/** Why the central quarantined an event: its code in the reader's language, or its words. */
export function quarantineReason(notice: QuarantineNotice, locale: Locale): string {
  const key = `quarantine.${notice.code}`;
  if (key in catalogues["zh-CN"]) {
    return `${translate(locale, key as MessageKey)} (${notice.reason})`;
  }
  return notice.reason;
}
