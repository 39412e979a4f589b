import { z } from 'zod';
import { AppError } from '../api/errors.js';
import { CanonicalJsonError, canonicalJsonBytes, parseCanonicalJson } from './canonicalJson.js';
import { BUNDLE_FORMAT_VERSION, MAX_MANIFEST_LENGTH, payloadAreaOffset } from './header.js';
import { isCanonicalVersion, normalizeRange } from './version.js';

/**
 * The signed manifest of an update bundle: what the bundle is for and, for each image, where its
 * payload is and what its bytes must hash to (docs/bundle-format.md). Lengths and offsets are plain
 * numbers checked to be safe integers (< 2^53, 8 PiB): never 32-bit arithmetic, so images over
 * 4 GiB work.
 */

/** Image, slot target and component names: lower-case, file-name safe. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** A hardware model name as the device reports it. */
export const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
export const MAX_IMAGES = 64;
/** A systemd service unit name: what `systemctl` gets as one argument, never an option or a glob. */
export const SERVICE_UNIT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:_.@-]{0,240}\.service$/;
export const MAX_SERVICES = 32;
export const MAX_REQUIRES = 64;
/** In characters (code points); the manifest's 1 MiB cap on its UTF-8 bytes applies on top. */
export const MAX_NOTES_LENGTH = 256 * 1024;

const name = z.string().regex(NAME_PATTERN, 'lower-case letters, digits, ".", "_" and "-", at most 64, starting with a letter or digit');
const version = z.string().refine(isCanonicalVersion, 'not a canonical semantic version without build metadata (like 1.2.3 or 1.2.3-rc.1)');
const length = z.number().int().min(0); // zod's int() is a safe integer: <= 2^53 - 1
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex');
const digest = z.strictObject({ length, sha256 });
const timestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, 'an ISO 8601 UTC time like 2025-01-31T12:00:00Z')
  .refine((text) => !Number.isNaN(Date.parse(text)) && new Date(text).toISOString().slice(0, 19) === text.slice(0, 19), 'not a real date and time');

/**
 * What a delta image is patched from: the image of version `fromVersion` that the target slot's
 * sibling (the installed slot) holds in its first `sourceLength` bytes. Checked before patching.
 */
export const deltaSourceSchema = z.strictObject({
  fromVersion: version,
  sourceLength: length,
  sourceSha256: sha256,
});

export const imageEntrySchema = z.strictObject({
  name,
  /** The partition of the target A/B slot this image is written to (e.g. "rootfs", "boot"). */
  slot: name,
  /**
   * "zstd": the payload is a zstd frame of the image, or in a delta bundle a zstd --patch-from
   * patch of it; "hsdelta-1": a file-aware delta (src/update/fileDelta.ts), only in a delta bundle.
   * Devices from before hsdelta-1 refuse it as BUNDLE_MALFORMED (their schema has "zstd" only).
   */
  compression: z.enum(['zstd', 'hsdelta-1']),
  compressed: digest,
  uncompressed: digest,
  /** Offset of the compressed payload from the start of the bundle file. */
  offset: length,
  /** Only in a delta bundle: the payload is a zstd patch against this source image. */
  delta: deltaSourceSchema.optional(),
});

export const requirementSchema = z.strictObject({
  name,
  range: z.string().refine((text) => normalizeRange(text) === text, 'not a semantic version range (like >=2.0.0 or ^1.4.0), or not normalized'),
});

