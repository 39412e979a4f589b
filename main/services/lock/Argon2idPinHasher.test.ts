import { describe, expect, it } from 'vitest';
import { Argon2idPinHasher } from './Argon2idPinHasher.js';

const hasher = new Argon2idPinHasher({ ops: 1, memoryBytes: 8192 });

describe('Argon2idPinHasher', () => {
  it('hashes with a fresh salt each time; only the right PIN verifies', async () => {
    const [a, b] = await Promise.all([hasher.hash('4711'), hasher.hash('4711')]);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=8,t=1,p=1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('4711');
    expect(await hasher.verify(a, '4711')).toBe(true);
    expect(await hasher.verify(b, '4711')).toBe(true);
    expect(await hasher.verify(a, '4712')).toBe(false);
    expect(await hasher.verify(a, '47110')).toBe(false);
  });

  it('refuses what is not an Argon2id string, however it is made', async () => {
    const good = await hasher.hash('4711');
    expect(await hasher.verify('4711', '4711')).toBe(false);
    expect(await hasher.verify(good.replace('argon2id', 'argon2i'), '4711')).toBe(false);
    expect(await hasher.verify(`${good}${'A'.repeat(200)}`, '4711')).toBe(false);
  });
});
