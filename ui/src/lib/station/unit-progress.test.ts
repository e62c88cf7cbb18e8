import { describe, expect, it } from "vitest";
import type { UnitProgress } from "../api/generated/station/UnitProgress";
import { progressLines } from "./unit-progress";

const progress: UnitProgress = {
  unit_id: "u1",
  day: "2022-08-05",
  published_at: "2022-08-05T10:00:00Z",
  collected: 1234,
  quota: 3200,
  progress_percent: 38.56,
  rank_by_rate: 5,
  rank_by_count: 3,
  units: 12,
};

describe("the unit's progress on the home screen (issue 13, deliverable 2)", () => {
  it("says it in Chinese first: count of quota, the rate, both ranks, the bulletin's day", () => {
    const lines = progressLines(progress, "zh-CN");
    expect(lines.collected, "counts grouped, rate to one decimal").toBe("本单位已采集 1,234 / 3,200 份（38.6%）");
    expect(lines.ranks, "both ranks").toBe("完成率第 5 名，采集量第 3 名");
    expect(lines.source, "which bulletin").toBe("共 12 个单位 · 8月5日 采集数据通报");
  });
  it("and in English", () => {
    const lines = progressLines(progress, "en");
    expect(lines.collected).toBe("Our unit has collected 1,234 / 3,200 (38.6%)");
    expect(lines.source).toBe("Of 12 units · bulletin of 8/5");
  });
});
