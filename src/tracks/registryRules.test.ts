import { describe, expect, it } from 'vitest';
import { decideProposal, isDefaultTrackName, nameKey, type RegistryTrackRef } from './registryRules.js';
import { registryTestSignature, withChicane } from './registryTestSignatures.js';

const GP = registryTestSignature('hollowmere-gp', 1);
const GP_OTHER_HEADSET = registryTestSignature('hollowmere-gp', 7);
const NATIONAL = registryTestSignature('hollowmere-national', 2);
const KESTREL = registryTestSignature('kestrel-ring', 3);
const REVISED = withChicane(GP, 70);
const REVISED_OTHER_HEADSET = withChicane(GP_OTHER_HEADSET, 70);

const track = (id: string, name: string, signature = GP, status: RegistryTrackRef['status'] = 'active'): RegistryTrackRef => ({
  id,
  name,
  status,
  signature,
});

describe('registry rules', () => {
  it('joins the same geometry, and keeps a name the wearer gave as an alias (one geometry, two names)', () => {
    const registry = [track('gp', 'Hollowmere Grand Prix'), track('kr', 'Kestrel Ring', KESTREL)];
    expect(decideProposal({ deviceId: 'b', name: 'Hollowmere', signature: GP_OTHER_HEADSET }, registry, [])).toMatchObject({
      kind: 'join',
      trackId: 'gp',
      alias: 'Hollowmere',
    });
    // The headset's own default name and the canonical name in other case are no alias.
    expect(decideProposal({ deviceId: 'b', name: 'Track 3 (5.1 km)', signature: GP_OTHER_HEADSET }, registry, [])).toMatchObject({ alias: null });
    expect(decideProposal({ deviceId: 'b', name: ' hollowmere  grand prix', signature: GP_OTHER_HEADSET }, registry, [])).toMatchObject({
      alias: null,
    });
    // A retired layout still joins: laps driven on it keep their track.
    expect(decideProposal({ deviceId: 'b', name: 'x', signature: GP_OTHER_HEADSET }, [track('old', 'Old', GP, 'retired')], [])).toMatchObject({
      kind: 'join',
      trackId: 'old',
    });
  });

  it('tells two geometries under one name apart by length at one venue, and keeps the name at another venue', () => {
    const registry = [track('gp', 'Hollowmere'), track('kr', 'Club circuit', KESTREL)];
    expect(decideProposal({ deviceId: 'b', name: 'Hollowmere', signature: NATIONAL }, registry, [])).toEqual({
      kind: 'new',
      name: 'Hollowmere (3.8 km)',
    });
    expect(decideProposal({ deviceId: 'b', name: 'Club circuit', signature: NATIONAL }, registry, [])).toEqual({ kind: 'new', name: 'Club circuit' });
    // The length-qualified name is taken at the venue too: an operator names it.
    const named = track('other', 'Hollowmere (3.8 km)', { ...KESTREL, cells: NATIONAL.cells });
    expect(decideProposal({ deviceId: 'b', name: 'hollowmere', signature: NATIONAL }, [...registry, named], [])).toEqual({
      kind: 'name-taken',
      name: 'hollowmere',
      trackId: 'other',
    });
  });

  it('holds a near layout as a revision candidate until another headset agrees', () => {
    const registry = [track('gp', 'Hollowmere Grand Prix')];
    const first = decideProposal({ deviceId: 'a', name: 'Track 1 (5.2 km)', signature: REVISED }, registry, []);
    expect(first).toMatchObject({ kind: 'candidate', trackId: 'gp', existingConflictId: null });
    expect((first as { distanceM: number }).distanceM).toBeGreaterThan(40);
    const candidates = [{ conflictId: 'c1', trackId: 'gp', deviceId: 'a', signature: REVISED }];
    // The same headset again: still one candidate.
    expect(decideProposal({ deviceId: 'a', name: 'x', signature: REVISED_OTHER_HEADSET }, registry, candidates)).toMatchObject({
      kind: 'candidate',
      existingConflictId: 'c1',
    });
    expect(decideProposal({ deviceId: 'b', name: 'x', signature: REVISED_OTHER_HEADSET }, registry, candidates)).toMatchObject({
      kind: 'revise',
      trackId: 'gp',
      conflictId: 'c1',
    });
    // The unchanged layout still joins while the candidate waits.
    expect(decideProposal({ deviceId: 'b', name: 'x', signature: GP_OTHER_HEADSET }, registry, candidates)).toMatchObject({ kind: 'join' });
  });

  it('names compare without case or spacing; default names are recognised', () => {
    expect(nameKey('  Kestrel   RING ')).toBe('kestrel ring');
    expect(isDefaultTrackName('Track 12 (2.2 km)')).toBe(true);
    expect(isDefaultTrackName('Track day circuit')).toBe(false);
  });
});
