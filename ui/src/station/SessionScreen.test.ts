// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import type { Backend, CommandError } from "../lib/api/backend";
import type { Handout } from "../lib/api/generated/station/Handout";
import type { HandoutInput } from "../lib/api/generated/station/HandoutInput";
import type { Item } from "../lib/api/generated/station/Item";
import type { SessionSummary } from "../lib/api/generated/station/SessionSummary";
import type { SessionView } from "../lib/api/generated/station/SessionView";
import type { TopUpInput } from "../lib/api/generated/station/TopUpInput";
import type { TopUpAnswer } from "../lib/api/generated/station/TopUpAnswer";
import type { TopUpRequest } from "../lib/api/generated/station/TopUpRequest";
import SessionScreen from "./SessionScreen.svelte";

const mask: Item = { id: "m", code: "mask", name: "医疗专用口罩", kind: "gift", unit_label: "只", donor: null };

/** Just enough of the store for the session screen: one item, a grant of `granted`. */
function fakeStore(granted: number) {
  const handouts: (Handout & { voided: boolean })[] = [];
  const requests: TopUpRequest[] = [];
  /** What the secretariat answered, by request id, as a sync would have brought it. */
  const answers = new Map<string, TopUpAnswer>();
  /** The requests the central confirmed, as a push would have. */
  const sent = new Set<string>();
  const releases: number[] = [];
  const released = () => releases.reduce((a, b) => a + b, 0);
  const tallies = { people: 0, assisted: 0 };
  const checkIns: { name: string; ivolunteer_id: string | null }[] = [];
  const live = () => handouts.filter((h) => !h.voided);
  const summary = (): SessionSummary => ({
    session: { id: "s", plan_id: "p", device_id: "d", station: "步行街", opened_at: "2022-08-06T01:00:00Z", closed_at: null },
    plan_title: "步行街宣传站",
    people_reached: tallies.people,
    questionnaires_assisted: tallies.assisted,
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
  const view = (): SessionView => ({
    summary: summary(),
    grants: [
      {
        item: mask,
        position: { granted, released: released(), handed_out: live().length },
        available: Math.max(0, granted - released() - live().length),
      },
    ],
    last_handout: live().at(-1) ?? null,
  });
  const implementation = {
    sessionView: async () => view(),
    items: async () => [mask],
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
      return view();
    },
    requestTopUp: async (input: TopUpInput) => {
      const r: TopUpRequest = { id: `r${requests.length}`, requested_at: "2022-08-06T03:00:00Z", ...input };
      requests.unshift(r);
      return r;
    },
    topUpRequests: async () =>
      requests.map((request) => ({
        request,
        sent: sent.has(request.id),
        quarantine: null,
        answer: answers.get(request.id) ?? null,
      })),
    releaseGrant: async (_plan: string, _item: string, quantity: number) => {
      releases.push(quantity);
      return { granted, released: released(), handed_out: live().length };
    },
    recordTally: async (_session: string, people: number, assisted: number) => {
      tallies.people += people;
      tallies.assisted += assisted;
      return view();
    },
    checkIn: async (_session: string, volunteer: { name: string; ivolunteer_id: string | null }) => {
      checkIns.push(volunteer);
      return view();
    },
    voidHandout: async (id: string) => {
      const h = handouts.find((x) => x.id === id);
      if (h) h.voided = true;
      return view();
    },
  };
  /** Every backend method called, in order, as the IPC bridge would see them. */
  const calls: string[] = [];
  const backend = new Proxy(implementation, {
    get(target, name: string) {
      const method = (target as Record<string, unknown>)[name];
      if (typeof method !== "function") return method;
      return (...args: unknown[]) => {
        calls.push(name);
        return (method as (...a: unknown[]) => unknown)(...args);
      };
    },
  }) as unknown as Backend;
  return { backend, calls, handouts, live, requests, answers, sent, releases, checkIns };
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

  it("makes exactly one backend call per tap, and loads the items once per session", async () => {
    const store = fakeStore(5);
    const root = await render(store.backend);
    expect(store.calls.filter((c) => c === "items"), "the items, once as the screen opens").toEqual(["items"]);
    store.calls.length = 0;
    q(root, "gift")?.click();
    await settle();
    expect(store.calls, "the write answers with everything the screen shows").toEqual(["recordHandout"]);
    expect(q(root, "gift-remaining")?.textContent?.trim()).toBe("剩余 4 只");
    expect((q(root, "undo") as HTMLButtonElement).disabled, "the tap is there to undo").toBe(false);

    for (let i = 0; i < 2; i += 1) {
      q(root, "gift")?.click();
      await settle();
    }
    q(root, "undo")?.click();
    await settle();
    q(root, "tally-people-add")?.click();
    await settle();
    expect(store.calls, "no reads follow the writes, and the items are not loaded again").toEqual([
      "recordHandout",
      "recordHandout",
      "recordHandout",
      "voidHandout",
      "recordTally",
    ]);
    expect(q(root, "gift-remaining")?.textContent?.trim()).toBe("剩余 3 只");
    expect(q(root, "tally-people")?.textContent, "the tally's answer is on screen").toBe("1");
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

  it("sends a top-up request with its note, and says it goes at the next sync", async () => {
    const store = fakeStore(2);
    const root = await render(store.backend);
    type("top-up-quantity", root, "20");
    type("top-up-note", root, "  下午人多  ");
    q(root, "top-up-send")?.click();
    await settle();
    expect(store.requests.map((r) => [r.item_id, r.quantity, r.note]), "one request, note trimmed").toEqual([
      ["m", 20, "下午人多"],
    ]);
    expect(q(root, "grant-notice")?.textContent).toContain("已申请追加 20 只医疗专用口罩");
    expect(q(root, "top-up-list")?.textContent, "the request is listed as waiting").toContain("医疗专用口罩 20 只");
    expect(q(root, "gift-remaining")?.textContent?.trim(), "a request is not a grant").toBe("剩余 2 只");
  });

  it("says what became of each request once a sync has brought the answer", async () => {
    const store = fakeStore(2);
    let root = await render(store.backend);
    for (const quantity of ["20", "5", "3"]) {
      type("top-up-quantity", root, quantity);
      q(root, "top-up-send")?.click();
      await settle();
    }
    const lines = () => [...root.querySelectorAll('[data-testid="top-up-request"]')] as HTMLElement[];
    expect(lines().map((l) => l.dataset.state), "offline: all still on the tablet").toEqual(["unsent", "unsent", "unsent"]);
    expect(lines()[0]?.querySelector('[data-testid="top-up-answer"]')?.textContent?.trim()).toBe(
      "尚未发出：联网同步后送达秘书处",
    );

    const [three, five, twenty] = store.requests.map((r) => r.id);
    for (const id of [three, five, twenty]) store.sent.add(id!);
    // The app re-renders the screen with the next revision after a sync.
    unmount(screen!);
    document.body.innerHTML = "";
    root = await render(store.backend);
    expect(lines().map((l) => l.dataset.state), "pushed: now the secretariat's to answer").toEqual([
      "waiting",
      "waiting",
      "waiting",
    ]);
    expect(lines()[0]?.querySelector('[data-testid="top-up-answer"]')?.textContent?.trim()).toBe("等待秘书处处理");

    const decided = (request_id: string, answer: Partial<TopUpAnswer>): TopUpAnswer => ({
      request_id,
      status: "declined",
      granted: null,
      grant_id: null,
      reason: null,
      decided_at: "2022-08-06T04:30:00Z",
      ...answer,
    });
    store.answers.set(twenty!, decided(twenty!, { status: "fulfilled", granted: 8, grant_id: "g" }));
    store.answers.set(five!, decided(five!, { reason: "库存不足" }));
    store.answers.set(three!, decided(three!, { reason: "plan closed" }));
    unmount(screen!);
    document.body.innerHTML = "";
    root = await render(store.backend);
    expect(lines().map((l) => l.dataset.state)).toEqual(["declined", "declined", "fulfilled"]);
    expect(lines().map((l) => l.querySelector('[data-testid="top-up-answer"]')?.textContent?.trim())).toEqual([
      "已拒绝：方案已结束 · 8月6日 12:30",
      "已拒绝：库存不足 · 8月6日 12:30",
      "已批准 8 只 · 8月6日 12:30",
    ]);
    expect(lines()[2]?.textContent, "what was asked stays beside what was granted").toContain("医疗专用口罩 20 只");
  });

  it("refuses a top-up of nothing beside the quantity, in Chinese, without calling the store", async () => {
    const store = fakeStore(2);
    const root = await render(store.backend);
    type("top-up-quantity", root, "0");
    q(root, "top-up-send")?.click();
    await settle();
    expect(q(root, "top-up-quantity-error")?.textContent).toContain("请填写数量");
    expect(store.requests, "nothing sent").toEqual([]);
  });

  it("gives back part of the grant only after a second tap, and never more than remains", async () => {
    const store = fakeStore(3);
    const root = await render(store.backend);
    type("release-quantity", root, "4");
    q(root, "release-send")?.click();
    await settle();
    expect(q(root, "release-quantity-error")?.textContent, "says how many may go back").toContain("最多只能归还 3 只");
    expect(store.releases, "nothing given back").toEqual([]);

    type("release-quantity", root, "2");
    q(root, "release-send")?.click();
    await settle();
    expect(store.releases, "the first tap only arms").toEqual([]);
    expect(q(root, "release-send")?.textContent).toContain("再点一次，确认归还 2 只");
    q(root, "release-send")?.click();
    await settle();
    expect(store.releases, "the second tap gives back").toEqual([2]);
    expect(q(root, "grant-notice")?.textContent).toContain("已归还 2 只医疗专用口罩");
    expect(q(root, "gift-remaining")?.textContent?.trim(), "the grant shrinks on screen").toBe("剩余 1 只");
  });
});

function type(id: string, root: HTMLElement, value: string): void {
  const input = q(root, id) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

describe("checking a volunteer in mid-session", () => {
  it("keeps the volunteer's i志愿 id, as at the session's opening", async () => {
    const store = fakeStore(10);
    const root = await render(store.backend);
    const name = root.querySelector<HTMLInputElement>('input[aria-label="志愿者姓名"]');
    const id = root.querySelector<HTMLInputElement>('input[aria-label="i志愿编号（可选）"]');
    expect(name, "the name field").not.toBeNull();
    expect(id, "the i志愿 field").not.toBeNull();
    if (name === null || id === null) return;
    name.value = "李四";
    name.dispatchEvent(new Event("input"));
    id.value = " 44520012345 ";
    id.dispatchEvent(new Event("input"));
    flushSync();
    id.form?.requestSubmit();
    await settle();
    expect(store.checkIns).toEqual([{ name: "李四", ivolunteer_id: "44520012345" }]);
    expect(id.value, "cleared for the next volunteer").toBe("");
  });
});
