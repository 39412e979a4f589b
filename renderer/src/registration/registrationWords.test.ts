import { describe, expect, it } from 'vitest';
import type { RegistrationStatus } from '../../../src/api/contract.js';
import { registrationWords } from './registrationWords.js';

const base: RegistrationStatus = {
  state: 'registered',
  serverUrl: 'https://fleet.example.org',
  serverName: 'fleet.example.org',
  accepted: true,
  groupTags: [],
  lastCheckInAt: null,
  nextAttemptAt: null,
  problem: null,
};

describe("the registration in the wearer's words", () => {
  it('names the server that manages the headset, and says so still while it is out of reach', () => {
    expect(registrationWords(base).headline).toBe('Managed by fleet.example.org');
    const away = registrationWords({ ...base, state: 'retrying', problem: { code: 'FLEET_UNREACHABLE', message: 'x' } });
    expect(away.headline).toBe('Managed by fleet.example.org');
    expect(away.note).toMatch(/^Cannot reach fleet.example.org right now\./);
    expect(away.details).toBe(true);
  });

  it('a headset not yet accepted is joining, waiting for an administrator, or refused; codes stay out of the words', () => {
    const pending = registrationWords({ ...base, state: 'pending', accepted: false, problem: { code: 'REGISTRATION_PENDING', message: 'm' } });
    expect(pending).toEqual({
      headline: 'Waiting for fleet.example.org',
      note: 'An administrator of fleet.example.org must accept this headset.',
      details: true,
    });
    expect(registrationWords({ ...base, state: 'offline', accepted: false }).headline).toBe('Joining fleet.example.org');
    const busy = registrationWords({ ...base, state: 'retrying', accepted: false, problem: { code: 'DATABASE_UNAVAILABLE', message: 'm' } });
    expect(busy.note).toMatch(/^fleet.example.org cannot answer right now\./);
    const refused = registrationWords({ ...base, state: 'refused', accepted: false, problem: { code: 'DEVICE_REFUSED', message: 'm' } });
    expect(refused.headline).toBe('Refused by fleet.example.org');
    for (const words of [pending, busy, refused]) expect(`${words.headline} ${words.note}`).not.toMatch(/[A-Z]{3,}_[A-Z]/);
  });

  it('without a server: not managed, no details', () => {
    expect(registrationWords({ ...base, state: 'unmanaged', serverUrl: null, serverName: null, accepted: false })).toEqual({
      headline: 'Not managed',
      note: 'No organisation manages this headset: it reports to no server.',
      details: false,
    });
  });
});
