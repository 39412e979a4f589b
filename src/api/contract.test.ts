/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { apiCalls, apiEvents } from './contract.js';

/**
 * One capability, one place: every call and event is declared by exactly one capability file, under
 * that capability's names. The files are found by glob, so a new one cannot slip past these checks.
 */
const capabilityFiles = import.meta.glob<Record<string, unknown>>(['./contract/*.ts', '!./contract/*.test.ts'], { eager: true });

/** The name prefixes (before the first dot) each capability file may declare. */
const PREFIXES: Record<string, readonly string[]> = {
  system: ['system'],
  identity: ['identity'],
  boot: ['boot'],
  health: ['health'],
  logs: ['logs', 'crashes'],
  mode: ['mode', 'setup', 'recovery'],
  update: ['update'],
  telemetry: ['privacy', 'telemetry', 'usage'],
  alerts: ['alerts'],
  lock: ['lock'],
  backup: ['backup'],
  support: ['support'],
  network: ['network'],
  registration: ['registration'],
  reset: ['reset'],
  setup: ['setup'],
  recovery: ['recovery'],
  license: ['license'],
  tracks: ['tracks'],
  profile: ['profile'],
};

interface Capability {
  name: string;
  calls: Record<string, unknown>;
  events: Record<string, unknown>;
}

const capabilities: Capability[] = Object.entries(capabilityFiles)
  .map(([path, module]) => ({ name: /\/([a-z]+)\.ts$/.exec(path)![1]!, module }))
  .filter(({ name }) => name !== 'common')
  .map(({ name, module }) => ({
    name,
    calls: module[`${name}Calls`] as Record<string, unknown>,
    events: module[`${name}Events`] as Record<string, unknown>,
  }));

describe('API contract, one file per capability', () => {
  it('finds exactly the known capability files, each exporting <name>Calls and <name>Events', () => {
    expect(capabilities.map((c) => c.name).sort()).toEqual(Object.keys(PREFIXES).sort());
    for (const { name, calls, events } of capabilities) {
      expect(calls, `${name}.ts exports ${name}Calls`).toBeTypeOf('object');
      expect(events, `${name}.ts exports ${name}Events`).toBeTypeOf('object');
    }
  });

  it.each(['calls', 'events'] as const)('no %s name is declared by two capability files', (kind) => {
    const declaredBy = new Map<string, string[]>();
    for (const capability of capabilities) {
      for (const name of Object.keys(capability[kind])) declaredBy.set(name, [...(declaredBy.get(name) ?? []), capability.name]);
    }
    const twice = [...declaredBy].filter(([, files]) => files.length > 1);
    expect(twice).toEqual([]);
  });

  it.each(['calls', 'events'] as const)('every %s name starts with a prefix of the file declaring it', (kind) => {
    for (const capability of capabilities) {
      for (const name of Object.keys(capability[kind])) {
        const prefix = name.slice(0, name.indexOf('.'));
        expect(PREFIXES[capability.name], `${name} in ${capability.name}.ts`).toContain(prefix);
      }
    }
  });

  it("the merged index holds every capability's calls and events, and nothing else", () => {
    const calls = capabilities.flatMap((c) => Object.keys(c.calls));
    const events = capabilities.flatMap((c) => Object.keys(c.events));
    expect(Object.keys(apiCalls).sort()).toEqual([...calls].sort());
    expect(Object.keys(apiEvents).sort()).toEqual([...events].sort());
    for (const capability of capabilities) {
      for (const [name, spec] of Object.entries(capability.calls)) expect(apiCalls[name as keyof typeof apiCalls]).toBe(spec);
      for (const [name, spec] of Object.entries(capability.events)) expect(apiEvents[name as keyof typeof apiEvents]).toBe(spec);
    }
  });
});
