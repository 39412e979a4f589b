import { describe, expect, it } from 'vitest';
import type { HeadsetBridge } from './bridge.js';
import { bridgePortOpener } from './bridgePort.js';

/** Electron's preload as the page sees it; the test plays main's part. */
function fakeBridge() {
  const messageListeners: ((m: string) => void)[] = [];
  const connectionListeners: ((s: string) => void)[] = [];
  const posted: string[] = [];
  let connects = 0;
  const bridge: HeadsetBridge = {
    post: (m) => void posted.push(m),
    onMessage: (l) => void messageListeners.push(l),
    connect: () => void connects++,
    onConnection: (l) => void connectionListeners.push(l),
  };
  return {
    bridge,
    posted,
    connects: () => connects,
    fromMain: (m: string) => messageListeners.forEach((l) => l(m)),
    state: (s: string) => connectionListeners.forEach((l) => l(s)),
  };
}

describe('bridgePortOpener', () => {
  it('asks main for a connection and resolves once it is open; a failed one rejects', async () => {
    const main = fakeBridge();
    const open = bridgePortOpener(main.bridge);
    const failing = open();
    expect(main.connects()).toBe(1);
    main.state('closed');
    await expect(failing).rejects.toThrow('The headset did not answer.');

    const opening = open();
    expect(main.connects()).toBe(2);
    main.state('open');
    const port = await opening;
    const received: string[] = [];
    port.onMessage((m) => received.push(m));
    port.post('{"type":"call"}');
    main.fromMain('{"type":"ok"}');
    expect(main.posted).toEqual(['{"type":"call"}']);
    expect(received).toEqual(['{"type":"ok"}']);
  });

  it('a closed connection tells its port once, and nothing of it reaches the next one', async () => {
    const main = fakeBridge();
    const open = bridgePortOpener(main.bridge);
    const first = open();
    main.state('open');
    const port1 = await first;
    const received1: string[] = [];
    let closes = 0;
    port1.onMessage((m) => received1.push(m));
    port1.onClose(() => closes++);

    main.state('closed');
    main.state('closed');
    expect(closes).toBe(1);
    // A closed port sends nothing and hears nothing more.
    port1.post('late');
    main.fromMain('stray');
    expect(main.posted).toEqual([]);
    expect(received1).toEqual([]);

    const second = open();
    main.state('open');
    const port2 = await second;
    const received2: string[] = [];
    port2.onMessage((m) => received2.push(m));
    main.fromMain('for the new one');
    expect(received2).toEqual(['for the new one']);
    expect(received1).toEqual([]);
  });

  it('asking again while one is open drops that one first', async () => {
    const main = fakeBridge();
    const open = bridgePortOpener(main.bridge);
    const first = open();
    main.state('open');
    const port1 = await first;
    let closes = 0;
    port1.onClose(() => closes++);
    const second = open();
    expect(closes).toBe(1);
    main.state('open');
    await expect(second).resolves.toBeDefined();
  });
});
