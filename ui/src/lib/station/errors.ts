/**
 * Refusals from the store, in the reader's language. The store sends `{kind, message,
 * field?}`; the screens show `errorText` beside the field named by `field` (or beside the
 * button that was pressed) and keep whatever the user typed.
 */
import type { CommandError } from "../api/backend";
import { catalogues, translate, type Locale } from "../i18n/catalogue";
import type { MessageKey } from "../i18n/zh-CN";

/**
 * Every kind the shell can send: the station's `Error::kind()` names (crates/station
 * error.rs), the shell's own (src-tauri error.rs, enroll.rs) and the UI's (`invalid_time`,
 * `reason_required`, `release_exceeds`, `quantity_required`).
 */
export const ERROR_KINDS = [
  "not_enrolled",
  "already_enrolled",
  "empty_field",
  "invalid_quantity",
  "too_long",
  "unknown_plan",
  "plan_not_approved",
  "plan_transition",
  "plan_window_inverted",
  "plan_before_campaign",
  "outside_plan_window",
  "session_already_open",
  "unknown_session",
  "session_closed",
  "unknown_item",
  "over_grant",
  "unknown_handout",
  "already_voided",
  "unknown_check_in",
  "already_checked_out",
  "consent_required",
  "invalid_phone",
  "duplicate_entrant",
  "lottery_terms_missing",
  "registration_closed",
  "consent_version_stale",
  "device_key",
  "device_key_beside_store",
  "would_be_quarantined",
  "database",
  "corrupt",
  "central_unreachable",
  "enrollment_refused",
  "central_refused",
  "central_protocol",
  "central_untrusted",
  "root_certificate",
  "invalid_url",
  "invalid_time",
  "reason_required",
  "release_exceeds",
  "quantity_required",
  "qr_code",
  "no_unit",
  "app",
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

function errorKey(kind: string): MessageKey | null {
  const key = `error.${kind}`;
  return key in catalogues["zh-CN"] ? (key as MessageKey) : null;
}

/**
 * The message to show for `error`. A kind the catalogue does not know (a newer store) still
 * says something useful: the generic message with the store's own explanation.
 */
export function errorText(error: CommandError, locale: Locale): string {
  const key = errorKey(error.kind);
  if (key === null) return translate(locale, "error.unknown", { detail: error.message });
  return translate(locale, key, { detail: error.message });
}

/** Errors keyed by the input field they belong to; `_` holds one that names no field. */
export type FieldErrors = Partial<Record<string, CommandError>>;

/** Files `error` under its field (or `_`), replacing any earlier error. */
export function fieldErrors(error: CommandError): FieldErrors {
  return { [error.field ?? "_"]: error };
}
