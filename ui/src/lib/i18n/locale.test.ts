import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_LOCALE } from "./catalogue";
import { getLocale, planStatusLabel, setLocale, t } from "./locale.svelte";

afterEach(() => setLocale(DEFAULT_LOCALE));

describe("current locale", () => {
  it("starts in zh-CN", () => {
    expect(getLocale(), "a fresh window speaks Chinese").toBe("zh-CN");
    expect(t("app.station")).toBe("Fieldpost 现场站");
    expect(t("sync.offline")).toBe("离线");
  });

  it("switches every lookup at once", () => {
    setLocale("en");
    expect(getLocale()).toBe("en");
    expect(t("app.console"), "t follows the current locale").toBe("Secretariat console");
    expect(planStatusLabel("rejected"), "status labels follow it too").toBe("Rejected");
    setLocale("zh-CN");
    expect(planStatusLabel("rejected"), "and switch back").toBe("已驳回");
  });

  it("passes parameters through", () => {
    expect(t("sync.pending", { count: 3 })).toBe("待同步 3 条");
  });
});
