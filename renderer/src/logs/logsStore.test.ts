import { beforeEach, describe, expect, it } from 'vitest';
import { filterOf, useLogsStore } from './logsStore.js';

describe('logsStore', () => {
  beforeEach(() => useLogsStore.setState({ levels: [], subsystems: [], range: '24h', text: '' }));

  it('toggles chips on and off, and empty choices mean every level and subsystem', () => {
    const s = useLogsStore.getState();
    s.toggleLevel('error');
    s.toggleLevel('warn');
    s.toggleLevel('error');
    s.toggleSubsystem('gps');
    expect(useLogsStore.getState()).toMatchObject({ levels: ['warn'], subsystems: ['gps'] });
    const now = Date.UTC(2026, 2, 1, 12);
    expect(filterOf(useLogsStore.getState(), now)).toEqual({ levels: ['warn'], subsystems: ['gps'], since: '2026-02-28T12:00:00.000Z' });
    useLogsStore.getState().clearFilters();
    useLogsStore.getState().setRange('1h');
    useLogsStore.getState().setText('  slot=B ');
    expect(filterOf(useLogsStore.getState(), now)).toEqual({ since: '2026-03-01T11:00:00.000Z', text: 'slot=B' });
  });

  it('Refresh bumps the count the loaders follow, and leaves the filters as they are', () => {
    useLogsStore.getState().toggleLevel('error');
    const before = useLogsStore.getState().refreshCount;
    useLogsStore.getState().refresh();
    useLogsStore.getState().refresh();
    expect(useLogsStore.getState()).toMatchObject({ refreshCount: before + 2, levels: ['error'], range: '24h' });
  });
});
