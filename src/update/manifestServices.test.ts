import { describe, expect, it } from 'vitest';
import { decodeManifest, layoutManifest, validateManifest, type ManifestDraft } from './manifest.js';

// The manifest's optional `services`: systemd service units the update touches, signed with the rest.

function draft(extra: Partial<ManifestDraft> = {}): ManifestDraft {
  return {
    version: '1.2.0',
    compatible: 'hs-1',
    requires: [],
    notes: '',
    created: '2025-01-31T12:00:00.000Z',
    images: [
      {
        name: 'rootfs',
        slot: 'rootfs',
        compression: 'zstd',
        compressed: { length: 10, sha256: 'a'.repeat(64) },
        uncompressed: { length: 20, sha256: 'b'.repeat(64) },
      },
    ],
    ...extra,
  };
}

describe('manifest services', () => {
  it('round-trips, and is absent from the signed bytes when there are none (older bundles unchanged)', () => {
    const { manifest, bytes } = layoutManifest(draft({ services: ['headset-tracking.service', 'getty@tty1.service'] }));
    expect(decodeManifest(bytes).services).toEqual(['headset-tracking.service', 'getty@tty1.service']);
    expect(manifest.services).toHaveLength(2);
    const plain = layoutManifest(draft()).bytes;
    expect(new TextDecoder().decode(plain)).not.toContain('services');
  });

  it('refuses names that are not service units, duplicates, and an empty list', () => {
    for (const services of [['--now.service'], ['tracking'], ['a b.service'], ['x.timer'], ['*.service'], ['a.service', 'a.service'], []]) {
      const check = validateManifest({ ...layoutManifest(draft()).manifest, services });
      expect(check.ok, JSON.stringify(services)).toBe(false);
    }
  });
});
