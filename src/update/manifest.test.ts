import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test-support/api/errorCodes.js';
import { canonicalJson } from './canonicalJson.js';
import { payloadAreaOffset } from './header.js';
import {
  bundleKind,
  decodeManifest,
  encodeManifest,
  layoutManifest,
  parseRequirement,
  targetCustomFromManifest,
  targetCustomSchema,
  validateManifest,
  type BundleManifest,
  type ImageDraft,
  type ManifestDraft,
} from './manifest.js';
import { checkLayout } from './verify.js';

const GiB = 1024 ** 3;
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/);
// Lengths well past 4 GiB, small enough that up to 8 images still end below 2^53.
const length = fc.oneof(fc.integer({ min: 0, max: 2 ** 50 }), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 5 * GiB, 2 ** 50));
const version = fc
  .tuple(fc.nat(999), fc.nat(999), fc.nat(999), fc.option(fc.constantFrom('rc.1', 'beta', 'alpha.2'), { nil: undefined }))
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}`);

const imageDraft = fc.record({
  name,
  slot: name,
  compression: fc.constant('zstd' as const),
  compressed: fc.record({ length, sha256: hex64 }),
  uncompressed: fc.record({ length, sha256: hex64 }),
});
const draft: fc.Arbitrary<ManifestDraft> = fc
  .record({
    version,
    compatible: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,20}$/),
    minVersion: fc.option(version, { nil: undefined }),
    requires: fc.uniqueArray(fc.record({ name, range: fc.constantFrom('>=1.0.0', '^2.3.0', '>=1.0.0 <2.0.0', '1.x || 2.x', '*') }), {
      selector: (r) => r.name,
      maxLength: 4,
    }),
    notes: fc.string({ maxLength: 200 }),
    created: fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    images: fc
      .uniqueArray(imageDraft, { minLength: 1, maxLength: 8, selector: (i) => i.name })
      .map((images) => images.map((image, i) => ({ ...image, slot: `${image.slot}-${i}` }))),
  })
  .map(({ minVersion, ...rest }) => (minVersion === undefined ? rest : { ...rest, minVersion }));

function sample(
  images: ImageDraft[] = [
    {
      name: 'rootfs',
      slot: 'rootfs',
      compression: 'zstd',
      compressed: { length: 10, sha256: 'a'.repeat(64) },
      uncompressed: { length: 20, sha256: 'b'.repeat(64) },
    },
  ],
): ManifestDraft {
  return { version: '1.2.0', compatible: 'hs-1', requires: [], notes: '', created: '2025-01-31T12:00:00.000Z', images };
}

describe('bundle manifest', () => {
  it('lays out any draft so the payloads tile the file from the end of the signature block', () => {
    fc.assert(
      fc.property(draft, (d) => {
        const { manifest, bytes } = layoutManifest(d);
        expect(manifest.images[0]!.offset).toBe(payloadAreaOffset(bytes.length));
        const end = checkLayout(manifest, bytes.length);
        expect(end).toBe(payloadAreaOffset(bytes.length) + d.images.reduce((sum, i) => sum + i.compressed.length, 0));
        expect(Number.isSafeInteger(end)).toBe(true);
      }),
    );
  });

  it('round-trips any valid manifest through its canonical bytes, lengths over 4 GiB included', () => {
    fc.assert(
      fc.property(draft, (d) => {
        const { manifest, bytes } = layoutManifest(d);
        expect(decodeManifest(bytes)).toEqual(manifest);
        expect(encodeManifest(decodeManifest(bytes))).toEqual(bytes);
      }),
    );
  });

  it('keeps exact offsets and lengths past 4 GiB (no 32-bit arithmetic anywhere)', () => {
    const big = (n: string, len: number): ImageDraft => ({
      name: n,
      slot: n,
      compression: 'zstd',
      compressed: { length: len, sha256: 'c'.repeat(64) },
      uncompressed: { length: len + 7, sha256: 'd'.repeat(64) },
    });
    const { manifest, bytes } = layoutManifest(sample([big('rootfs', 5 * GiB + 3), big('data', 6 * GiB + 1), big('boot', 1)]));
    const first = payloadAreaOffset(bytes.length);
    expect(manifest.images.map((i) => i.offset)).toEqual([first, first + 5 * GiB + 3, first + 11 * GiB + 4]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain(`"length":${5 * GiB + 3}`);
    expect(text).toContain(`"offset":${first + 11 * GiB + 4}`);
    expect(decodeManifest(bytes).images[2]!.offset).toBe(first + 11 * GiB + 4);
    expect(checkLayout(manifest, bytes.length)).toBe(first + 11 * GiB + 5);
  });

  it('refuses lengths and offsets beyond 2^53', () => {
    const huge: ImageDraft = {
      name: 'a',
      slot: 'a',
      compression: 'zstd',
      compressed: { length: Number.MAX_SAFE_INTEGER - 10, sha256: 'c'.repeat(64) },
      uncompressed: { length: 1, sha256: 'd'.repeat(64) },
    };
    expect(codeOf(() => layoutManifest(sample([huge, { ...huge, name: 'b', slot: 'b' }])))).toBe('INVALID_INPUT');
    const { manifest, bytes } = layoutManifest(sample());
    const text = new TextDecoder().decode(bytes).replace('"length":10', `"length":${2 ** 53}`);
    expect(codeOf(() => decodeManifest(new TextEncoder().encode(text)))).toBe('BUNDLE_MALFORMED');
    expect(manifest.images).toHaveLength(1);
  });

  it('writes keys sorted, no whitespace, and leaves out an absent version floor', () => {
    const { bytes } = layoutManifest(sample());
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith('{"compatible":"hs-1","created":"2025-01-31T12:00:00.000Z","format":1,"images":[{"compressed":{"length":10,')).toBe(true);
    expect(text).not.toContain('minVersion');
    expect(text).not.toMatch(/\s/);
  });

  it('refuses invalid fields with the field named', () => {
    const cases: [string, (m: BundleManifest) => unknown][] = [
      ['version', (m) => ({ ...m, version: 'v1.2.0' })],
      ['version', (m) => ({ ...m, version: '1.2' })],
      ['version', (m) => ({ ...m, version: '01.2.0' })],
      ['minVersion', (m) => ({ ...m, minVersion: 'latest' })],
      ['compatible', (m) => ({ ...m, compatible: 'has space' })],
      ['compatible', (m) => ({ ...m, compatible: '' })],
      ['created', (m) => ({ ...m, created: '2025-02-30T00:00:00Z' })],
      ['created', (m) => ({ ...m, created: '2025-01-31 12:00:00' })],
      ['requires.0.range', (m) => ({ ...m, requires: [{ name: 'boot', range: 'not a range' }] })],
      [
        'requires',
        (m) => ({
          ...m,
          requires: [
            { name: 'boot', range: '>=1.0.0' },
            { name: 'boot', range: '>=2.0.0' },
          ],
        }),
      ],
      ['images', (m) => ({ ...m, images: [] })],
      ['images', (m) => ({ ...m, images: [m.images[0], { ...m.images[0], name: 'other' }] })],
      ['images', (m) => ({ ...m, images: [m.images[0], { ...m.images[0], slot: 'other' }] })],
      ['images.0.compression', (m) => ({ ...m, images: [{ ...m.images[0], compression: 'gzip' }] })],
      ['images.0.name', (m) => ({ ...m, images: [{ ...m.images[0], name: '../etc' }] })],
      ['images.0.compressed.sha256', (m) => ({ ...m, images: [{ ...m.images[0], compressed: { length: 1, sha256: 'A'.repeat(64) } }] })],
      ['images.0.uncompressed.length', (m) => ({ ...m, images: [{ ...m.images[0], uncompressed: { length: -1, sha256: 'a'.repeat(64) } }] })],
      ['images.0.offset', (m) => ({ ...m, images: [{ ...m.images[0], offset: 1.5 }] })],
      ['', (m) => ({ ...m, signedBy: 'me' })],
      ['format', (m) => ({ ...m, format: 2 })],
    ];
    const { manifest } = layoutManifest(sample());
    for (const [path, mutate] of cases) {
      const check = validateManifest(mutate(manifest));
      expect(check.ok, path).toBe(false);
      if (!check.ok)
        expect(
          check.issues.map((i) => i.path),
          JSON.stringify(check.issues),
        ).toContain(path);
    }
  });

  it('reads only canonical, valid manifests (BUNDLE_MALFORMED otherwise)', () => {
    const { manifest, bytes } = layoutManifest(sample());
    const encode = (text: string) => new TextEncoder().encode(text);
    expect(codeOf(() => decodeManifest(encode(JSON.stringify(manifest, null, 2))))).toBe('BUNDLE_MALFORMED');
    expect(codeOf(() => decodeManifest(encode(JSON.stringify(manifest))))).toBe('BUNDLE_MALFORMED'); // key order
    expect(codeOf(() => decodeManifest(encode(canonicalJson({ ...manifest, extra: 1 }))))).toBe('BUNDLE_MALFORMED');
    expect(codeOf(() => decodeManifest(encode('[]')))).toBe('BUNDLE_MALFORMED');
    expect(codeOf(() => decodeManifest(bytes.slice(0, -1)))).toBe('BUNDLE_MALFORMED');
    expect(codeOf(() => decodeManifest(bytes))).toBe('OK');
  });

  it('refuses at build time a manifest over the size cap', () => {
    expect(codeOf(() => layoutManifest({ ...sample(), notes: 'x'.repeat(200 * 1024) }))).toBe('OK');
    expect(codeOf(() => layoutManifest({ ...sample(), notes: '\u{1F600}'.repeat(256 * 1024) }))).toBe('INVALID_INPUT'); // 1 MiB of UTF-8
  });

  it('parses --requires NAME RANGE', () => {
    expect(parseRequirement('bootloader >=2.0.0')).toEqual({ name: 'bootloader', range: '>=2.0.0' });
    expect(parseRequirement('  mcu   >=1.0.0   <2.0.0 ')).toEqual({ name: 'mcu', range: '>=1.0.0 <2.0.0' });
    expect(parseRequirement('mcu ^1.4')).toEqual({ name: 'mcu', range: '^1.4' });
    for (const bad of ['bootloader', 'bootloader nonsense', 'Boot >=1.0.0', '>=1.0.0', '']) expect(parseRequirement(bad), bad).toBeUndefined();
  });
});

describe('delta manifests', () => {
  const source = { fromVersion: '1.0.0', sourceLength: 5 * GiB, sourceSha256: 'e'.repeat(64) };
  const deltaImage = (n: string): ImageDraft => ({
    name: n,
    slot: n,
    compression: 'zstd',
    compressed: { length: 10, sha256: 'a'.repeat(64) },
    uncompressed: { length: 20, sha256: 'b'.repeat(64) },
    delta: source,
  });

  it('round-trips a delta manifest; a full one is written exactly as before deltas existed', () => {
    const { manifest, bytes } = layoutManifest({ ...sample([deltaImage('rootfs'), deltaImage('boot')]), kind: 'delta' });
    expect(decodeManifest(bytes)).toEqual(manifest);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain(`"delta":{"fromVersion":"1.0.0","sourceLength":${5 * GiB},"sourceSha256":"${'e'.repeat(64)}"}`);
    expect(text).toContain('"kind":"delta"');
    const plain = new TextDecoder().decode(layoutManifest(sample()).bytes);
    expect(plain).not.toMatch(/kind|delta/);
    expect(bundleKind(decodeManifest(layoutManifest(sample()).bytes))).toBe('full');
  });

  it('refuses a bundle that mixes patches and images, patches from two versions, or spells "full"', () => {
    const { manifest } = layoutManifest({ ...sample([deltaImage('rootfs'), deltaImage('boot')]), kind: 'delta' });
    const cases: [string, unknown][] = [
      ['images.1.delta', { ...manifest, images: [manifest.images[0], { ...manifest.images[1], delta: undefined }] }],
      ['images.0.delta', { ...manifest, kind: undefined }],
      ['images', { ...manifest, images: [manifest.images[0], { ...manifest.images[1], delta: { ...source, fromVersion: '0.9.0' } }] }],
      ['kind', { ...manifest, kind: 'full' }],
      [
        'images.0.delta.fromVersion',
        { ...manifest, images: [{ ...manifest.images[0], delta: { ...source, fromVersion: 'v1' } }, manifest.images[1]] },
      ],
      ['images.0.delta', { ...manifest, images: [{ ...manifest.images[0], delta: { ...source, extra: 1 } }, manifest.images[1]] }],
    ];
    for (const [path, value] of cases) {
      const check = validateManifest(value);
      expect(check.ok, path).toBe(false);
      if (!check.ok)
        expect(
          check.issues.map((i) => i.path),
          JSON.stringify(check.issues),
        ).toContain(path);
    }
  });

  it('describes a bundle for TUF custom metadata', () => {
    const delta = layoutManifest({
      ...sample([deltaImage('rootfs')]),
      kind: 'delta',
      notes: 'Fixes.\n',
      requires: [{ name: 'bootloader', range: '>=2.0.0' }],
      minVersion: '0.5.0',
    }).manifest;
    expect(targetCustomFromManifest(delta)).toEqual({
      version: '1.2.0',
      compatible: 'hs-1',
      minVersion: '0.5.0',
      requires: [{ name: 'bootloader', range: '>=2.0.0' }],
      notes: 'Fixes.\n',
      images: [{ name: 'rootfs', slot: 'rootfs', size: 20 }],
      kind: 'delta',
      deltaFrom: '1.0.0',
    });
    const full = targetCustomFromManifest(layoutManifest(sample()).manifest);
    expect(full).toEqual({ version: '1.2.0', compatible: 'hs-1', images: [{ name: 'rootfs', slot: 'rootfs', size: 20 }], kind: 'full' });
    for (const custom of [full, targetCustomFromManifest(delta)]) expect(targetCustomSchema.safeParse(custom).success).toBe(true);
    expect(targetCustomSchema.safeParse({ ...full, deltaFrom: '1.0.0' }).success).toBe(false);
  });
});
