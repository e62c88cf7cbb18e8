import { describe, expect, it } from "vitest";
import type { Item } from "../api/generated/station/Item";
import type { ItemGrant } from "../api/generated/station/ItemGrant";
import type { SessionSummary } from "../api/generated/station/SessionSummary";
import { giftRows } from "./session";

const mask: Item = { id: "m", code: "mask", name: "医疗专用口罩", kind: "gift", unit_label: "只", donor: null };
const kit: Item = { id: "k", code: "kit", name: "网安四宝宣传品", kind: "gift", unit_label: "份", donor: null };

const summary = (handouts: { item: Item; quantity: number }[]): SessionSummary => ({
  session: { id: "s", plan_id: "p", device_id: "d", station: "步行街", opened_at: "2022-08-06T01:00:00Z", closed_at: null },
  plan_title: "步行街宣传站",
  people_reached: 0,
  questionnaires_assisted: 0,
  volunteers: [],
  handouts: handouts.map((h) => ({
    item_id: h.item.id,
    item_name: h.item.name,
    unit_label: h.item.unit_label,
    quantity: h.quantity,
    exceptions: 0,
    voided: 0,
  })),
  entrants: 0,
});

describe("gift buttons", () => {
  it("shows what the grant still allows and what this session handed out", () => {
    const grants: ItemGrant[] = [{ item: mask, position: { granted: 5, released: 0, handed_out: 3 }, available: 2 }];
    expect(giftRows([mask, kit], grants, summary([{ item: mask, quantity: 3 }]))).toEqual([
      { item: mask, available: 2, granted: 5, handedOutHere: 3 },
    ]);
  });

  it("keeps a button for an item handed out beyond any grant", () => {
    const rows = giftRows([mask, kit], [], summary([{ item: kit, quantity: 1 }]));
    expect(rows, "an exception recorded with a reason stays tappable and visible").toEqual([
      { item: kit, available: 0, granted: 0, handedOutHere: 1 },
    ]);
  });
});
