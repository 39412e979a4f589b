import { request as httpRequest } from 'node:http';
import type { ConsoleMessage } from '@playwright/test';
import WebSocket from 'ws';
import type { BrowserGlobals } from './browserGlobals.js';
import { expect, openUi, test, waitForLiveHome, type Headsetd } from './fixtures.js';

test.use({ mode: 'settings' });

function parseCsp(header: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

/** Runs in the page: opens a WebSocket to the API and reports whether the server accepted it. */
function tryWebSocket(protocols: string[]): Promise<{ opened: boolean; code: number }> {
  const g = globalThis as unknown as BrowserGlobals;
  return new Promise((resolve) => {
    const ws = new g.WebSocket(`ws://${g.location.host}/api`, protocols);
    let opened = false;
    ws.onopen = () => {
      opened = true;
      ws.close();
    };
    ws.onclose = (event) => resolve({ opened, code: event.code });
  });
}

test.describe('web host security', () => {
  test('the page carries a strict Content-Security-Policy', async ({ page, headsetd }) => {
    const response = await openUi(page, headsetd);
    const header = response.headers()['content-security-policy'];
    expect(header, 'Content-Security-Policy header').toBeTruthy();
    const csp = parseCsp(header!);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(header).not.toContain("'unsafe-inline'");
    expect(header).not.toContain("'unsafe-eval'");
    expect(header).not.toContain('*');
    // The API may be reached on this host only.
    const host = new URL(headsetd.origin).host;
    expect(csp.get('connect-src')).toContain(`ws://${host}`);
    for (const source of csp.get('connect-src') ?? []) expect(source).toMatch(/^ws:\/\/(127\.0\.0\.1|localhost):\d+$/);
    expect(response.headers()['x-content-type-options']).toBe('nosniff');

    // The built page needs nothing inline, and the browser enforces the policy.
    await expect(page.locator('script:not([src])')).toHaveCount(0);
    const violation = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const g = globalThis as unknown as BrowserGlobals;
          g.document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective));
          const script = g.document.createElement('script');
          script.textContent = 'globalThis.inlineScriptRan = true';
          g.document.head.append(script);
          g.setTimeout(() => resolve('no violation'), 5_000);
        }),
    );
    expect(violation).toBe('script-src-elem');
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).inlineScriptRan)).toBeUndefined();
  });

  test('loads without console errors', async ({ page, headsetd }) => {
    const problems: string[] = [];
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    // Let a health update go through the whole path too.
    const updated = page.getByTestId('health-updated');
    const first = await updated.getAttribute('data-taken-at');
    await expect.poll(() => updated.getAttribute('data-taken-at'), { timeout: 8_000 }).not.toBe(first);
    expect(problems).toEqual([]);
  });

  test('the API refuses a WebSocket without the token', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    // Same origin as the UI, so only the token decides.
    expect(await page.evaluate(tryWebSocket, ['headset.v1'])).toMatchObject({ opened: false });
    expect(await page.evaluate(tryWebSocket, ['headset.v1', `token.${'0'.repeat(64)}`])).toMatchObject({ opened: false });
    expect(await page.evaluate(tryWebSocket, ['headset.v1', `token.${headsetd.token.slice(0, 63)}`])).toMatchObject({ opened: false });
    // Control: the same call with the token is accepted, so the refusals above are the token's.
    expect(await page.evaluate(tryWebSocket, ['headset.v1', `token.${headsetd.token}`])).toMatchObject({ opened: true });
  });

  test('without the token in the address the UI says it cannot reach the headset', async ({ page, headsetd }) => {
    await page.goto(`${headsetd.origin}/`);
    await expect(page.getByRole('heading', { name: 'Cannot reach the headset' })).toBeVisible();
    await expect(page.getByRole('status')).toContainText('access token');
    await expect(page.locator('[data-mode]')).toHaveCount(0);
  });

  test('the token leaves the address bar once the page has it', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    const location = await page.evaluate(() => {
      const { hash, href } = (globalThis as unknown as BrowserGlobals).location;
      return { hash, href };
    });
    expect(location.hash).toBe('');
    expect(location.href).not.toContain(headsetd.token);
    expect(page.url()).not.toContain('token');
  });

  test('the API refuses other origins, and the host refuses other Host names', async ({ headsetd }) => {
    const protocols = ['headset.v1', `token.${headsetd.token}`];
    expect(await nodeWebSocket(headsetd, protocols, 'http://evil.example')).toBe(403);
    expect(await nodeWebSocket(headsetd, protocols, undefined)).toBe(403);
    expect(await nodeWebSocket(headsetd, protocols, headsetd.origin)).toBe('open');
    // DNS rebinding: a page served under another name must not reach the host.
    expect(await httpStatus(headsetd, 'evil.example')).toBe(421);
    expect(await httpStatus(headsetd, new URL(headsetd.origin).host)).toBe(200);
  });
});

function nodeWebSocket(headsetd: Headsetd, protocols: string[], origin: string | undefined): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${headsetd.origin.replace(/^http/, 'ws')}/api`, protocols, origin ? { origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (error) => reject(error));
  });
}

function httpStatus(headsetd: Headsetd, host: string): Promise<number> {
  const url = new URL(headsetd.origin);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: url.hostname, port: url.port, path: '/', headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}
