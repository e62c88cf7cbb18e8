// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import type { Backend, CommandError } from "../lib/api/backend";
import type { Handout } from "../lib/api/generated/station/Handout";
import type { HandoutInput } from "../lib/api/generated/station/HandoutInput";
import type { Item } from "../lib/api/generated/station/Item";
import type { SessionSummary } from "../lib/api/generated/station/SessionSummary";
import SessionScreen from "./SessionScreen.svelte";

const mask: Item = { id: "m", code: "mask", name: "医疗专用口罩", kind: "gift", unit_label: "只", donor: null };

/** Just enough of the store for the session screen: one item, a grant of `granted`. */
function fakeStore(granted: number) {
  const handouts: (Handout & { voided: boolean })[] = [];
  const live = () => handouts.filter((h) => !h.voided);
  const summary = (): SessionSummary => ({
    session: { id: "s", plan_id: "p", device_id: "d", station: "步行街", opened_at: "2022-08-06T01:00:00Z", closed_at: null },
    plan_title: "步行街宣传站",
    people_reached: 0,
    questionnaires_assisted: 0,
    volunteers: [],
    handouts: [
      {
        item_id: "m",
        item_name: mask.name,
        unit_label: "只",
        quantity: live().length,
        exceptions: live().filter((h) => h.over_grant_reason !== null).length,
        voided: handouts.length - live().length,
      },
    ],
    entrants: 0,
  });
  const backend = {
    sessionSummary: async () => summary(),
    items: async () => [mask],
    remainingGrants: async () => [
      {
        item: mask,
        position: { granted, released: 0, handed_out: live().length },
        available: Math.max(0, granted - live().length),
      },
    ],
    lastHandout: async () => live().at(-1) ?? null,
    recordHandout: async (input: HandoutInput) => {
      const reason = input.over_grant_reason?.trim() || null;
      if (live().length + input.quantity > granted && reason === null) {
        const refusal: CommandError = { kind: "over_grant", message: "only 0 remain" };
        throw refusal;
      }
      const h = {
        id: `h${handouts.length}`,
        session_id: "s",
        plan_id: "p",
        item_id: input.item_id,
        quantity: input.quantity,
        handed_out_at: "2022-08-06T01:00:00Z",
        over_grant_reason: live().length + input.quantity > granted ? reason : null,
        voided: false,
      };
      handouts.push(h);
      return h;
    },
    voidHandout: async (id: string, reason: string) => {
      const h = handouts.find((x) => x.id === id);
      if (h) h.voided = true;
      return { handout_id: id, reason, voided_at: "2022-08-06T01:00:00Z" };
    },
  } as unknown as Backend;
  return { backend, handouts, live };
}

let screen: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (screen !== undefined) unmount(screen);
  screen = undefined;
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
  screen = mount(SessionScreen, { target, props: { backend, sessionId: "s", revision: 0, onClosed: () => {} } });
  await settle();
  return target;
}

const q = (root: HTMLElement, id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);

describe("the session screen", () => {
  it("records one handout per tap and shows the remaining grant", async () => {
    const store = fakeStore(2);
    const root = await render(store.backend);
    expect(q(root, "gift-remaining")?.textContent?.trim()).toBe("剩余 2 只");
    q(root, "gift")?.click();
    await settle();
    expect(store.live().length, "one tap, one handout").toBe(1);
    expect(q(root, "gift-remaining")?.textContent?.trim()).toBe("剩余 1 只");
  });

  it("offers recording anyway with a reason when the grant is used up, keeping the reason typed on error", async () => {
    const store = fakeStore(0);
    const root = await render(store.backend);
    q(root, "gift")?.click();
    await settle();
    const offer = q(root, "over-grant");
    expect(offer?.textContent, "the refusal says why, in Chinese").toContain("配额已用完");
    expect(store.live().length, "nothing recorded by the refused tap").toBe(0);

    const reason = q(root, "over-grant-reason") as HTMLInputElement;
    reason.value = "   ";
    reason.dispatchEvent(new Event("input"));
    q(root, "over-grant-record")?.click();
    await settle();
    expect(q(root, "over-grant-error")?.textContent, "a blank reason is refused beside the box").toContain("请先写明原因");

    reason.value = "箱内多出 20 只";
    reason.dispatchEvent(new Event("input"));
    q(root, "over-grant-record")?.click();
    await settle();
    expect(store.live().map((h) => h.over_grant_reason), "kept and flagged with its reason").toEqual(["箱内多出 20 只"]);
    expect(q(root, "over-grant"), "the offer closes").toBeNull();
  });

  it("undoes the last tap without a confirmation dialog", async () => {
    const store = fakeStore(5);
    const root = await render(store.backend);
    q(root, "gift")?.click();
    await settle();
    q(root, "gift")?.click();
    await settle();
    const undo = q(root, "undo") as HTMLButtonElement;
    expect(undo.disabled).toBe(false);
    undo.click();
    await settle();
    expect(store.live().length, "one tap undone").toBe(1);
    expect(q(root, "gift-remaining")?.textContent?.trim()).toBe("剩余 4 只");
    expect(q(root, "gift-notice")?.textContent).toContain("已撤销");
  });
});
