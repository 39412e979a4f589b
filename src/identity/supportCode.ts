/**
 * The support code: eight characters a wearer reads out or shows (as a QR code) to support, which
 * finds the headset by it. Derived from the device id (the first 40 bits of a SHA-256 digest the
 * caller makes: this module stays pure), written in Crockford's base 32: digits and capitals
 * without I, L, O and U, so it cannot be misread, in two groups of four.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** What the digest is made of: a fixed label, so the code is no general hash of the id. */
export function supportCodeInput(deviceId: string): string {
  return `headset-support-code\u0000${deviceId.toLowerCase()}`;
}

/** The code for a SHA-256 digest of supportCodeInput(deviceId). */
export function supportCodeFromDigest(digest: Uint8Array): string {
  if (digest.length < 5) throw new Error('the support code needs at least 5 bytes of digest');
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(digest[i]!);
  let code = '';
  for (let shift = 35n; shift >= 0n; shift -= 5n) code += ALPHABET[Number((bits >> shift) & 31n)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What support types in: case, spaces and dashes do not matter, and the misreadable letters read as the digits they look like. */
export function normalizeSupportCode(text: string): string | undefined {
  const plain = text.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (!/^[0-9A-HJKMNP-TV-Z]{8}$/.test(plain)) return undefined;
  return `${plain.slice(0, 4)}-${plain.slice(4)}`;
}
