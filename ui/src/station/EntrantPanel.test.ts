// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import type { Backend, CommandError } from "../lib/api/backend";
import type { Carrier } from "../lib/api/generated/station/Carrier";
import type { EntrantInput } from "../lib/api/generated/station/EntrantInput";
import type { LotteryTermsView } from "../lib/api/generated/station/LotteryTermsView";
import { CARRIERS, entrantInput, panelState, selectedCarrier } from "../lib/station/entrant";
import EntrantPanel from "./EntrantPanel.svelte";

const TERMS: LotteryTermsView = {
  consent_text: "您自愿参加本次调查活动的线下抽奖，号码仅用于抽奖与兑奖。",
  consent_version: "2022-v3",
  registration_open: true,
  key_fingerprint: "a1b2c3d4e5f60718",
  received_at: "2022-08-06T01:00:00Z",
};

/**
 * The store's side of the panel: terms as given, the prefix table of the Rust side for the
 * numbers the tests type (the real one is tested in Rust), and the store's own refusals.
 */
function fakeStore(terms: LotteryTermsView | null) {
  const registered: EntrantInput[] = [];
  const prefixes: Record<string, Carrier> = { "138": "mobile", "133": "telecom", "130": "unicom" };
  const implementation = {
    lotteryTerms: async () => terms,
    suggestedCarrier: async (phone: string) => {
      const digits = phone.replace(/\D/g, "");
      return digits.length === 11 ? (prefixes[digits.slice(0, 3)] ?? "other") : null;
    },
    registerEntrant: async (input: EntrantInput) => {
      if (terms === null) throw { kind: "lottery_terms_missing", message: "sync first" } satisfies CommandError;
      if (input.consent_text_version === null)
        throw { kind: "consent_required", message: "consent", field: "consent" } satisfies CommandError;
      if (input.phone.replace(/\D/g, "").length !== 11)
        throw { kind: "invalid_phone", message: "7 digits", field: "phone" } satisfies CommandError;
      registered.push(input);
      const d = input.phone.replace(/\D/g, "");
      return { id: `e${registered.length}`, phone_masked: `${d.slice(0, 3)}****${d.slice(7)}`, carrier: input.carrier };
    },
  };
  return { backend: implementation as unknown as Backend, registered };
}

let panel: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (panel !== undefined) unmount(panel);
  panel = undefined;
  document.body.innerHTML = "";
});

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    await new Promise((r) => setTimeout(r, 0));
    await tick();
  }
  flushSync();
}

async function render(backend: Backend): Promise<HTMLElement> {
  const target = document.createElement("div");
  document.body.append(target);
  panel = mount(EntrantPanel, { target, props: { backend, sessionId: "s", count: 0, onRegistered: () => {} } });
  await settle();
  return target;
}

