import { describe, expect, it } from "vitest";
import { HttpError } from "../lib/api/http";
import {
  accounted,
  campaignForm,
  checkCampaign,
  checkItem,
  checkLink,
  checkMove,
  collectionDays,
  chinaLocal,
  refusal,
  windowDays,
} from "./catalog";

describe("stock movements (issue 13)", () => {
  it("a write-off names its reason and stays within on hand", () => {
    expect(checkMove("write_off", 5, "", 10, "zh-CN")).toEqual({ note: "请写明报损原因（如受潮、破损、过期）" });
    expect(checkMove("write_off", 11, "受潮", 10, "zh-CN").quantity).toBe("报损数量不能超过库存（现有 10）");
    expect(checkMove("write_off", 10, "受潮", 10, "zh-CN")).toEqual({});
  });
  it("a receipt needs a whole quantity, not a reason, and is not capped by on hand", () => {
    expect(checkMove("receipt", 1000, "", 0, "zh-CN")).toEqual({});
    expect(checkMove("receipt", 0, "", 0, "zh-CN").quantity).toBe("数量须为不小于 1 的整数");
    expect(checkMove("receipt", 2.5, "", 0, "zh-CN").quantity).toBeDefined();
    expect(checkMove("receipt", null, "", 0, "en").quantity).toBe("A whole number of at least 1");
  });
  it("every mask accounted: received = on hand + written off + allocated + delivered to winners", () => {
    expect(accounted({ received: 100, on_hand: 60, written_off: 10, allocated: 30, delivered_to_winners: 0 })).toBe(true);
    expect(accounted({ received: 100, on_hand: 61, written_off: 10, allocated: 30, delivered_to_winners: 0 })).toBe(false);
    // A prize delivered to its winner has left the store room: neither on hand nor lost.
    expect(accounted({ received: 5, on_hand: 2, written_off: 0, allocated: 0, delivered_to_winners: 3 })).toBe(true);
    expect(accounted({ received: 5, on_hand: 2, written_off: 0, allocated: 0, delivered_to_winners: 0 })).toBe(false);
  });
  it("an item needs its code (when new), name and unit label", () => {
    expect(checkItem({ code: " ", name: "口罩", unit_label: "" }, "zh-CN")).toEqual({ code: "必填", unit_label: "必填" });
    expect(checkItem({ name: "口罩", unit_label: "个" }, "zh-CN")).toEqual({});
  });
});

describe("survey links", () => {
  it("takes labelled web addresses only", () => {
    expect(checkLink("榕城区站点", "https://s.example/a-2", "zh-CN")).toEqual({});
    expect(checkLink("", "s.example/a 2", "zh-CN")).toEqual({
      label: "必填",
      url: "链接须以 http:// 或 https:// 开头，且不含空格",
    });
  });
});

const jieyang = {
  id: "c",
  name: "2022 网民网络安全感满意度调查活动（揭阳站）",
  city: "揭阳",
  publicity_start: "2022-07-08",
  publicity_end: "2022-08-02",
  collection_start: "2022-08-03T01:00:00Z",
  collection_end: "2022-08-12T16:00:00Z",
  target: 50000,
  note: null,
};

describe("the campaign form", () => {
  it("shows the windows in China time and sends them back as the same instants", () => {
    const form = campaignForm(jieyang);
    expect(form.collection_start).toBe("2022-08-03T09:00");
    expect(form.collection_end).toBe("2022-08-13T00:00");
    const { errors, body } = checkCampaign(form, "zh-CN");
    expect(errors).toEqual({});
    expect(body?.collection_start).toBe("2022-08-03T01:00:00Z");
    expect(body?.collection_end).toBe("2022-08-12T16:00:00Z");
    expect(body?.note).toBeNull();
    expect(chinaLocal("not a time")).toBe("");
  });
  it("refuses field by field, in Chinese, as the central does", () => {
    const form = campaignForm(jieyang);
    expect(checkCampaign({ ...form, collection_start: "2022-07-01T09:00" }, "zh-CN").errors).toEqual({
      collection_start: "采集不能早于宣传开始",
    });
    expect(checkCampaign({ ...form, collection_end: "2022-08-03T09:00" }, "zh-CN").errors.collection_end).toBe(
      "采集结束须晚于采集开始",
    );
    expect(checkCampaign({ ...form, publicity_end: "2022-08-13" }, "zh-CN").errors).toEqual({
      publicity_end: "宣传结束日期不能晚于采集的最后一天",
    });
    // 8/12 24:00 is 8/13 00:00: publicity may run to 8/12, collection's last day.
    expect(checkCampaign({ ...form, publicity_end: "2022-08-12" }, "zh-CN").errors).toEqual({});
    expect(checkCampaign({ ...form, publicity_end: "2022-07-01" }, "zh-CN").errors.publicity_end).toBe(
      "宣传结束日期不能早于开始日期",
    );
    const blank = checkCampaign({ ...form, name: " ", target: 0, collection_start: "" }, "zh-CN");
    expect(blank.body).toBeNull();
    expect(Object.keys(blank.errors).sort()).toEqual(["collection_start", "name", "target"]);
  });
  it("counts a window's days, both ends included", () => {
    expect(windowDays("2022-07-08", "2022-08-02")).toBe(26);
    expect(windowDays("2022-08-03", "2022-08-12")).toBe(10);
    expect(windowDays("2022-08-03", "")).toBe(0);
    // Collection closing at 8/13 00:00 (8/12 24:00) ends on 8/12: ten days, not eleven.
    expect(collectionDays("2022-08-03T09:00", "2022-08-13T00:00")).toBe(10);
    expect(collectionDays("2022-08-03T09:00", "2022-08-03T08:00")).toBe(0);
  });
});

describe("refusals beside their field", () => {
  it("names the field in Chinese when the console has words for it", () => {
    const dup = new HttpError(409, "duplicate", "url: already taken", "url");
    expect(refusal(dup, "zh-CN")).toEqual({ field: "url", text: "该链接已是某个单位的链接，不能重复使用" });
    const other = new HttpError(409, "insufficient_stock", "cannot write off 5: only 2 on hand", null);
    expect(refusal(other, "zh-CN").field).toBeNull();
    expect(refusal(other, "zh-CN").text).toContain("库存不足");
  });
});
