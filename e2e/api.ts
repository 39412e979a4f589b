import WebSocket from 'ws';
import { ApiClient } from '../src/api/client.js';
import type { Port } from '../src/api/port.js';
import type { Headsetd } from './fixtures.js';

/**
 * The typed API client the renderer uses, over the web host's WebSocket, for a test to prepare a
 * state quickly (what the UI does is tested through the UI). Closed by `close()`.
 */
export async function connectApi(headsetd: Headsetd): Promise<ApiClient> {
  const ws = new WebSocket(`${headsetd.origin.replace(/^http/, 'ws')}/api`, ['headset.v1', `token.${headsetd.token}`], { origin: headsetd.origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) => reject(new Error(`the API refused the connection: ${response.statusCode}`)));
  });
  const port: Port = {
    post: (message) => ws.readyState === WebSocket.OPEN && ws.send(message),
    onMessage: (handler) => void ws.on('message', (data) => handler(String(data))),
    onClose: (handler) => void ws.on('close', handler),
    close: () => ws.close(),
  };
  return new ApiClient(port);
}
