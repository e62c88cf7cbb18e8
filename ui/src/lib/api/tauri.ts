/** The `Backend` of the station app: Tauri commands over fieldpost-station. */
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { toCommandError, type Backend } from "./backend";
import type { SyncView } from "./generated/station/SyncView";

/** The event name the shell emits when the sync loop's state changes (src-tauri state.rs). */
export const SYNC_EVENT = "sync-changed";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (thrown) {
    throw toCommandError(thrown);
  }
}

/** Whether this page runs inside the Tauri window (and not in a browser or a test). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

// Tauri maps camelCase argument names to the commands' snake_case parameters; the fields of
// struct inputs (PlanContent, HandoutInput…) keep their Rust names.
export const tauriBackend: Backend = {
  appStatus: () => call("app_status"),
  enroll: (input) => call("enroll", { input }),
  todaysPlans: () => call("todays_plans"),
  unitProgress: () => call("unit_progress"),
  plans: () => call("plans"),
  items: () => call("items"),
  draftPlan: (input) => call("draft_plan", { input }),
  filePlan: (planId) => call("file_plan", { planId }),
  revisePlan: (planId, input) => call("revise_plan", { planId, input }),
  openSession: (planId, station, volunteers) => call("open_session", { planId, station, volunteers }),
  openSessionId: () => call("open_session_id"),
  sessionView: (sessionId) => call("session_view", { sessionId }),
  checkIn: (sessionId, volunteer) => call("check_in", { sessionId, volunteer }),
  checkOut: (checkInId) => call("check_out", { checkInId }),
  recordTally: (sessionId, peopleReached, questionnairesAssisted) =>
    call("record_tally", { sessionId, peopleReached, questionnairesAssisted }),
  closeSession: (sessionId) => call("close_session", { sessionId }),
  recordHandout: (input) => call("record_handout", { input }),
  voidHandout: (handoutId, reason) => call("void_handout", { handoutId, reason }),
  remainingGrants: (planId) => call("remaining_grants", { planId }),
  requestTopUp: (input) => call("request_top_up", { input }),
  topUpRequests: (planId) => call("top_up_requests", { planId }),
  releaseGrant: (planId, itemId, quantity) => call("release_grant", { planId, itemId, quantity }),
  registerEntrant: (input) => call("register_entrant", { input }),
  lotteryTerms: () => call("lottery_terms"),
  suggestedCarrier: (phone) => call("suggested_carrier", { phone }),
  syncView: () => call("sync_view"),
  syncNow: () => call("sync_now"),
  onSyncChanged: async (listener) => {
    const unlisten = await listen<SyncView>(SYNC_EVENT, (event) => listener(event.payload));
    return unlisten;
  },
  unitQr: () => call("unit_qr"),
};
