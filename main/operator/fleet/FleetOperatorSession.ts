import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { AppError } from '../../../src/api/errors.js';
import { CSRF_HEADER, OPERATOR_API, SESSION_COOKIE, sessionSchema } from '../../../src/fleet/operatorApi.js';
import { UPDATE_API, repositoryFilesSchema } from '../../../src/fleet/updateApi.js';
import { FleetRefusal } from './FleetRefusal.js';
import type { RepositoryUploader } from './repositoryPush.js';

/**
 * An operator's session on a fleet server for the operator tools: logs in with a user name and a
 * password (read from a file by the caller: never on the command line), keeps the HttpOnly cookie
 * and the CSRF token in memory only, and logs out when done.
 */
export class FleetOperatorSession {
  private cookie = '';
  private csrfToken = '';

  private constructor(private readonly base: string) {}

  static async logIn(serverUrl: string, username: string, password: string): Promise<FleetOperatorSession> {
    const session = new FleetOperatorSession(serverUrl.replace(/\/+$/, ''));
    const answer = await session.send('POST', OPERATOR_API.login, JSON.stringify({ username, password }), 'application/json');
    const cookie = answer.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`));
    if (!cookie) throw new FleetRefusal('NOT_AUTHENTICATED', 'The server gave no session.');
    session.cookie = cookie.split(';')[0]!;
    const parsed = sessionSchema.parse(await answer.json());
    if (parsed.operator.mustChangePassword)
      throw new FleetRefusal('PASSWORD_CHANGE_REQUIRED', 'This operator still has a one-time password: change it in the dashboard first.');
    session.csrfToken = parsed.csrfToken;
    return session;
  }

  async logOut(): Promise<void> {
    await this.send('POST', OPERATOR_API.logout, '{}', 'application/json').catch(() => undefined);
  }

  /** Pushes with this session: what `repositoryPush` needs. */
  uploader(): RepositoryUploader {
    return {
      listFiles: async () => repositoryFilesSchema.parse(await (await this.send('GET', UPDATE_API.files)).json()),
      putFile: async (name, path, length) => {
        const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
        await this.send('PUT', UPDATE_API.file(name), body, 'application/octet-stream', { 'content-length': String(length) });
      },
      publish: async (timestampJson) => (await this.send('POST', UPDATE_API.publish, timestampJson, 'application/json')).json(),
    };
  }

  private async send(
    method: string,
    path: string,
    body?: string | ReadableStream<Uint8Array>,
    type?: string,
    extra: Record<string, string> = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...extra };
    if (type) headers['content-type'] = type;
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrfToken && method !== 'GET') headers[CSRF_HEADER] = this.csrfToken;
    let response: Response;
    try {
      response = await fetch(this.base + path, { method, headers, body, redirect: 'error', ...(typeof body === 'object' ? { duplex: 'half' } : {}) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new AppError('FLEET_UNREACHABLE', `${this.base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    if (!response.ok) {
      const refusal = (await response.json().catch(() => undefined)) as { code?: string; message?: string; details?: unknown } | undefined;
      throw new FleetRefusal(
        refusal?.code ?? `HTTP_${response.status}`,
        refusal?.message ?? `The server answered ${response.status}.`,
        refusal?.details,
      );
    }
    return response;
  }
}
