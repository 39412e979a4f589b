import type { SecretRegistrar, Unregister } from '../../../src/secrets/SecretRegistry.js';

/**
 * Registers a key held as bytes in the text forms it would take if printed: hex (either case),
 * base64 and base64url. Unpadded base64 is registered: it is found inside the padded form too.
 */
export function registerKeyBytes(secrets: SecretRegistrar, bytes: Uint8Array, label: string): Unregister {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hex = buffer.toString('hex');
  const forms = new Set([hex, hex.toUpperCase(), buffer.toString('base64').replace(/=+$/, ''), buffer.toString('base64url')]);
  const unregisters = [...forms].map((form) => secrets.register(form, label));
  return () => {
    for (const unregister of unregisters) unregister();
  };
}
