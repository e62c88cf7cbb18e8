import { describe, expect, it } from "vitest";
import type { ActivityPlan } from "../api/generated/station/ActivityPlan";
import type { Item } from "../api/generated/station/Item";
import { chinaWallTimeToUtc, emptyPlanForm, planFormToInput, planToForm, utcToChinaWallTime } from "./plan-form";

const mask: Item = { id: "m", code: "mask", name: "医疗专用口罩", kind: "gift", unit_label: "只", donor: null };
const kit: Item = { id: "k", code: "kit", name: "网安四宝宣传品", kind: "gift", unit_label: "份", donor: null };

describe("China wall-clock times", () => {
  it("reads a typed time as UTC+8", () => {
    expect(chinaWallTimeToUtc("2022-08-06 09:30"), "09:30 in Jieyang is 01:30 UTC").toBe("2022-08-06T01:30:00Z");
    expect(chinaWallTimeToUtc("2022-08-06 07:00"), "before 08:00 it is the previous UTC day").toBe("2022-08-05T23:00:00Z");
    expect(chinaWallTimeToUtc("2022-8-6 9:05")).toBe("2022-08-06T01:05:00Z");
  });

  it("refuses what is not a time", () => {
    expect(chinaWallTimeToUtc("2022-02-30 09:00"), "30 February does not exist").toBeNull();
    expect(chinaWallTimeToUtc("tomorrow")).toBeNull();
    expect(chinaWallTimeToUtc("2022-08-06 24:00")).toBeNull();
  });

  it("round-trips", () => {
    expect(utcToChinaWallTime("2022-08-05T23:00:00Z")).toBe("2022-08-06 07:00");
  });
});

describe("the plan form", () => {
  it("starts today 09:00–17:00 China time with nothing requested", () => {
    const form = emptyPlanForm(Date.parse("2022-08-05T20:00:00Z"), [mask]);
    expect(form.startsAt, "20:00 UTC on the 5th is already the 6th in China").toBe("2022-08-06 09:00");
    expect(form.requested).toEqual({ m: "" });
  });

  it("turns what was typed into the store's input, leaving blank quantities out", () => {
    const form = { ...emptyPlanForm(Date.parse("2022-08-06T00:00:00Z"), [mask, kit]), title: "步行街宣传站", location: "榕城区步行街", expectedPeople: "500", staff: "林小华" };
    form.requested = { m: "300", k: "" };
    const result = planFormToInput(form);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.input.requested, "only items asked for").toEqual([{ item_id: "m", quantity: 300 }]);
    expect(result.input.starts_at).toBe("2022-08-06T01:00:00Z");
    expect(result.input.expected_people).toBe(500);
  });

  it("names the field that cannot be read, keeping the form as typed", () => {
    const form = { ...emptyPlanForm(0, [mask]), endsAt: "明天" };
    const result = planFormToInput(form);
    expect(result.ok ? null : result.error, "shown beside the end time").toEqual({ kind: "invalid_time", message: "明天", field: "ends_at" });
    expect(form.endsAt, "the typed text is untouched").toBe("明天");
    const bad = planFormToInput({ ...emptyPlanForm(0, [mask]), requested: { m: "3.5" } });
    expect(bad.ok ? null : bad.error.field).toBe("requested");
  });

  it("fills the form from a plan for revision", () => {
    const plan: ActivityPlan = {
      id: "p",
      unit_id: "u",
      title: "步行街宣传站",
      location: "榕城区步行街",
      starts_at: "2022-08-06T01:00:00Z",
      ends_at: "2022-08-06T09:00:00Z",
      expected_people: 500,
      staff: "林小华",
      requested: [{ item_id: "k", quantity: 40 }],
      status: "rejected",
      allocation: [],
      reject_reason: "时间冲突",
      revision: 0,
    };
    const form = planToForm(plan, [mask, kit]);
    expect(form.startsAt).toBe("2022-08-06 09:00");
    expect(form.endsAt).toBe("2022-08-06 17:00");
    expect(form.requested, "every item has a box; requested ones are filled").toEqual({ m: "", k: "40" });
  });
});
