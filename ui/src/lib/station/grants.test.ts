import { describe, expect, it } from "vitest";
import type { Item } from "../api/generated/station/Item";
import type { ItemGrant } from "../api/generated/station/ItemGrant";
import { errorText } from "./errors";
import type { TopUpAnswer } from "../api/generated/station/TopUpAnswer";
import type { TopUpRequestView } from "../api/generated/station/TopUpRequestView";
import {
  answerText,
  checkRelease,
  checkTopUp,
  NOTE_MAX_CHARS,
  parseQuantity,
  PLAN_CLOSED,
  releasable,
  requestableItems,
  requestState,
} from "./grants";

const mask: Item = { id: "m", code: "mask", name: "医疗专用口罩", kind: "gift", unit_label: "只", donor: null };
const kit: Item = { id: "k", code: "kit", name: "网安四宝", kind: "gift", unit_label: "份", donor: null };
const prize: Item = { id: "p", code: "card", name: "流量卡", kind: "prize", unit_label: "张", donor: null };
const grant = (item: Item, granted: number, handedOut: number): ItemGrant => ({
  item,
  position: { granted, released: 0, handed_out: handedOut },
  available: Math.max(0, granted - handedOut),
});

describe("parseQuantity", () => {
  it("takes whole numbers of at least 1, typed or numeric", () => {
    expect(parseQuantity(3)).toBe(3);
    expect(parseQuantity(" 20 ")).toBe(20);
  });
  it("refuses empty boxes, zero, negatives, fractions and words", () => {
    for (const bad of [null, undefined, "", "  ", 0, -2, 1.5, "abc", Number.NaN, 2 ** 32]) {
      expect(parseQuantity(bad), String(bad)).toBeNull();
    }
  });
});

describe("checkTopUp", () => {
  it("passes a quantity with or without a note", () => {
    expect(checkTopUp(20, "")).toBeNull();
    expect(checkTopUp("5", "下午人多")).toBeNull();
  });
  it("names the quantity field when it is empty or not at least 1", () => {
    expect(checkTopUp(0, "")).toMatchObject({ kind: "quantity_required", field: "quantity" });
    expect(checkTopUp("", "")).toMatchObject({ kind: "quantity_required", field: "quantity" });
    expect(checkTopUp(null, "")).toMatchObject({ kind: "quantity_required", field: "quantity" });
  });
  it("says what to type, in Chinese first, rather than only that it is wrong", () => {
    const refusal = checkTopUp(null, "");
    expect(refusal).not.toBeNull();
    expect(errorText(refusal!, "zh-CN")).toBe("请填写数量：至少 1 的整数");
    expect(errorText(refusal!, "en")).toBe("Enter a whole number, at least 1");
  });
  it("counts the note in characters, as the store does", () => {
    expect(checkTopUp(1, "多".repeat(NOTE_MAX_CHARS)), "200 Chinese characters fit").toBeNull();
    expect(checkTopUp(1, "多".repeat(NOTE_MAX_CHARS + 1))).toMatchObject({ kind: "too_long", field: "note" });
    expect(checkTopUp(1, `  ${"多".repeat(NOTE_MAX_CHARS)}  `), "surrounding spaces are trimmed").toBeNull();
  });
});

describe("checkRelease", () => {
  it("allows up to what remains unused", () => {
    expect(checkRelease(3, 3, "3 只")).toBeNull();
    expect(checkRelease("1", 3, "3 只")).toBeNull();
  });
  it("refuses more than remains, saying how many may go back", () => {
    expect(checkRelease(4, 3, "3 只")).toEqual({ kind: "release_exceeds", message: "3 只", field: "quantity" });
  });
  it("refuses nothing at all, or an empty box, asking for a number", () => {
    expect(checkRelease(0, 3, "3 只")).toMatchObject({ kind: "quantity_required", field: "quantity" });
    expect(checkRelease(null, 3, "3 只")).toMatchObject({ kind: "quantity_required", field: "quantity" });
  });
});

describe("which items the panel offers", () => {
  it("asks for gifts, and prizes only where the device holds a grant", () => {
    expect(requestableItems([mask, kit, prize], [grant(mask, 5, 5)]).map((i) => i.code)).toEqual(["mask", "kit"]);
    expect(requestableItems([mask, prize], [grant(prize, 1, 0)]).map((i) => i.code)).toEqual(["mask", "card"]);
  });
  it("gives back only what has something unused", () => {
    expect(releasable([grant(mask, 5, 5), grant(kit, 4, 1)]).map((g) => g.item.code)).toEqual(["kit"]);
  });
});

describe("answerText", () => {
  const answer = (a: Partial<TopUpAnswer>): TopUpAnswer => ({
    request_id: "r",
    status: "declined",
    granted: null,
    grant_id: null,
    reason: null,
    decided_at: "2022-08-06T02:05:00Z",
    ...a,
  });
  const view = (v: Partial<TopUpRequestView>): TopUpRequestView => ({
    request: { id: "r", plan_id: "p", item_id: "m", quantity: 10, note: null, requested_at: "2022-08-06T01:00:00Z" },
    sent: true,
    quarantine: null,
    answer: null,
    ...v,
  });
  const answered = (a: Partial<TopUpAnswer>) => view({ answer: answer(a) });
  const count = (n: number) => `${n} 只`;

  it("says a request still on the tablet needs a sync to reach the secretariat", () => {
    const unsent = view({ sent: false });
    expect(requestState(unsent)).toBe("unsent");
    expect(answerText(unsent, count, "zh-CN")).toBe("尚未发出：联网同步后送达秘书处");
  });
  it("says a sent request without an answer waits for the secretariat", () => {
    expect(requestState(view({}))).toBe("waiting");
    expect(answerText(view({}), count, "zh-CN")).toBe("等待秘书处处理");
    expect(answerText(view({}), count, "en")).toBe("Waiting for the secretariat");
  });
  it("says why the central could not take a request, instead of waiting forever", () => {
    const refused = view({
      quarantine: {
        seq: 7,
        event_id: "e",
        code: "plan_not_approved",
        reason: "plan p is closed",
        noticed_at: "2022-08-06T02:00:00Z",
      },
    });
    expect(requestState(refused)).toBe("refused");
    const text = answerText(refused, count, "zh-CN");
    expect(text.startsWith("中心未受理："), text).toBe(true);
    expect(text, "the central's own words stay for whoever looks into it").toContain("plan p is closed");
  });
  it("says how many were granted, which may differ from what was asked, and when", () => {
    const yes = answered({ status: "fulfilled", granted: 8, grant_id: "g" });
    expect(requestState(yes)).toBe("fulfilled");
    expect(answerText(yes, count, "zh-CN"), "China time").toBe("已批准 8 只 · 8月6日 10:05");
    expect(answerText(yes, count, "en")).toBe("Approved: 8 只 · 6 Aug 10:05");
  });
  it("gives the secretariat's reason as typed, and the central's plan closed in the reader's language", () => {
    expect(requestState(answered({ reason: "库存不足" }))).toBe("declined");
    expect(answerText(answered({ reason: "库存不足" }), count, "zh-CN")).toBe("已拒绝：库存不足 · 8月6日 10:05");
    expect(answerText(answered({ reason: PLAN_CLOSED }), count, "zh-CN")).toBe("已拒绝：方案已结束 · 8月6日 10:05");
    expect(answerText(answered({ reason: PLAN_CLOSED }), count, "en")).toBe("Declined: the plan was closed · 6 Aug 10:05");
    expect(answerText(answered({}), count, "zh-CN"), "never an empty reason").toBe("已拒绝：未说明原因 · 8月6日 10:05");
  });
});
