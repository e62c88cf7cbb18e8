/**
 * What a person types or pastes into the enrollment-code box: the bare code
 * (`ab3k-7qxd-92mf`, with or without dashes and blanks) or the whole text of the console's
 * enrollment QR code, `fieldpost://enroll?code=…&server=…`, which also names the central.
 */
export type EnrollText = { code: string; server: string | null };

const QR_PREFIX = "fieldpost://enroll?";

/** The code in its canonical form (upper case, dashes every four) and the server if given. */
export function parseEnrollText(text: string): EnrollText {
  const trimmed = text.trim();
  if (trimmed.toLowerCase().startsWith(QR_PREFIX)) {
    const params = new URLSearchParams(trimmed.slice(QR_PREFIX.length));
    const server = params.get("server");
    return {
      code: canonicalCode(params.get("code") ?? ""),
      server: server === null || server.trim() === "" ? null : server.trim(),
    };
  }
  return { code: canonicalCode(trimmed), server: null };
}

/** Upper case, blanks and dashes dropped, then regrouped by four: `AB3K-7QXD-92MF`. */
export function canonicalCode(code: string): string {
  const bare = code.replace(/[\s-]+/g, "").toUpperCase();
  return bare.match(/.{1,4}/g)?.join("-") ?? "";
}
