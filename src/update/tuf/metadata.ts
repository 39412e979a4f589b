import { toHex } from '../hex.js';
import { tufCanonicalJson } from './canonicalJson.js';

/**
 * TUF 1.0 metadata as the repository writes it and tuf-js (an independent client) reads it:
 * four roles, each signed, each with a version and an expiry.
 */
export const TUF_SPEC_VERSION = '1.0.31';
export const TOP_LEVEL_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type RoleName = (typeof TOP_LEVEL_ROLES)[number];

export interface TufKey {
  keytype: 'ed25519';
  scheme: 'ed25519';
  keyval: { public: string };
}

export interface RoleKeys {
  keyids: string[];
  threshold: number;
}

interface Common {
  spec_version: string;
  version: number;
  expires: string;
}

export interface RootSigned extends Common {
  _type: 'root';
  consistent_snapshot: boolean;
  keys: Record<string, TufKey>;
  roles: Record<RoleName, RoleKeys>;
}

export interface TargetFile {
  length: number;
  hashes: { sha256: string };
  custom?: Record<string, unknown>;
}

export interface TargetsSigned extends Common {
  _type: 'targets';
  targets: Record<string, TargetFile>;
}

export interface MetaFile {
  version: number;
  length?: number;
  hashes?: { sha256: string };
}

export interface SnapshotSigned extends Common {
  _type: 'snapshot';
  meta: Record<string, MetaFile>;
}

export interface TimestampSigned extends Common {
  _type: 'timestamp';
  meta: { 'snapshot.json': MetaFile };
  /**
   * When the repository signed it (TUF's format has only `expires`): signed like every field, so a
   * headset that verified the timestamp knows the time was at least this (the licence's clock mark).
   */
  [TIMESTAMP_SIGNED_AT]?: string;
}

/** The timestamp metadata's own field for its signing time (a custom field, kept and signed by TUF clients). */
export const TIMESTAMP_SIGNED_AT = 'x-headset-signed-at';

export type AnySigned = RootSigned | TargetsSigned | SnapshotSigned | TimestampSigned;

export interface Signed<T extends AnySigned> {
  signatures: { keyid: string; sig: string }[];
  signed: T;
}

/** Signs with one key; the private key stays with whoever implements it. */
export interface Signer {
  keyid: string;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export function tufKey(publicKeyHex: string): TufKey {
  return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: publicKeyHex } };
}

/** The bytes every signature covers. */
export function signingBytes(signed: AnySigned): Uint8Array {
  return new TextEncoder().encode(tufCanonicalJson(signed));
}

export async function sign<T extends AnySigned>(signed: T, signers: readonly Signer[]): Promise<Signed<T>> {
  const bytes = signingBytes(signed);
  const signatures = [];
  for (const signer of signers) signatures.push({ keyid: signer.keyid, sig: toHex(await signer.sign(bytes)) });
  return { signatures, signed };
}

/** TUF expiry format: UTC, whole seconds, a Z. */
export function expiresAfter(now: Date, days: number): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + days * 86_400_000).toISOString().replace('.000Z', 'Z');
}