export const manifestSchema = z
  .strictObject({
    format: z.literal(BUNDLE_FORMAT_VERSION),
    version,
    compatible: z.string().regex(MODEL_PATTERN, 'a model name: letters, digits, ".", "_", "+" and "-"'),
    /** The lowest installed version this bundle may be installed over; absent: any. */
    minVersion: version.optional(),
    requires: z.array(requirementSchema).max(MAX_REQUIRES),
    notes: z.string().max(MAX_NOTES_LENGTH),
    created: timestamp,
    /**
     * Absent for a full bundle (every bundle before deltas existed, unchanged); "delta" when every
     * payload is a patch. One spelling per meaning: "full" is never written.
     */
    kind: z.literal('delta').optional(),
    /**
     * The services the update touches: stopped before the slot is written and started after it
     * verified (besides those the device always stops, the ones holding the inactive slot).
     * Absent when none, so bundles from before this field are unchanged.
     */
    services: z
      .array(z.string().regex(SERVICE_UNIT_PATTERN, 'a systemd service unit name like headset-tracking.service'))
      .min(1)
      .max(MAX_SERVICES)
      .optional(),
    images: z.array(imageEntrySchema).min(1).max(MAX_IMAGES),
  })
  .superRefine((manifest, context) => {
    const duplicates = (values: string[]) => values.filter((value, i) => values.indexOf(value) !== i);
    for (const dup of duplicates(manifest.images.map((i) => i.name)))
      context.addIssue({ code: 'custom', path: ['images'], message: `image name "${dup}" appears twice` });
    for (const dup of duplicates(manifest.images.map((i) => i.slot)))
      context.addIssue({ code: 'custom', path: ['images'], message: `slot target "${dup}" is written twice` });
    for (const dup of duplicates(manifest.requires.map((r) => r.name)))
      context.addIssue({ code: 'custom', path: ['requires'], message: `requirement "${dup}" appears twice` });
    for (const dup of duplicates(manifest.services ?? []))
      context.addIssue({ code: 'custom', path: ['services'], message: `service "${dup}" appears twice` });
    // A bundle is all patches or no patches, from one version: the checker picks a bundle by the
    // installed version, and an installer never has to mix sources within one bundle.
    for (const [index, image] of manifest.images.entries()) {
      if (manifest.kind === 'delta' && !image.delta)
        context.addIssue({ code: 'custom', path: ['images', index, 'delta'], message: 'a delta bundle needs the source of every image' });
      if (manifest.kind !== 'delta' && image.delta)
        context.addIssue({ code: 'custom', path: ['images', index, 'delta'], message: 'only a delta bundle (kind "delta") has image sources' });
      if (image.compression === 'hsdelta-1' && !image.delta)
        context.addIssue({
          code: 'custom',
          path: ['images', index, 'compression'],
          message: 'a file-aware delta (hsdelta-1) needs the source of its image',
        });
    }
    const fromVersions = new Set(manifest.images.flatMap((image) => (image.delta ? [image.delta.fromVersion] : [])));
    if (fromVersions.size > 1)
      context.addIssue({ code: 'custom', path: ['images'], message: `a delta bundle patches from one version, not ${[...fromVersions].join(', ')}` });
  });

export type BundleManifest = z.infer<typeof manifestSchema>;
export type ImageEntry = z.infer<typeof imageEntrySchema>;
export type DeltaSource = z.infer<typeof deltaSourceSchema>;
export type BundleKind = 'full' | 'delta';
export type Requirement = z.infer<typeof requirementSchema>;
export type ImageDraft = Omit<ImageEntry, 'offset'>;
export type ManifestDraft = Omit<BundleManifest, 'images' | 'format'> & { images: ImageDraft[] };

export interface ManifestIssue {
  path: string;
  message: string;
}

export type ManifestCheck = { ok: true; manifest: BundleManifest } | { ok: false; issues: ManifestIssue[] };

export function validateManifest(value: unknown): ManifestCheck {
  const result = manifestSchema.safeParse(value);
  if (result.success) return { ok: true, manifest: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })) };
}

/**
 * The manifest's signed bytes. Throws INVALID_INPUT (with the issues) when the manifest is not
 * valid: this runs on the builder's side, where a bad field is the operator's input.
 */
export function encodeManifest(manifest: BundleManifest): Uint8Array {
  const check = validateManifest(manifest);
  if (!check.ok)
    throw new AppError(
      'INVALID_INPUT',
      `Invalid bundle manifest: ${check.issues.map((i) => `${i.path || 'manifest'}: ${i.message}`).join('; ')}`,
      check.issues,
    );
  const bytes = canonicalJsonBytes(withoutUndefined(check.manifest));
  if (bytes.length > MAX_MANIFEST_LENGTH)
    throw new AppError('INVALID_INPUT', `The manifest would be ${bytes.length} bytes; the limit is ${MAX_MANIFEST_LENGTH} (shorten the notes).`, [
      { path: 'notes', message: 'too long' },
    ]);
  return bytes;
}

/** Reads signed manifest bytes: anything but a valid manifest in canonical form is BUNDLE_MALFORMED. */
export function decodeManifest(bytes: Uint8Array): BundleManifest {
  let value: unknown;
  try {
    value = parseCanonicalJson(bytes);
  } catch (error) {
    if (error instanceof CanonicalJsonError)
      throw new AppError('BUNDLE_MALFORMED', `The manifest is not canonical JSON: ${error.message}.`, { field: 'manifest' });
    throw error;
  }
  const check = validateManifest(value);
  if (!check.ok)
    throw new AppError(
      'BUNDLE_MALFORMED',
      `The manifest is not valid: ${check.issues.map((i) => `${i.path || 'manifest'}: ${i.message}`).join('; ')}.`,
      { field: 'manifest', issues: check.issues },
    );
  return check.manifest;
}

