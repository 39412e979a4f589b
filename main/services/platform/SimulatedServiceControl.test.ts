import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedServiceControl } from './SimulatedServiceControl.js';

const dir = mkdtempSync(join(tmpdir(), 'simulated-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SimulatedServiceControl', () => {
  it('units start in their boot state, stop and start persist, and an empty run state means a fresh boot', async () => {
    const units = join(dir, 'units.json');
    const states = join(dir, 'states.json');
    writeFileSync(
      units,
      JSON.stringify({
        'a.service': { enabled: true, holdsInactiveSlot: true },
        'b.service': { enabled: false },
        'c.service': { enabled: true, failsToStart: true },
      }),
    );
    const control = new SimulatedServiceControl(units, states);
    expect(await control.states()).toEqual({ 'a.service': 'active', 'b.service': 'inactive', 'c.service': 'active' });
    expect(await control.holdersOfInactiveSlot()).toEqual(['a.service']);
    await control.stop('a.service');
    await control.stop('c.service');
    // Another instance (a restarted headsetd) sees the same states.
    expect(await new SimulatedServiceControl(units, states).states()).toEqual({
      'a.service': 'inactive',
      'b.service': 'inactive',
      'c.service': 'inactive',
    });
    await control.start('a.service');
    await control.start('b.service');
    await expect(control.start('c.service')).rejects.toThrow('start c.service: Job for c.service failed');
    await expect(control.start('nope.service')).rejects.toThrow('Unit nope.service not found.');
    await expect(control.stop('nope.service')).resolves.toBeUndefined();
    expect(await control.states()).toEqual({ 'a.service': 'active', 'b.service': 'active', 'c.service': 'failed' });
    rmSync(states);
    expect(await control.states()).toEqual({ 'a.service': 'active', 'b.service': 'inactive', 'c.service': 'active' });
  });
});
