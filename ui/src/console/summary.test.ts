import { describe, expect, it } from "vitest";
import type { CommendationLine } from "../lib/api/http";
import { booksBalance, hoursOf, shortfallText, shownCommendations } from "./logic";

const line = (award: "organizing" | "supporting", position: number, unit_name: string): CommendationLine => ({
  award,
  position,
  unit_id: unit_name,
  unit_name,
  collected: 100,
  completion_percent: 50,
});

describe("shortfallText (issue 13, the assessment's reasons)", () => {
  it("says the threshold and what was reached, in Chinese first", () => {
    expect(shortfallText({ code: "below_completion", required_percent: 80, actual_percent: 75.5 }, "zh-CN")).toBe(
      "完成率 75.50% 低于 80%",
    );
    expect(shortfallText({ code: "few_per_gift", required: 25, actual: 20 }, "zh-CN")).toBe(
      "每份宣传品对应问卷 20.00 份，低于 25.00 份",
    );
    expect(shortfallText({ code: "no_quota" }, "en")).toBe("No quota, so completion cannot be assessed");
  });
});

describe("shownCommendations (issue 13, the summary meeting)", () => {
  it("shows the rule's proposal until the secretariat confirms a list", () => {
    const shown = shownCommendations({
      proposed: [line("supporting", 2, "乙"), line("organizing", 1, "甲"), line("supporting", 1, "甲")],
      confirmed: [],
    });
    expect(shown.confirmed).toBe(false);
    expect(shown.organizing.map((l) => l.unit_name)).toEqual(["甲"]);
    expect(shown.supporting.map((l) => l.unit_name), "in their order").toEqual(["甲", "乙"]);
  });
  it("shows the confirmed list, not the proposal, once there is one", () => {
    const shown = shownCommendations({
      proposed: [line("organizing", 1, "甲")],
      confirmed: [line("organizing", 1, "丙")],
    });
    expect(shown.confirmed).toBe(true);
    expect(shown.organizing.map((l) => l.unit_name)).toEqual(["丙"]);
    expect(shown.supporting).toEqual([]);
  });
});

describe("booksBalance and hoursOf", () => {
  it("balances when every piece received is accounted for", () => {
    const g = { received: 100, handed_out: 20, written_off: 2, delivered_to_winners: 0, with_plans: 15, on_hand: 63 };
    expect(booksBalance(g)).toBe(true);
    expect(booksBalance({ ...g, on_hand: 62 }), "one mask missing").toBe(false);
    const prize = { received: 10, handed_out: 0, written_off: 1, delivered_to_winners: 3, with_plans: 0, on_hand: 6 };
    expect(booksBalance(prize), "prizes delivered to winners are accounted for").toBe(true);
    expect(booksBalance({ ...prize, delivered_to_winners: 0 }), "without them, three are missing").toBe(false);
  });
  it("turns minutes into hours with one decimal", () => {
    expect(hoursOf(90)).toBe("1.5");
    expect(hoursOf(0)).toBe("0.0");
  });
});