const q = (root: HTMLElement, id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
const selected = (root: HTMLElement): string[] =>
  [...root.querySelectorAll<HTMLElement>('[data-testid="entrant-carrier"][data-selected="true"]')].map(
    (b) => b.dataset["carrier"] ?? "",
  );

async function type(root: HTMLElement, text: string): Promise<void> {
  const input = q(root, "entrant-phone") as HTMLInputElement;
  input.value = text;
  // Bubbling, as a real keystroke's: Svelte delegates `oninput` to the root.
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await settle();
}

describe("the entrant panel", () => {
  it("says in Chinese that the terms must be synced first, and offers no form", async () => {
    const root = await render(fakeStore(null).backend);
    expect(q(root, "entrant-no-terms")?.textContent).toContain("尚未收到秘书处发布的抽奖须知，请先同步");
    expect(q(root, "entrant-phone"), "no number can be typed without terms").toBeNull();
  });

  it("says registration is closed when the secretariat closed it", async () => {
    const root = await render(fakeStore({ ...TERMS, registration_open: false }).backend);
    expect(q(root, "entrant-closed")?.textContent).toContain("抽奖登记已截止");
    expect(q(root, "entrant-phone")).toBeNull();
    expect(q(root, "consent-text")?.textContent, "the terms are still shown").toContain(TERMS.consent_text);
  });

  it("shows the secretariat's consent text with its version, not a text of its own", async () => {
    const root = await render(fakeStore(TERMS).backend);
    expect(q(root, "consent-text")?.textContent).toContain(TERMS.consent_text);
    expect(q(root, "consent-version")?.textContent?.trim()).toBe("须知版本 2022-v3");
  });

  it("pre-selects the carrier of the number's prefix as it is typed, and lets the volunteer change it", async () => {
    const store = fakeStore(TERMS);
    const root = await render(store.backend);
    const buttons = root.querySelectorAll<HTMLButtonElement>('[data-testid="entrant-carrier"]');
    expect([...buttons].map((b) => b.textContent?.trim()), "four big choices").toEqual(["电信", "移动", "联通", "其他"]);
    expect(selected(root), "nothing until the number parses").toEqual([]);
    await type(root, "1381234");
    expect(selected(root)).toEqual([]);
    await type(root, "13812345678");
    expect(selected(root), "移动's range").toEqual(["mobile"]);
    // The number moved to 联通 (携号转网): the entrant says so.
    root.querySelector<HTMLButtonElement>('[data-carrier="unicom"]')?.click();
    await settle();
    expect(selected(root), "the volunteer's choice wins").toEqual(["unicom"]);
    (q(root, "entrant-consent") as HTMLInputElement).click();
    (q(root, "entrant-submit") as HTMLButtonElement).click();
    await settle();
    expect(store.registered).toEqual([
      { session_id: "s", phone: "13812345678", carrier: "unicom", consent_text_version: "2022-v3" },
    ]);
    expect(q(root, "entrant-receipt")?.textContent?.trim(), "masked, naming the carrier").toBe(
      "已登记：138****5678（联通）",
    );
    expect((q(root, "entrant-phone") as HTMLInputElement).value, "the full number leaves the screen").toBe("");
    expect(selected(root), "ready for the next entrant").toEqual([]);
  });

  it("editing the number again goes back to its prefix's carrier", async () => {
    const root = await render(fakeStore(TERMS).backend);
    await type(root, "13812345678");
    root.querySelector<HTMLButtonElement>('[data-carrier="other"]')?.click();
    await settle();
    await type(root, "13312345678");
    expect(selected(root), "a new number, a new suggestion").toEqual(["telecom"]);
  });

  it("names a missing consent beside the box and a bad number beside the number, in Chinese", async () => {
    const store = fakeStore(TERMS);
    const root = await render(store.backend);
    await type(root, "13812345678");
    (q(root, "entrant-submit") as HTMLButtonElement).click();
    await settle();
    expect(q(root, "entrant-consent-error")?.textContent).toContain("请先取得本人同意");
    expect((q(root, "entrant-phone") as HTMLInputElement).value, "what was typed is kept").toBe("13812345678");
    (q(root, "entrant-consent") as HTMLInputElement).click();
    await settle();
    expect(q(root, "entrant-consent-error"), "ticking the box answers the refusal").toBeNull();
    await type(root, "1381234");
    (q(root, "entrant-submit") as HTMLButtonElement).click();
    await settle();
    expect(q(root, "entrant-error")?.textContent).toContain("手机号码格式不对");
    expect(store.registered, "nothing registered").toEqual([]);
  });
});

describe("the entrant panel's logic", () => {
  it("lists the four carriers in the published order", () => {
    expect(CARRIERS).toEqual(["telecom", "mobile", "unicom", "other"]);
  });

  it("prefers the volunteer's choice to the suggestion", () => {
    expect(selectedCarrier(null, "mobile")).toBe("mobile");
    expect(selectedCarrier("unicom", "mobile")).toBe("unicom");
    expect(selectedCarrier(null, null)).toBeNull();
  });

  it("sends the shown terms' version as the consent, or none", () => {
    expect(entrantInput("s", "13812345678", "mobile", true, TERMS).consent_text_version).toBe("2022-v3");
    expect(entrantInput("s", "13812345678", "mobile", false, TERMS).consent_text_version).toBeNull();
    expect(entrantInput("s", "138", null, true, TERMS).carrier, "the store names the bad number").toBe("other");
  });

  it("knows when registration is possible", () => {
    expect(panelState(null)).toBe("no_terms");
    expect(panelState({ ...TERMS, registration_open: false })).toBe("closed");
    expect(panelState(TERMS)).toBe("open");
  });
});
