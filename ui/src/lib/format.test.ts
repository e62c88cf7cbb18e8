import { describe, expect, it } from "vitest";
import {
  formatCount,
  formatProgress,
  formatQuantity,
  formatTimestamp,
  parseTimestamp,
} from "./format";

describe("formatTimestamp", () => {
  it("shows a UTC wire timestamp in China time", () => {
    // 01:30 UTC is 09:30 in Asia/Shanghai (UTC+8): the first morning of collection week.
    expect(formatTimestamp("2022-08-06T01:30:00Z", "zh-CN")).toBe("8月6日 09:30");
    expect(formatTimestamp("2022-08-06T01:30:00Z", "en")).toBe("6 Aug 09:30");
  });

  it("moves to the next China day after 16:00 UTC", () => {
    // The collection window closes 2022-08-12 24:00 China time = 16:00 UTC.
    expect(formatTimestamp("2022-08-12T16:00:00Z", "zh-CN"), "midnight belongs to the next day").toBe(
      "8月13日 00:00",
    );
    expect(formatTimestamp("2022-12-31T16:05:00Z", "en"), "and the year rolls over").toBe("1 Jan 00:05");
  });

  it("accepts chrono's fractional seconds and explicit offsets", () => {
    expect(formatTimestamp("2022-08-06T01:30:59.123456Z", "zh-CN"), "seconds are cut, not rounded").toBe(
      "8月6日 09:30",
    );
    expect(formatTimestamp("2022-08-06T09:30:00+08:00", "zh-CN"), "an instant already in China time").toBe(
      "8月6日 09:30",
    );
    expect(formatTimestamp("2022-08-05T20:30:00-05:00", "en"), "a negative offset").toBe("6 Aug 09:30");
  });

  it("pads hours and minutes to two digits", () => {
    expect(formatTimestamp("2022-01-01T00:05:00Z", "zh-CN")).toBe("1月1日 08:05");
  });

  it("shows a malformed or offset-less timestamp as it came instead of guessing", () => {
    expect(formatTimestamp("2022-08-06T09:30:00", "zh-CN"), "no offset: local time is ambiguous").toBe(
      "2022-08-06T09:30:00",
    );
    expect(formatTimestamp("2022-02-31T00:00:00Z", "en"), "31 February must not become 3 March").toBe(
      "2022-02-31T00:00:00Z",
    );
    expect(formatTimestamp("", "en")).toBe("");
  });

  it("parses to the same instant as the platform for valid input", () => {
    const text = "2022-08-06T01:30:00.5Z";
    expect(parseTimestamp(text), "whole seconds; the fraction does not matter to the minute").toBe(
      Date.parse("2022-08-06T01:30:00Z"),
    );
    expect(parseTimestamp("2022-13-01T00:00:00Z"), "month 13").toBeNull();
  });
});

describe("formatProgress", () => {
  it("is collected over quota, floored", () => {
    expect(formatProgress(57, 100, "zh-CN")).toEqual({ percent: 57, bar: 57, label: "57%" });
    expect(formatProgress(2, 3, "en").percent, "66.7% reads 66%").toBe(66);
    expect(formatProgress(29, 100, "en").percent, "no float error: 29/100 is 29, not 28").toBe(29);
  });

  it("reads 100% only once the quota is really met", () => {
    expect(formatProgress(999, 1000, "zh-CN").label, "99.9% is not done").toBe("99%");
    expect(formatProgress(1000, 1000, "zh-CN").label).toBe("100%");
  });

  it("keeps the true value over 100% but caps the bar", () => {
    const p = formatProgress(1370, 1000, "zh-CN");
    expect(p.percent, "over-collection is what commendation ranks").toBe(137);
    expect(p.label).toBe("137%");
    expect(p.bar, "a bar cannot be more than full").toBe(100);
  });

  it("reads 0% when no quota is set instead of dividing by zero", () => {
    expect(formatProgress(25, 0, "zh-CN")).toEqual({ percent: 0, bar: 0, label: "0%" });
    expect(formatProgress(0, 0, "en").label).toBe("0%");
  });

  it("treats negative or non-finite input as zero", () => {
    expect(formatProgress(-5, 100, "en").percent).toBe(0);
    expect(formatProgress(Number.NaN, 100, "en").percent).toBe(0);
    expect(formatProgress(10, Number.POSITIVE_INFINITY, "en").percent).toBe(0);
  });

  it("groups digits in large percentages", () => {
    expect(formatProgress(125, 10, "en").label).toBe("1,250%");
  });
});

describe("formatQuantity and formatCount", () => {
  it("puts the item's counting word after the number in Chinese", () => {
    expect(formatQuantity(12, "只", "zh-CN"), "masks are counted in 只").toBe("12 只");
    expect(formatQuantity(3, "份", "zh-CN"), "safety kits in 份").toBe("3 份");
  });

  it("shows the number alone in English, which has no counting words", () => {
    expect(formatQuantity(12, "只", "en"), "no untranslated Chinese in English mode").toBe("12");
  });

  it("groups thousands", () => {
    expect(formatCount(50000, "zh-CN"), "the campaign target").toBe("50,000");
    expect(formatQuantity(10000, "只", "zh-CN"), "the donated masks").toBe("10,000 只");
    expect(formatCount(2845235, "en")).toBe("2,845,235");
  });
});
