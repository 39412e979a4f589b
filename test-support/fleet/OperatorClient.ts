import { CSRF_HEADER, OPERATOR_API, SESSION_COOKIE, type Session } from '../../src/fleet/operatorApi.js';
import type { Answer, Sender } from './httpSender.js';

/** An operator's browser, reduced to what the API sees: the session cookie and the CSRF token. */
export class OperatorClient {
  cookie: string | undefined;
  csrfToken: string | undefined;

  constructor(private readonly send: Sender) {}

  async login(username: string, password: string): Promise<Answer> {
    const answer = await this.post(OPERATOR_API.login, { username, password });
    if (answer.status === 200) this.csrfToken = answer.json<Session>().csrfToken;
    return answer;
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<Answer> {
    const answer = await this.post(OPERATOR_API.password, { currentPassword, newPassword });
    if (answer.status === 200) this.csrfToken = answer.json<Session>().csrfToken;
    return answer;
  }

  get(url: string): Promise<Answer> {
    return this.request('GET', url);
  }

  post(url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request('POST', url, body, headers);
  }

  put(url: string, body: unknown): Promise<Answer> {
    return this.request('PUT', url, body);
  }

  /** Sends with the cookie and, unless `headers` overrides it, the CSRF token; keeps a new cookie. */
  request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return this.raw(method, url, body === undefined ? undefined : JSON.stringify(body), {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    });
  }

  /** Sends these exact bytes (an upload, a body as a file holds it). */
  async raw(method: string, url: string, body: string | Buffer | undefined, headers: Record<string, string> = {}): Promise<Answer> {
    const all: Record<string, string> = {};
    if (this.cookie) all.cookie = `${SESSION_COOKIE}=${this.cookie}`;
    if (this.csrfToken) all[CSRF_HEADER] = this.csrfToken;
    Object.assign(all, headers);
    const answer = await this.send({ method, url, headers: all, body });
    const setCookie = answer.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(line);
      if (match) this.cookie = match[1] || undefined;
    }
    return answer;
  }
}
