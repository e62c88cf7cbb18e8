/**
 * The one interface the screens talk to. The station app implements it over Tauri commands
 * (`tauri.ts`); the console (a later issue) adds an HTTP implementation; tests use fakes.
 *
 * Every method rejects with a `CommandError` (`{kind, message, field?}`), never a bare string.
 */
import type { ActivityPlan } from "./generated/station/ActivityPlan";
import type { AppStatus } from "./generated/station/AppStatus";
import type { CheckInId } from "./generated/station/CheckInId";
import type { CommandError } from "./generated/station/CommandError";
import type { EnrollInput } from "./generated/station/EnrollInput";
import type { EntrantInput } from "./generated/station/EntrantInput";
import type { EntrantReceipt } from "./generated/station/EntrantReceipt";
import type { Carrier } from "./generated/station/Carrier";
import type { LotteryTermsView } from "./generated/station/LotteryTermsView";
import type { EscrowPosition } from "./generated/station/EscrowPosition";
import type { HandoutId } from "./generated/station/HandoutId";
import type { HandoutInput } from "./generated/station/HandoutInput";
import type { Item } from "./generated/station/Item";
import type { ItemGrant } from "./generated/station/ItemGrant";
import type { ItemId } from "./generated/station/ItemId";
import type { PlanId } from "./generated/station/PlanId";
import type { PlanContent } from "./generated/domain/PlanContent";
import type { SessionId } from "./generated/station/SessionId";
import type { SessionSummary } from "./generated/station/SessionSummary";
import type { SessionView } from "./generated/station/SessionView";
import type { StationSession } from "./generated/station/StationSession";
import type { SyncView } from "./generated/station/SyncView";
import type { TopUpInput } from "./generated/station/TopUpInput";
import type { TopUpRequest } from "./generated/station/TopUpRequest";
import type { TopUpRequestView } from "./generated/station/TopUpRequestView";
import type { UnitProgress } from "./generated/station/UnitProgress";
import type { UnitQr } from "./generated/station/UnitQr";
import type { VolunteerInput } from "./generated/station/VolunteerInput";

export type { CommandError };

/** What the station screens need from the store and the sync loop. */
export interface Backend {
  appStatus(): Promise<AppStatus>;
  enroll(input: EnrollInput): Promise<AppStatus>;

  todaysPlans(): Promise<ActivityPlan[]>;
  /** The unit's progress as the latest published bulletin has it; null before one reaches the tablet. */
  unitProgress(): Promise<UnitProgress | null>;
  plans(): Promise<ActivityPlan[]>;
  items(): Promise<Item[]>;
  draftPlan(input: PlanContent): Promise<ActivityPlan>;
  filePlan(planId: PlanId): Promise<ActivityPlan>;
  revisePlan(planId: PlanId, input: PlanContent): Promise<ActivityPlan>;

  openSession(planId: PlanId, station: string, volunteers: VolunteerInput[]): Promise<StationSession>;
  openSessionId(): Promise<SessionId | null>;
  /**
   * What the session screen shows. The session screen's writes below answer with it too, so
   * that a tap is one call: no reads follow a write.
   */
  sessionView(sessionId: SessionId): Promise<SessionView>;
  checkIn(sessionId: SessionId, volunteer: VolunteerInput): Promise<SessionView>;
  checkOut(checkInId: CheckInId): Promise<SessionView>;
  recordTally(sessionId: SessionId, peopleReached: number, questionnairesAssisted: number): Promise<SessionView>;
  closeSession(sessionId: SessionId): Promise<SessionSummary>;

  recordHandout(input: HandoutInput): Promise<SessionView>;
  /** Undo: cancels a handout with a compensating record. */
  voidHandout(handoutId: HandoutId, reason: string): Promise<SessionView>;
  remainingGrants(planId: PlanId): Promise<ItemGrant[]>;
  /** Asks the secretariat for more of an item (申请追加); the answer comes back by sync. */
  requestTopUp(input: TopUpInput): Promise<TopUpRequest>;
  /** This device's top-up requests under a plan, newest first, each with the answer the sync brought. */
  topUpRequests(planId: PlanId): Promise<TopUpRequestView[]>;
  /** Gives part of the unused grant back to the secretariat (归还配给). */
  releaseGrant(planId: PlanId, itemId: ItemId, quantity: number): Promise<EscrowPosition>;
  /** Registers a lottery entrant with the carrier they confirmed; the receipt is masked. */
  registerEntrant(input: EntrantInput): Promise<EntrantReceipt>;
  /** The lottery's terms as the central last sent them; `null` before the sync that brings them. */
  lotteryTerms(): Promise<LotteryTermsView | null>;
  /** The carrier to pre-select for what was typed (号段, the Rust table), once it parses. */
  suggestedCarrier(phone: string): Promise<Carrier | null>;

  syncView(): Promise<SyncView>;
  syncNow(): Promise<SyncView>;
  /** Calls `listener` whenever the sync loop's state changes; resolves to an unsubscribe. */
  onSyncChanged(listener: (view: SyncView) => void): Promise<() => void>;

  unitQr(): Promise<UnitQr>;
}

/** Whether `value` has the shape of a `CommandError`. */
export function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/**
 * Whatever a backend call threw, as a `CommandError`: a failure outside the store (the IPC
 * bridge, a bug) still reaches the screen as something it can show, with kind `app`.
 */
export function toCommandError(thrown: unknown): CommandError {
  if (isCommandError(thrown)) return thrown;
  if (thrown instanceof Error) return { kind: "app", message: thrown.message };
  return { kind: "app", message: String(thrown) };
}
