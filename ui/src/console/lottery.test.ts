import { describe, expect, it } from "vitest";
import type { ReturnsReport } from "../lib/api/http";
import {
  actorLabel,
  carriersLabel,
  chinaInstant,
  poolsForVerifier,
  returnIssueText,
  showsFullNumber,
  silentSinceCollection,
  stageColumns,
  stagePool,
  stageScreen,
  winStateLabel,
} from "./lottery";

describe("labels", () => {
  it("names carriers and states in Chinese first", () => {
    expect(carriersLabel(["telecom", "mobile", "unicom", "other"], "zh-CN")).toBe("所有号码");
    expect(carriersLabel(["unicom", "telecom"], "zh-CN")).toBe("中国电信、中国联通");
    expect(carriersLabel(["mobile"], "en")).toBe("China Mobile");
    expect(winStateLabel("unreachable", "zh-CN")).toBe("联系不上");
    expect(winStateLabel("pending", "zh-CN")).toBe("待发放");
  });
});

describe("the projector", () => {
  it("steps through the pools without running off either end", () => {
    const draw = { pools: [{}, {}, {}] } as never;
    expect(stagePool(draw, 0)).toEqual({ index: 0, total: 3 });
    expect(stagePool(draw, 7)).toEqual({ index: 2, total: 3 });
    expect(stagePool(draw, -1)).toEqual({ index: 0, total: 3 });
    expect(stagePool({ pools: [] } as never, 0)).toBeNull();
  });
  it("shows a large pool screen by screen", () => {
    const entries = Array.from({ length: 1000 }, (_, i) => i + 1);
    const first = stageScreen(entries, 40, 0);
    expect(first.pages).toBe(25);
    expect(first.shown).toHaveLength(40);
    expect(first.shown[0]).toBe(1);
    const last = stageScreen(entries, 40, 99);
    expect(last.page).toBe(24);
    expect(last.shown.at(-1)).toBe(1000);
    expect(stageScreen([], 40, 0)).toEqual({ shown: [], pages: 1, page: 0 });
  });
  it("uses fewer, bigger columns for small pools", () => {
    expect(stageColumns(1)).toBe(1);
    expect(stageColumns(3)).toBe(3);
    expect(stageColumns(10)).toBe(3);
    expect(stageColumns(80)).toBe(5);
  });
});

describe("chinaInstant", () => {
  it("reads the wall clock as China time", () => {
    expect(chinaInstant("2022-08-20T15:30")).toBe("2022-08-20T15:30:00+08:00");
    expect(chinaInstant("2022-08-20T15:30:05")).toBe("2022-08-20T15:30:05+08:00");
    expect(chinaInstant("")).toBeNull();
    expect(chinaInstant("2022-13-40T99:99")).toBeNull();
  });
});

describe("showsFullNumber", () => {
  it("finds an eleven-digit mobile number but not a masked one", () => {
    expect(showsFullNumber("中奖 13812345678")).toBe(true);
    expect(showsFullNumber("138****5678")).toBe(false);
    expect(showsFullNumber("entry 12345678901234")).toBe(false);
    expect(showsFullNumber("23812345678")).toBe(false);
  });
});

describe("poolsForVerifier", () => {
  it("publishes the pools in draw order in verify_draw.py's shape", () => {
    const json = poolsForVerifier([
      { name: "B", quantity: 2, carriers: ["unicom", "telecom"], reserves: 1, position: 2 },
      { name: "A", quantity: 5, carriers: ["mobile"], reserves: 0, position: 1 },
    ]);
    expect(JSON.parse(json)).toEqual([
      { name: "A", quantity: 5, carriers: ["mobile"], reserves: 0 },
      { name: "B", quantity: 2, carriers: ["telecom", "unicom"], reserves: 1 },
    ]);
  });
});

describe("actorLabel", () => {
  it("names a user by login and the retention date's deletion in words", () => {
    expect(actorLabel("user:admin", "zh-CN")).toBe("admin");
    expect(actorLabel("system:retention", "zh-CN")).toBe("到期自动删除");
    expect(actorLabel("system:cli", "en")).toBe("system:cli");
  });
});

describe("silentSinceCollection", () => {
  it("names live tablets not heard from since collection closed", () => {
    const end = "2022-08-12T16:00:00Z";
    const devices = [
      { name: "a", last_contact_at: "2022-08-12T15:00:00Z", revoked_at: null },
      { name: "b", last_contact_at: "2022-08-13T01:00:00Z", revoked_at: null },
      { name: "c", last_contact_at: null, revoked_at: null },
      { name: "d", last_contact_at: null, revoked_at: "2022-08-01T00:00:00Z" },
    ];
    expect(silentSinceCollection(devices, end).map((d) => d.name)).toEqual(["a", "c"]);
  });
});

describe("a returned sheet's bad rows", () => {
  it("name the row and the column as the sheet heads it, and why from the code, in Chinese", () => {
    const state = { row: 5, field: "state", code: "state_invalid", value: "寄丢了", reason: '状态 "寄丢了" is not 待发放, 已发放, 联系不上 or 放弃' } as const;
    expect(returnIssueText(state, "zh-CN")).toBe("第 5 行「状态」：“寄丢了”无法识别，应填 待发放、已发放、联系不上 或 放弃");
    expect(returnIssueText(state, "en")).toBe('Row 5, state (状态): "寄丢了" is unknown: 待发放, 已发放, 联系不上 or 放弃');
    const cases: [ReturnsReport["errors"][number], string][] = [
      [{ row: 3, field: "entry", code: "entry_missing", reason: "抽奖编号 is empty" }, "第 3 行「抽奖编号」：为空，请填写中奖者的抽奖编号"],
      [{ row: 4, field: "entry", code: "entry_invalid", value: "A12", reason: "x" }, "第 4 行「抽奖编号」：“A12”不是抽奖编号"],
      [{ row: 6, field: "entry", code: "no_such_win", value: "2", reason: "no prize unicom delivers was won by entry 2" }, "第 6 行「抽奖编号」：2 号没有中本运营商发放的奖品"],
      [{ row: 7, field: "state", code: "state_missing", reason: "x" }, "第 7 行「状态」：为空，请填写 待发放、已发放、联系不上 或 放弃"],
      [
        { row: 8, field: "state", code: "no_prize_on_hand", value: "联通 70G 流量卡", reason: "x" },
        "第 8 行「状态」：库存里没有“联通 70G 流量卡”，不能设为已发放：请秘书处先入库",
      ],
    ];
    for (const [issue, zh] of cases) {
      expect(returnIssueText(issue, "zh-CN"), issue.code).toBe(zh);
      expect(returnIssueText(issue, "zh-CN"), `${issue.code}: no English`).not.toMatch(/[A-Za-z]{3,}/u);
    }
  });
  it("keep a code the console does not know in the server's words", () => {
    const newer = { row: 2, field: "file", code: "from_a_newer_central", reason: "x" } as unknown as ReturnsReport["errors"][number];
    expect(returnIssueText(newer, "zh-CN")).toBe("第 2 行「file」：x");
  });
});
