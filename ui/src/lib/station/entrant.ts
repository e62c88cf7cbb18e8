/**
 * The entrant panel's logic (issue 12): which carrier is selected, and what a registration
 * sends. The carrier a number's prefix suggests comes from the Rust 号段 table through the
 * `suggestedCarrier` command; nothing here knows prefixes.
 */
import type { Carrier } from "../api/generated/station/Carrier";
import type { EntrantInput } from "../api/generated/station/EntrantInput";
import type { LotteryTermsView } from "../api/generated/station/LotteryTermsView";
import type { SessionId } from "../api/generated/station/SessionId";
import type { MessageKey } from "../i18n/zh-CN";

/** The four choices, in the order the published list names them. */
export const CARRIERS = ["telecom", "mobile", "unicom", "other"] as const satisfies readonly Carrier[];
// A carrier Rust adds (or drops) is a type error here, so the buttons cannot drift.
type MissingCarrier = Exclude<Carrier, (typeof CARRIERS)[number]>;
const noCarrierMissing: [MissingCarrier] extends [never] ? true : never = true;
void noCarrierMissing;

/** The catalogue key of a carrier's name (电信, 移动, 联通, 其他). */
export function carrierKey(carrier: Carrier): MessageKey {
  return `carrier.${carrier}`;
}

/**
 * The carrier shown selected: the one the volunteer tapped since the number was last
 * edited, else the prefix's suggestion, else none (the number does not parse yet).
 */
export function selectedCarrier(chosen: Carrier | null, suggested: Carrier | null): Carrier | null {
  return chosen ?? suggested;
}

/** What the panel can do under `terms` (null: none have arrived yet). */
export type PanelState = "no_terms" | "closed" | "open";

export function panelState(terms: LotteryTermsView | null): PanelState {
  if (terms === null) return "no_terms";
  return terms.registration_open ? "open" : "closed";
}

/**
 * The registration to send. The consent given is the version of the terms shown (or none
 * when the box is unticked); a number that does not parse has no carrier yet, and goes with
 * `other` so that the store names what is wrong with the number.
 */
export function entrantInput(
  sessionId: SessionId,
  phone: string,
  carrier: Carrier | null,
  consent: boolean,
  terms: LotteryTermsView,
): EntrantInput {
  return {
    session_id: sessionId,
    phone,
    carrier: carrier ?? "other",
    consent_text_version: consent ? terms.consent_version : null,
  };
}

/** Refusals after which the terms on screen may be stale: read them again. */
export function termsMayHaveChanged(kind: string): boolean {
  return kind === "lottery_terms_missing" || kind === "registration_closed" || kind === "consent_version_stale";
}
