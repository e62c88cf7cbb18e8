import { describe, expect, it } from "vitest";
import { canonicalCode, parseEnrollText } from "./enroll-text";

describe("enrollment text", () => {
  it("accepts a typed code in any case, with or without dashes", () => {
    expect(parseEnrollText(" ab3k 7qxd-92mf ")).toEqual({ code: "AB3K-7QXD-92MF", server: null });
    expect(canonicalCode("ab3k7qxd92mf"), "regrouped by four").toBe("AB3K-7QXD-92MF");
  });

  it("reads a pasted QR text with the central's address", () => {
    expect(parseEnrollText("fieldpost://enroll?code=AB3K-7QXD-92MF&server=http://10.0.0.5:8470")).toEqual({
      code: "AB3K-7QXD-92MF",
      server: "http://10.0.0.5:8470",
    });
  });

  it("reads a QR text without a server", () => {
    expect(parseEnrollText("fieldpost://enroll?code=ab3k-7qxd-92mf")).toEqual({ code: "AB3K-7QXD-92MF", server: null });
  });
});