/**
 * Gives each image its offset and returns the manifest with its bytes. Offsets are absolute, and
 * the first one depends on the manifest's own length, whose digits depend on the offsets: iterate
 * to the fixed point (the length only grows, by a few digits, so two or three rounds).
 */
export function layoutManifest(draft: ManifestDraft): { manifest: BundleManifest; bytes: Uint8Array } {
  let assumedLength = 0;
  for (let round = 0; round < 16; round++) {
    let offset = payloadAreaOffset(assumedLength);
    const images = draft.images.map((image) => {
      const entry: ImageEntry = { ...image, offset };
      offset += image.compressed.length;
      return entry;
    });
    const manifest: BundleManifest = { ...draft, format: BUNDLE_FORMAT_VERSION, images };
    const bytes = encodeManifest(manifest);
    if (bytes.length === assumedLength) return { manifest, bytes };
    assumedLength = bytes.length;
  }
  throw new Error('manifest layout did not converge');
}

/** Parses `NAME RANGE` (the CLI's --requires) into a requirement; undefined when it is not one. */
export function parseRequirement(text: string): Requirement | undefined {
  const match = /^\s*(\S+)\s+(.+)$/.exec(text);
  if (!match || !NAME_PATTERN.test(match[1]!)) return undefined;
  const range = normalizeRange(match[2]!);
  return range === undefined ? undefined : { name: match[1]!, range };
}

/** Optional fields are left out, not written as undefined (canonical JSON refuses undefined). */
function withoutUndefined(manifest: BundleManifest): BundleManifest {
  const copy: BundleManifest = { ...manifest };
  if (copy.minVersion === undefined) delete copy.minVersion;
  if (copy.kind === undefined) delete copy.kind;
  if (copy.services === undefined) delete copy.services;
  copy.images = copy.images.map((image) => {
    if (image.delta !== undefined) return image;
    const { delta: _absent, ...rest } = image;
    return rest;
  });
  return copy;
}

export function bundleKind(manifest: Pick<BundleManifest, 'kind'>): BundleKind {
  return manifest.kind === 'delta' ? 'delta' : 'full';
}

/** The version a delta bundle patches from (every image's source has it); undefined for a full bundle. */
export function deltaFromVersion(manifest: BundleManifest): string | undefined {
  return manifest.kind === 'delta' ? manifest.images[0]?.delta?.fromVersion : undefined;
}

/**
 * What `headsetctl repo add` publishes about a bundle in its TUF target's `custom` field, signed
 * by the targets key: enough for a device to choose an update (model, versions, dependencies,
 * sizes, full or delta) from the targets metadata alone, before downloading any bundle. The
 * bundle's own signed manifest stays the authority at install time.
 */
export const targetCustomSchema = z
  .strictObject({
    version,
    compatible: z.string().regex(MODEL_PATTERN),
    minVersion: version.optional(),
    /** Absent when the bundle has no dependency. */
    requires: z.array(requirementSchema).min(1).max(MAX_REQUIRES).optional(),
    /** `size` is the image's uncompressed length: what it takes in the slot. */
    images: z
      .array(z.strictObject({ name, slot: name, size: length }))
      .min(1)
      .max(MAX_IMAGES),
    /** Absent when the bundle has no notes. */
    notes: z.string().min(1).max(MAX_NOTES_LENGTH).optional(),
    kind: z.enum(['full', 'delta']),
    /** A delta's source version: the installed version it applies to. */
    deltaFrom: version.optional(),
  })
  .refine((custom) => (custom.kind === 'delta') === (custom.deltaFrom !== undefined), {
    message: 'deltaFrom is given exactly for a delta',
    path: ['deltaFrom'],
  });
export type TargetCustom = z.infer<typeof targetCustomSchema>;

export function targetCustomFromManifest(manifest: BundleManifest): TargetCustom {
  const kind = bundleKind(manifest);
  const deltaFrom = deltaFromVersion(manifest);
  return {
    version: manifest.version,
    compatible: manifest.compatible,
    ...(manifest.minVersion === undefined ? {} : { minVersion: manifest.minVersion }),
    ...(manifest.requires.length === 0 ? {} : { requires: manifest.requires }),
    images: manifest.images.map((image) => ({ name: image.name, slot: image.slot, size: image.uncompressed.length })),
    ...(manifest.notes === '' ? {} : { notes: manifest.notes }),
    kind,
    ...(deltaFrom === undefined ? {} : { deltaFrom }),
  };
}
