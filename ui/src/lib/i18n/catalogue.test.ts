import { describe, expect, it } from "vitest";
import type { PlanStatus } from "../api/generated/domain/PlanStatus";
import {
  DEFAULT_LOCALE,
  LOCALES,
  catalogues,
  interpolate,
  isLocale,
  planStatusKey,
  translate,
} from "./catalogue";

// The runtime list the type `PlanStatus` describes. `satisfies` makes a status missing here
// (or one Rust no longer has) a type error, so this list cannot silently drift.
const ALL_PLAN_STATUSES = ["draft", "submitted", "approved", "rejected", "closed"] as const satisfies
  readonly PlanStatus[];
type Missing = Exclude<PlanStatus, (typeof ALL_PLAN_STATUSES)[number]>;
const noneMissing: [Missing] extends [never] ? true : false = true;

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;
const placeholders = (s: string): string[] =>
  [...s.matchAll(PLACEHOLDER)].map((m) => m[1] ?? "").sort();

describe("catalogue completeness", () => {
  it("starts in Chinese", () => {
    expect(DEFAULT_LOCALE, "zh-CN is the default language (CONVENTIONS: Chinese first)").toBe("zh-CN");
    expect(LOCALES[0], "the default locale is listed first in the switch").toBe("zh-CN");
  });

  it("has a catalogue for every locale and the same keys in each", () => {
    const zhKeys = Object.keys(catalogues["zh-CN"]).sort();
    for (const locale of LOCALES) {
      expect(Object.keys(catalogues[locale]).sort(), `${locale} must have exactly zh-CN's keys`).toEqual(
        zhKeys,
      );
    }
  });

  it("has no empty or blank message", () => {
    for (const locale of LOCALES) {
      for (const [key, value] of Object.entries(catalogues[locale])) {
        expect(value.trim(), `${locale} ${key} must say something`).not.toBe("");
      }
    }
  });

  it("uses the same placeholders in every locale, except where English drops the counting word", () => {
    // English has no measure words, so quantity.counted may omit {unit} (see en.ts).
    const mayOmit: Record<string, readonly string[]> = { "quantity.counted": ["unit"] };
    for (const [key, zh] of Object.entries(catalogues["zh-CN"])) {
      const zhNames = placeholders(zh);
      const enNames = placeholders(catalogues.en[key as keyof typeof catalogues.en]);
      const expected = zhNames.filter((n) => !(mayOmit[key] ?? []).includes(n));
      expect(enNames, `en ${key} must fill the same values as zh-CN`).toEqual(expected);
    }
  });

  it("labels every plan status in every locale", () => {
    expect(noneMissing, "the status list covers the generated PlanStatus type").toBe(true);
    for (const locale of LOCALES) {
      for (const status of ALL_PLAN_STATUSES) {
        const key = planStatusKey(status);
        expect(catalogues[locale][key], `${locale} needs a label for plan status ${status}`).toBeTruthy();
      }
    }
  });

  it("has the plan status names the secretariat uses", () => {
    const zh = ALL_PLAN_STATUSES.map((s) => translate("zh-CN", planStatusKey(s)));
    expect(zh, "labels from the workflow: 草稿 → 已提交 → 已批准/已驳回 → 已结束").toEqual([
      "草稿",
      "已提交",
      "已批准",
      "已驳回",
      "已结束",
    ]);
    const labels = new Set(ALL_PLAN_STATUSES.map((s) => translate("en", planStatusKey(s))));
    expect(labels.size, "two statuses sharing an English label would be indistinguishable").toBe(
      ALL_PLAN_STATUSES.length,
    );
  });

  it("names each language in that language, whatever the current locale", () => {
    for (const locale of LOCALES) {
      expect(translate(locale, "locale.zh-CN"), "a Chinese reader must find 中文 in English mode").toBe("中文");
      expect(translate(locale, "locale.en"), "an English reader must find English in Chinese mode").toBe(
        "English",
      );
    }
  });
});

describe("interpolation", () => {
  it("fills named placeholders", () => {
    expect(translate("zh-CN", "sync.pending", { count: 12 }), "zh-CN counts events with 条").toBe(
      "待同步 12 条",
    );
    expect(translate("en", "sync.pending", { count: 12 })).toBe("12 pending");
    expect(translate("en", "sync.last", { time: "6 Aug 09:30" })).toBe("Last sync 6 Aug 09:30");
  });

  it("fills every occurrence and leaves other text alone", () => {
    expect(interpolate("{a}-{b}-{a}", { a: 1, b: "x" }), "each {a} is replaced").toBe("1-x-1");
    expect(interpolate("100% {a}", { a: 0 }), "0 is a value, not a missing one").toBe("100% 0");
  });

  it("leaves a placeholder without a value visible instead of printing undefined", () => {
    expect(interpolate("上次同步 {time}", {}), "a forgotten parameter must be noticeable").toBe(
      "上次同步 {time}",
    );
    expect(interpolate("待同步 {count} 条"), "no params: template unchanged").toBe("待同步 {count} 条");
  });

  it("does not treat replacement values as patterns", () => {
    expect(interpolate("{a}", { a: "$& {b}" }), "values are inserted literally, not re-expanded").toBe(
      "$& {b}",
    );
  });
});

describe("isLocale", () => {
  it("accepts only supported locales", () => {
    expect(isLocale("zh-CN")).toBe(true);
    expect(isLocale("en")).toBe(true);
    expect(isLocale("zh"), "a bare language tag is not a catalogue").toBe(false);
    expect(isLocale(undefined)).toBe(false);
  });
});
