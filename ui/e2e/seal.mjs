// A tablet's sealing of an entrant's number to the central's lottery key, written again with
// Node's own crypto (X25519, HKDF-SHA256, ChaCha20-Poly1305) from the format documented in
// crates/domain/src/sealed.rs: the console e2e pushes entrants sealed here, so the central's
// opening is checked against an independent implementation, not only against itself.
import { createCipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync } from "node:crypto";

/** `v1.` + base64url(ephemeral public key ‖ ciphertext ‖ tag) of `number` for `publicKeyText`. */
export function sealPhone(publicKeyText, number) {
  const recipientRaw = Buffer.from(publicKeyText, "base64url");
  if (recipientRaw.length !== 32) throw new Error(`seal: not a lottery key: ${publicKeyText}`);
  const recipient = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: publicKeyText }, format: "jwk" });
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  const ephemeralRaw = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url");
  const shared = diffieHellman({ privateKey, publicKey: recipient });
  const salt = Buffer.concat([ephemeralRaw, recipientRaw]);
  const key = Buffer.from(hkdfSync("sha256", shared, salt, "fieldpost-phone-seal-1", 32));
  const cipher = createCipheriv("chacha20-poly1305", key, Buffer.alloc(12), { authTagLength: 16 });
  const sealed = Buffer.concat([cipher.update(number, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `v1.${Buffer.concat([ephemeralRaw, sealed]).toString("base64url")}`;
}

/** `138****5678`, as the tablet shows it. */
export function maskPhone(number) {
  return `${number.slice(0, 3)}****${number.slice(7)}`;
}
