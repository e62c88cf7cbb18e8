import { describe, expect, it } from "vitest";
import { catalogues, LOCALES, translate } from "../i18n/catalogue";
import { ERROR_KINDS, errorText, fieldErrors } from "./errors";

describe("error kinds in the reader's language", () => {
  it("has a message for every kind the store and the shell send, in every locale", () => {
    for (const locale of LOCALES) {
      for (const kind of ERROR_KINDS) {
        const key = `error.${kind}`;
        expect(key in catalogues[locale], `${locale} needs ${key} (issue #5: errors shown in Chinese)`).toBe(true);
      }
    }
  });

  it("speaks Chinese by default, never the store's English", () => {
    const text = errorText({ kind: "over_grant", message: "only 0 of this item remain" }, "zh-CN");
    expect(text, "the volunteer reads why the tap was refused").toBe("本平板的配额已用完");
    expect(errorText({ kind: "invalid_phone", message: "phone: not 11 digits" }, "zh-CN")).toContain("11 位");
  });

  it("keeps the store's words for a kind it does not know yet", () => {
    const text = errorText({ kind: "brand_new_kind", message: "something specific" }, "zh-CN");
    expect(text, "a newer store's refusal still says what happened").toBe(
      translate("zh-CN", "error.unknown", { detail: "something specific" }),
    );
  });

  it("files an error under the field it names, or under _", () => {
    expect(Object.keys(fieldErrors({ kind: "empty_field", message: "", field: "station" })), "shown beside the station box").toEqual([
      "station",
    ]);
    expect(Object.keys(fieldErrors({ kind: "database", message: "disk full" })), "no field: beside the button").toEqual(["_"]);
  });
});
