import { createServer, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { GpsdReceiver } from './GpsdReceiver.js';

/** A gpsd stand-in on 127.0.0.1 speaking gpsd's JSON protocol (the edge of the machine). */
const clients: Socket[] = [];
const commands: string[] = [];
const server = createServer((socket) => {
  clients.push(socket);
  socket.setEncoding('utf8');
  socket.write('{"class":"VERSION","release":"3.25","rev":"3.25","proto_major":3,"proto_minor":15}\n');
  socket.on('data', (text: string) => commands.push(text));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

// Up to 10 s: a loaded CI machine can be slow to deliver a socket's data; a passing check returns at once.
const until = async (check: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 1000 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('GpsdReceiver', () => {
  it('watches gpsd and reads TPV fixes and SKY satellite counts, reports split across packets', async () => {
    const receiver = new GpsdReceiver({ host: '127.0.0.1', port });
    await receiver.powerOn();
    await until(() => commands.length > 0);
    expect(commands[0]).toBe('?WATCH={"enable":true,"json":true};\n');
    await expect(receiver.read()).resolves.toEqual({ satellites: 0, visible: 0, fix: null });
    const client = clients.at(-1)!;
    client.write('{"class":"SKY","nSat":11,"uSat":0}\n{"class":"TPV","mode":1}\n');
    await until(async () => (await receiver.read()).visible === 11);
    expect(await receiver.read()).toEqual({ satellites: 0, visible: 11, fix: null });
    const tpv = '{"class":"TPV","device":"/dev/ttyACM0","mode":3,"time":"2026-03-01T12:00:00.000Z","lat":47.376887,"lon":8.541694,"alt":408.0}\n';
    client.write(tpv.slice(0, 30));
    client.write(
      `${tpv.slice(30)}{"class":"SKY","satellites":[{"PRN":1,"used":true},{"PRN":3,"used":true},{"PRN":7,"used":false},{"PRN":9,"used":true},{"PRN":12,"used":true}]}\n`,
    );
    await until(async () => (await receiver.read()).fix !== null && (await receiver.read()).satellites === 4);
    expect(await receiver.read()).toEqual({ satellites: 4, visible: 5, fix: { lat: 47.376887, lon: 8.541694 } });
    // Garbage lines are ignored, not fatal.
    client.write('not json\n{"class":"TPV","mode":1}\n');
    await until(async () => (await receiver.read()).fix === null);
    expect((await receiver.read()).fix).toBeNull();
    await receiver.powerOff();
  });

  it('fails reads while gpsd is down and reconnects when it is back', async () => {
    const receiver = new GpsdReceiver({ host: '127.0.0.1', port });
    await receiver.powerOn();
    await until(() => clients.length >= 2);
    clients.at(-1)!.destroy();
    await until(async () =>
      receiver.read().then(
        () => false,
        () => true,
      ),
    );
    await expect(receiver.read()).rejects.toThrow(/gpsd is not reachable/);
    // The failed read started a reconnection.
    await until(() => clients.length >= 3);
    await until(async () =>
      receiver.read().then(
        () => true,
        () => false,
      ),
    );
    await expect(receiver.read()).resolves.toMatchObject({ fix: null });
    await receiver.powerOff();
  });
});
