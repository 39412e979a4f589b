import type { Port } from '../../../src/api/port.js';
import './bridge.js';

const TOKEN_KEY = 'headset.token';

/**
 * Opens the API port: Electron's preload bridge when the page runs in the app, else the web host's
 * WebSocket. The token arrives in the URL fragment once; it is moved to session storage and removed
 * from the address bar so it does not linger in history.
 */
export function openPort(): Promise<Port> {
  const bridge = window.headsetBridge;
  if (bridge) return Promise.resolve(bridgePort(bridge));
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromUrl = fragment.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_KEY);
  if (!token) return Promise.reject(new Error('This page needs the address headsetd printed (it carries the access token).'));
  return webSocketPort(`ws://${location.host}/api`, token);
}

function bridgePort(bridge: NonNullable<Window['headsetBridge']>): Port {
  const messageHandlers: ((m: string) => void)[] = [];
  bridge.onMessage((m) => messageHandlers.forEach((h) => h(m)));
  return {
    post: (m) => bridge.post(m),
    onMessage: (h) => void messageHandlers.push(h),
    onClose: () => undefined, // The window's lifetime is the bridge's.
    close: () => undefined,
  };
}

function webSocketPort(url: string, token: string): Promise<Port> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['headset.v1', `token.${token}`]);
    const messageHandlers: ((m: string) => void)[] = [];
    const closeHandlers: (() => void)[] = [];
    let opened = false;
    ws.onmessage = (event) => messageHandlers.forEach((h) => h(String(event.data)));
    ws.onclose = () => {
      if (!opened) reject(new Error('The headset refused the connection (the address may be from an earlier start).'));
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
