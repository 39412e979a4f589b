import { AppError } from '../api/errors.js';

/** An SSID is at most 32 bytes on the air (IEEE 802.11), whatever characters they spell. */
export const SSID_MAX_BYTES = 32;

const encoder = new TextEncoder();
// Not fatal: an SSID that is not UTF-8 still gets a readable name (U+FFFD); its hex stays exact.
const decoder = new TextDecoder('utf-8');

export function ssidBytes(ssid: string): Uint8Array {
  return encoder.encode(ssid);
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex.toUpperCase();
}

export function ssidToHex(ssid: string): string {
  return bytesToHex(ssidBytes(ssid));
}

export function hexToBytes(hex: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`not hex: ${hex}`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function ssidFromHex(hex: string): string {
  return decoder.decode(hexToBytes(hex));
}

/** The SSID's bytes, refusing an empty name or one longer than 32 bytes (NETWORK_SSID_INVALID). */
export function checkSsid(ssid: string): Uint8Array {
  const bytes = ssidBytes(ssid);
  if (bytes.length === 0 || bytes.length > SSID_MAX_BYTES) {
    throw new AppError('NETWORK_SSID_INVALID', undefined, { bytes: bytes.length, max: SSID_MAX_BYTES });
  }
  return bytes;
}

/**
 * A WPA personal passphrase: 8 to 63 printable ASCII characters, or a 64-hex-digit key
 * (IEEE 802.11i). The error never quotes the password.
 */
export function checkWpaPassword(password: string): void {
  if (/^[0-9a-fA-F]{64}$/.test(password)) return;
  if (password.length < 8 || password.length > 63 || !/^[\x20-\x7e]*$/.test(password)) {
    throw new AppError('NETWORK_PASSWORD_INVALID', undefined, { length: password.length });
  }
}

/** Signal (0 to 100) as 0 to 4 bars, as phones draw it. */
export function signalBars(signal: number): number {
  if (signal >= 75) return 4;
  if (signal >= 55) return 3;
  if (signal >= 35) return 2;
  if (signal >= 15) return 1;
  return 0;
}

/** The hotspot's name: the product and the serial number's last characters, so two headsets side by side differ. */
export function hotspotName(serial: string | null): string {
  const tail = (serial ?? '')
    .replace(/[^0-9A-Za-z]/g, '')
    .slice(-4)
    .toUpperCase();
  return tail ? `Headset-${tail}` : 'Headset';
}
