import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_API } from '../../src/fleet/operatorApi.js';
import { TestClock } from '../../test-support/fleet/fleetTestServer.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { buildServer } from '../buildServer.js';
import { parseTrustedProxies } from '../cli/serverOptions.js';
import { argon2idHasher } from '../operators/passwords.js';

const databases = new TestDatabases();
beforeAll(() => databases.prepare(['pglite']), PREPARE_TIMEOUT_MS);
afterAll(() => databases.close());

// The whole of 127.0.0.0/8 is this machine on Linux: 127.0.0.2 plays the TLS proxy, 127.0.0.1 anyone else.
const PROXY = '127.0.0.2';
const ELSEWHERE = '127.0.0.1';

/** A failed login sent over a real socket from `from`, claiming the client `forwardedFor`; answers the error code. */
function failedLogin(port: number, from: string, forwardedFor: string, username: string): Promise<string> {
  const body = JSON.stringify({ username, password: 'not the password' });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        localAddress: from,
        method: 'POST',
        path: OPERATOR_API.login,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': forwardedFor },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve((JSON.parse(text) as { code: string }).code));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('--trust-proxy', () => {
  it("believes X-Forwarded-For only from the trusted proxy: per-address login limits count the proxy's clients apart", async () => {
    const limit = 3;
    const app = await buildServer({
      db: await databases.migrated('pglite'),
      clock: new TestClock(),
      passwords: argon2idHasher('minimum'),
      secureCookies: false,
      trustProxy: parseTrustedProxies(`${PROXY}/32`),
      // A high per-user limit (each attempt has its own user name anyway): only the per-address one bites.
      throttleLimits: { loginPerAddress: { name: 'login-address', limit, windowMs: 60_000 } },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    let n = 0;
    const attempt = (from: string, forwardedFor: string) => failedLogin(port, from, forwardedFor, `user${++n}`);
    try {
      // Through the proxy: one client's failures reach its limit, another client behind the same proxy is untouched.
      for (let i = 0; i < limit; i++) expect(await attempt(PROXY, '203.0.113.7')).toBe('LOGIN_FAILED');
      expect(await attempt(PROXY, '203.0.113.7')).toBe('LOGIN_THROTTLED');
      expect(await attempt(PROXY, '198.51.100.9')).toBe('LOGIN_FAILED');

      // From anywhere else the header is ignored: a new claimed address each time still counts against the socket's.
      for (let i = 0; i < limit; i++) expect(await attempt(ELSEWHERE, `192.0.2.${i + 1}`)).toBe('LOGIN_FAILED');
      expect(await attempt(ELSEWHERE, '192.0.2.200')).toBe('LOGIN_THROTTLED');
      // ... and claiming the throttled client's address from elsewhere does not reach that client's counter either.
      expect(await attempt(PROXY, '198.51.100.9')).toBe('LOGIN_FAILED');
    } finally {
      await app.close();
    }
  });

  it('without it, X-Forwarded-For is never believed, even from the would-be proxy', async () => {
    const limit = 2;
    const app = await buildServer({
      db: await databases.migrated('pglite'),
      clock: new TestClock(),
      passwords: argon2idHasher('minimum'),
      secureCookies: false,
      throttleLimits: { loginPerAddress: { name: 'login-address', limit, windowMs: 60_000 } },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    try {
      expect(await failedLogin(port, PROXY, '203.0.113.1', 'a')).toBe('LOGIN_FAILED');
      expect(await failedLogin(port, PROXY, '203.0.113.2', 'b')).toBe('LOGIN_FAILED');
      expect(await failedLogin(port, PROXY, '203.0.113.3', 'c')).toBe('LOGIN_THROTTLED');
    } finally {
      await app.close();
    }
  });

  it('takes addresses and CIDR ranges only', () => {
    expect(parseTrustedProxies('127.0.0.1, 10.0.0.0/8,::1,fd00::/8')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    for (const wrong of ['proxy.example', '10.0.0.0/33', '::1/129', '10.0.0.1/8/1', '', '10.0.0.0/x', '127.0.0.1,'])
      expect(() => parseTrustedProxies(wrong)).toThrow(/--trust-proxy takes comma-separated IP addresses or CIDR ranges/);
  });
});
