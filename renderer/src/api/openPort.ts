import type { Port } from '../../../src/api/port.js';
import './bridge.js';
import { bridgePortOpener } from './bridgePort.js';

const TOKEN_KEY = 'headset.token';

/** The page was opened without the address headsetd announced: nothing to connect with. */
export class MissingTokenError extends Error {
  constructor() {
    super('This page needs the address headsetd printed (it carries the access token).');
    this.name = 'MissingTokenError';
  }
}

/**
 * What opens a port to headsetd, as often as the page needs one (each reconnection): Electron's
 * bridge when the page runs in the app, else the web host's WebSocket. The web host's token
 * arrives once, in the URL fragment: it is read here, kept in this closure for every later
 * connection (and in session storage for a reload of this tab; never in local storage), and removed
 * from the address bar so it does not linger in history. Throws MissingTokenError when there is none.
 */
export function createPortOpener(): () => Promise<Port> {
  const bridge = window.headsetBridge;
  if (bridge) return bridgePortOpener(bridge);
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromUrl = fragment.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new MissingTokenError();
  const url = `ws://${location.host}/api`;
  return () => webSocketPort(url, token);
}

function webSocketPort(url: string, token: string): Promise<Port> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['headset.v1', `token.${token}`]);
    const messageHandlers: ((m: string) => void)[] = [];
    const closeHandlers: (() => void)[] = [];
    let opened = false;
    ws.onmessage = (event) => messageHandlers.forEach((h) => h(String(event.data)));
    ws.onclose = () => {
      // A browser does not say why a handshake failed: headsetd may be down, or this address may be from an earlier start.
      if (!opened) reject(new Error('The headset did not answer.'));
      closeHandlers.forEach((h) => h());
    };
    ws.onopen = () => {
      opened = true;
      resolve({
        post: (m) => ws.readyState === WebSocket.OPEN && ws.send(m),
        onMessage: (h) => void messageHandlers.push(h),
        onClose: (h) => void closeHandlers.push(h),
        close: () => ws.close(),
      });
    };
  });
}
