import { randomInt } from 'node:crypto';

// No 0/O, 1/l/I: the wearer reads it off the screen and types it on a phone.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A new WPA2 passphrase for the hotspot at every boot: 16 characters, about 93 bits. */
export function generateHotspotPassword(length = 16): string {
  let password = '';
  for (let i = 0; i < length; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  return password;
}
