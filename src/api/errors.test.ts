/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
// Read through the bundler, not node:fs: src/ stays free of Node imports, tests included.
import errorsDoc from '../../docs/errors.md?raw';
import type { ApiError } from './client.js';
import { apiCalls, type CallName, type EventName } from './contract.js';
import { ERROR_CATALOGUE, ERROR_CODES, GENERIC_ERROR_CODES, isErrorCode, type ErrorCode } from './errors.js';
import { HeldCalls, connectHarness, createFakeDevice, errorCodeOf } from './testing.js';

/**
 * One scenario per code that really produces it through the router and the client. Typed as a
 * Record over ErrorCode: adding a code to the catalogue does not compile until it has a scenario.
 */
const scenarios: Record<ErrorCode, () => Promise<ErrorCode>> = {
  BAD_MESSAGE: async () => {
    const h = connectHarness();
    h.raw.send('this is not json');
    return (await h.raw.nextError(null)).code;
  },
  MESSAGE_TOO_LARGE: async () => {
    const h = connectHarness({ maxMessageBytes: 256 });
    h.raw.send({ type: 'call', id: 1000, method: 'system.ping', input: { payload: 'x'.repeat(300) } });
    return (await h.raw.nextError(null)).code;
  },
  UNKNOWN_METHOD: () => errorCodeOf(connectHarness().client.call('device.explode' as CallName)),
  UNKNOWN_EVENT: () => new Promise((resolve) => connectHarness().client.subscribe('device.exploded' as EventName, () => undefined, (e: ApiError) => resolve(e.code))),
  INVALID_INPUT: () => errorCodeOf(connectHarness().client.call('system.ping', { payload: 7 as unknown as string })),
  FORBIDDEN: () => errorCodeOf(connectHarness({ device: createFakeDevice({ mode: 'setup' }), scopes: ['status'] }).client.call('setup.complete')),
  WRONG_MODE: () => errorCodeOf(connectHarness({ device: createFakeDevice({ mode: 'settings' }) }).client.call('setup.complete')),
  DUPLICATE_ID: async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    h.raw.send({ type: 'call', id: 1000, method: 'system.ping' });
    await held.entered(1);
    h.raw.send({ type: 'call', id: 1000, method: 'system.ping' });
    return (await h.raw.nextError(1000)).code;
  },
  BUSY: async () => {
    const held = new HeldCalls();
    const h = connectHarness({ maxInFlight: 1, device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    void h.client.call('system.ping');
    await held.entered(1);
    return errorCodeOf(h.client.call('system.info'));
  },
  CANCELLED: async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    const controller = new AbortController();
    const call = h.client.call('system.ping', {}, { signal: controller.signal });
    await held.entered(1);
    controller.abort();
    return errorCodeOf(call);
  },
  DISCONNECTED: async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    const call = h.client.call('system.ping');
    await held.entered(1);
    h.client.close();
    return errorCodeOf(call);
  },
  NOT_SUPPORTED: () => errorCodeOf(connectHarness({ device: createFakeDevice({ mode: 'recovery' }) }).client.call('recovery.restart')),
  INTERNAL: () =>
    errorCodeOf(
      connectHarness({
        device: createFakeDevice({
          overrides: {
            'system.info': () => {
              throw new Error('boom');
            },
          },
        }),
      }).client.call('system.info'),
    ),
};

/** The body of a code's section in docs/errors.md (from its heading to the next one). */
function docSection(code: ErrorCode): string | undefined {
  const match = new RegExp(`^## ${code}\\s*$([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(errorsDoc);
  return match?.[1];
}

describe('error catalogue', () => {
  it.each(ERROR_CODES)('%s is reachable through the router and the client', async (code) => {
    expect(await scenarios[code]()).toBe(code);
  });

  it.each(ERROR_CODES)('%s is documented in docs/errors.md with the catalogue\'s wording', (code) => {
    const section = docSection(code);
    expect(section, `docs/errors.md has no "## ${code}" section`).toBeDefined();
    expect(section).toContain(`**Meaning:** ${ERROR_CATALOGUE[code]}`);
    for (const part of ['**When:**', '**What to do:**', '**Retryable:**']) expect(section).toContain(part);
    expect(errorsDoc).toMatch(new RegExp(`^\\| \`${code}\` \\| ${escapeRegExp(ERROR_CATALOGUE[code])} \\|`, 'm'));
  });

  it('docs/errors.md documents no code outside the catalogue', () => {
    const headings = [...errorsDoc.matchAll(/^## ([A-Z][A-Z_]+)\s*$/gm)].map((m) => m[1]);
    const rows = [...errorsDoc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(new Set(headings)).toEqual(new Set(ERROR_CODES));
    expect(new Set(rows)).toEqual(new Set(ERROR_CODES));
  });

  it('every error a call declares is in the catalogue', () => {
    for (const [name, spec] of Object.entries(apiCalls)) {
      for (const code of spec.errors) expect(isErrorCode(code), `${name} declares ${code}`).toBe(true);
    }
  });

  it('the generic codes are a subset of the catalogue', () => {
    for (const code of GENERIC_ERROR_CODES) expect(isErrorCode(code), code).toBe(true);
    expect(new Set(GENERIC_ERROR_CODES).size).toBe(GENERIC_ERROR_CODES.length);
  });

  it('isErrorCode accepts exactly the catalogue', () => {
    for (const code of ERROR_CODES) expect(isErrorCode(code)).toBe(true);
    for (const other of ['', 'internal', 'toString', '__proto__', 'hasOwnProperty', 42, null, undefined]) expect(isErrorCode(other)).toBe(false);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
