import { createHmac } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { isoWeek } from '../services/telemetry/DeviceIdHasher.js';
import { telemetryOutboxDir } from '../services/telemetry/telemetryCapability.js';
import { waitFor } from '../../test-support/telemetry/fixtures.js';
import { useOtlpTestReceiver } from '../../test-support/telemetry/receiverFixture.js';
import { LOCAL_UI_SCOPES, createHeadset } from './composition.js';
import { journalLine } from './journal.js';
import { startWebHost } from './WebHost.js';

/**
 * Seeded secrets (a Wi-Fi password, an e-mail address, a precise GPS fix, a PIN) go in everywhere a
 * careless caller could put them: log messages and fields of headsetd, the UI's log entries, a
 * crash, telemetry inputs. With every category granted and the real outbox and forwarder sending
 * to a receiver, none of them may appear in the log files, the crash records, the outbox files, what the receiver got,
 * or what the API answers.
 */
const WIFI_PASSWORD = 'Tr0ub4dor&3-wifi';
const EMAIL = 'jane.wearer@example.org';
const PIN = '493817';
const LAT = 48.8583701;
const LON = 2.2944813;
/** Secrets in the shapes careless code prints them: a JSON body, a Python-style dict, an HTTP header. */
const JSON_PASSWORD = 'hunter2-json-pw';
const DICT_PSK = 'hunter2-dict-psk';
const BEARER = 'eyJhbGciOi.payload9x.sig7Q';
const SECRETS = [WIFI_PASSWORD, 'Tr0ub4dor', EMAIL, 'jane.wearer', PIN, '48.85837', '2.29448', JSON_PASSWORD, DICT_PSK, BEARER];
/** The network name stays in the device's own log (troubleshooting) but never leaves the device. */
const NEVER_SENT = [...SECRETS, 'Jane Home', '/home/jane'];

const otlp = useOtlpTestReceiver('headset-secrets-');

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out = statSync(path).isDirectory() ? [...out, ...filesUnder(path)] : [...out, path];
  }
  return out;
}

function readText(path: string): string {
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
}

function leaks(where: string, text: string, secrets = SECRETS): string[] {
  return secrets.filter((secret) => text.includes(secret)).map((secret) => `${where}: ${secret}`);
}

it('no seeded secret reaches the logs, the crash records, the outbox, the receiver or the API', { timeout: 60_000 }, async () => {
  const root = join(otlp.work, 'device');
  const layout = new SimulatedDeviceLayout(root);
  // Offline first: the outbox files fill up and are read before anything is sent.
  mkdirSync(dirname(layout.networkState), { recursive: true });
  writeFileSync(layout.networkState, 'offline\n');
  const build = { version: '1.2.3', commit: 'abc123', builtAt: '2026-01-01T00:00:00Z' };
  const headset = await createHeadset({
    device: 'simulated',
    root,
    build,
    mode: 'settings',
    healthIntervalMs: 60_000,
    telemetryUrl: otlp.receiver.url,
    telemetryCa: otlp.certPath,
  });
  const apiOutputs: string[] = [];
  try {
    const [a, b] = createMemoryPortPair();
    headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
    const client = new ApiClient(a);
    const identity = await client.call('identity.get');
    const granted = await client.call('privacy.set', {
      policyVersion: 1,
      granted: { performance: true, hardware: true, usage: true, errors: true, location: true },
    });
    expect(granted.categories.every((c) => c.granted)).toBe(true);

    // headsetd's own log entries, messages and fields.
    headset.logger.for('network').error(`could not join SSID 'Jane Home' with psk ${WIFI_PASSWORD}: wrong password for ${EMAIL}`, {
      psk: WIFI_PASSWORD,
      passphrase: WIFI_PASSWORD,
      pin: PIN,
      email: EMAIL,
      lat: LAT,
      lon: LON,
    });
    headset.logger.for('gps').warn(`fix ${LAT}, ${LON} rejected for ${EMAIL}`, { position: { lat: LAT, lon: LON } });
    headset.logger.for('system').fatal(`PIN ${PIN} entered by ${EMAIL}`, { wifi: { password: WIFI_PASSWORD } });
    headset.logger.for('network').info(`joined with password=${WIFI_PASSWORD}`, { psk: WIFI_PASSWORD });
    headset.logger.for('update').error(`request failed: {"password":"${JSON_PASSWORD}"}`, { response: `{'psk': '${DICT_PSK}'}` });
    headset.logger.for('update').warn(`retrying with Authorization: Bearer ${BEARER}`, { request: `{"authorization":"Bearer ${BEARER}"}` });
    // The UI's entries and a crash of the renderer, through the API.
    await client.call('logs.write', {
      process: 'renderer',
      entries: [
        { level: 'error', msg: `login failed for ${EMAIL} pin=${PIN}`, fields: { password: WIFI_PASSWORD, lat: LAT, lon: LON } },
        { level: 'error', msg: `save failed: {"password":"${JSON_PASSWORD}"} {'psk': '${DICT_PSK}'} Authorization: Bearer ${BEARER}` },
        {
          level: 'fatal',
          msg: 'renderer crashed',
          crash: {
            name: 'Error',
            message: `could not save the psk ${WIFI_PASSWORD} for ${EMAIL}`,
            stack: `Error: at /home/jane/app.js:1 PIN ${PIN}`,
          },
        },
      ],
    });
    // Telemetry inputs: the registry refuses free text where a name is expected.
    await expect(headset.services.telemetry.telemetry.record('ui.feature_use', null, { feature: EMAIL })).rejects.toThrow(/outside their schema/);
    await client.call('usage.record', { event: 'ui.screen_view', name: 'privacy' });
    await headset.services.health.sample();
    await headset.services.health.sample();
    await headset.services.telemetry.telemetry.forwardCrashes();
    await headset.services.telemetry.telemetry.idle();
    headset.logFile.flushSync(1000);

    // What the device holds before sending.
    const outboxDir = telemetryOutboxDir(layout.stateDir);
    const outboxFiles = filesUnder(outboxDir);
    expect(outboxFiles.length).toBeGreaterThan(0);
    const outboxContents = outboxFiles.map((f) => ({ f, text: readText(f) }));
    const outboxText = outboxContents.map((c) => c.text).join('\n');
    expect(outboxText).toContain('log.record');
    expect(outboxText).toContain('crash.record');
    expect(outboxText).toContain('u09tu'); // the fix, as its 5-character geohash
    const logFiles = filesUnder(join(layout.dataDir, 'logs'));
    const logText = logFiles.map(readText).join('\n');
    expect(logText).toContain('could not join SSID'); // the entries are there, redacted
    expect(logText).toContain('renderer crashed');
    // The renderer's crash record, kept on the device.
    const crashFiles = filesUnder(join(layout.dataDir, 'crashes')).filter((f) => f.endsWith('.json'));
    expect(crashFiles).toHaveLength(1);
    expect(readText(crashFiles[0]!)).toContain('could not save the psk');

    // Sent: everything leaves the outbox and reaches the receiver.
    writeFileSync(layout.networkState, 'online\n');
    await waitFor(
      () => {
        const q = headset.services.telemetry.delivery.status().queued;
        return q.critical + q.normal + q.bulk + q.debug === 0 && otlp.receiver.logs.size > 0;
      },
      20_000,
      'delivery',
    );
    expect(otlp.receiver.problems).toEqual([]);
    const received = JSON.stringify([...otlp.receiver.logs.values()]) + [...otlp.receiver.metricPoints].join('\n');
    expect(received).toContain('could not join SSID');
    expect(received).toContain('headset.crash.recent_lines');
    expect(received.match(/exception\.stacktrace/g)).toHaveLength(1); // the crash, once
    expect(received).toContain('system.cpu_load');
    // The device id itself never leaves: records carry the weekly pseudonym.
    expect(received).not.toContain(identity.deviceId);
    // Nor its identity key: requests are signed with this week's telemetry key.
    expect(otlp.receiver.devices.size).toBe(1);
    expect(otlp.receiver.devices.has(identity.publicKey)).toBe(false);
    expect(received).not.toContain(identity.publicKey);

    for (const call of ['privacy.get', 'telemetry.outbox', 'crashes.list', 'health.snapshot'] as const)
      apiOutputs.push(`${call}: ${JSON.stringify(await client.call(call))}`);

    expect([
      ...outboxContents.flatMap(({ f, text }) => leaks(f, text, NEVER_SENT)),
      ...logFiles.flatMap((f) => leaks(f, readText(f))),
      ...crashFiles.flatMap((f) => leaks(f, readText(f))),
      ...leaks('receiver', received, NEVER_SENT),
      ...apiOutputs.flatMap((o) => leaks(o.split(':')[0]!, o)),
    ]).toEqual([]);
  } finally {
    await headset.close();
  }
});

/**
 * Secrets the headset knows leak through free text no pattern can recognise: `wpa_passphrase
 * "HomeNet" "<pw>"`, "the wifi key for HomeNet is <pw>". Registered, they are cut out by value: a
 * Wi-Fi password as the network capability will register it (with a quote and a backslash, so it is
 * escaped inside a JSON line), and what the headset holds today (its identity key, its telemetry key
 * and this week's signing seed, the web host's token), written by the renderer through logs.write
 * and carried by its crash. None may reach headsetd.log, the crash record's recent lines, the
 * outbox, the USB export or what headsetd prints (stdout, the journal).
 */
it('secrets the headset knows never leak through free text: log, crash record, outbox, USB export, stdout', { timeout: 60_000 }, async () => {
  const root = join(otlp.work, 'device-free-text');
  const layout = new SimulatedDeviceLayout(root);
  mkdirSync(dirname(layout.networkState), { recursive: true });
  writeFileSync(layout.networkState, 'offline\n');
  mkdirSync(layout.usbStick, { recursive: true });
  const build = { version: '1.2.3', commit: 'abc123', builtAt: '2026-01-01T00:00:00Z' };
  // As headsetd does: the registry first, stdout through journalLine.
  const secrets = new SecretRegistry();
  const stdout: string[] = [];
  const headset = await createHeadset({
    device: 'simulated',
    root,
    build,
    mode: 'settings',
    healthIntervalMs: 60_000,
    telemetryUrl: otlp.receiver.url,
    telemetryCa: otlp.certPath,
    secrets,
    log: (line) => stdout.push(journalLine(line, secrets)),
  });
  const web = await startWebHost({ router: headset.router, rendererDir: root, port: 0, scopes: LOCAL_UI_SCOPES, secrets });
  try {
    const homePassword = 'c0rrect "h0rse" \\ b4ttery';
    headset.secrets.register(homePassword, 'wifi password HomeNet');
    const identityKey = readFileSync(join(layout.identityDir, 'ed25519.secret')).toString('base64');
    const telemetryKeyBytes = readFileSync(join(layout.stateDir, 'telemetry-id.key'));
    const signingSeed = createHmac('sha256', telemetryKeyBytes)
      .update(`telemetry-signing\n${isoWeek(new Date())}`)
      .digest('hex');
    const known = {
      'wifi password': homePassword,
      'identity key': identityKey,
      'telemetry key': telemetryKeyBytes.toString('hex'),
      'signing seed': signingSeed,
      'web token': web.token,
    };
    /** Each secret as it would be grepped for: as it is, and JSON-escaped as a line would hold it. */
    const needles = Object.entries(known).flatMap(
      ([name, value]) =>
        [
          [name, value],
          [`${name} (escaped)`, JSON.stringify(value).slice(1, -1)],
        ] as [string, string][],
    );

    const [a, b] = createMemoryPortPair();
    headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
    const client = new ApiClient(a);
    await client.call('privacy.set', {
      policyVersion: 1,
      granted: { performance: false, hardware: false, usage: false, errors: true, location: false },
    });
    // Warn and above: forwarded to the outbox (errors is granted) as well as written.
    await client.call('logs.write', {
      process: 'renderer',
      entries: [
        { level: 'warn', msg: `wpa_passphrase "HomeNet" "${homePassword}"` },
        {
          level: 'error',
          msg: `the wifi key for HomeNet is ${homePassword}`,
          fields: { typed: homePassword, body: JSON.stringify({ network: 'HomeNet', secret: homePassword }) },
        },
        { level: 'warn', msg: `restored from ${identityKey}; telemetry ${telemetryKeyBytes.toString('hex')} signs with ${signingSeed}` },
        { level: 'error', msg: `reopened ${web.url}` },
        {
          level: 'fatal',
          msg: 'renderer crashed',
          crash: {
            name: 'Error',
            message: `join failed: the wifi key for HomeNet is ${homePassword}`,
            stack: `Error: join failed\n    at join (app.js:1:1) with ${identityKey}`,
          },
        },
      ],
    });
    await headset.services.telemetry.telemetry.forwardCrashes();
    await headset.services.telemetry.telemetry.idle();
    const exported = await client.call('logs.export', {});
    headset.logFile.flushSync(1000);

    const logText = filesUnder(join(layout.dataDir, 'logs')).map(readText).join('\n');
    expect(logText).toContain('wpa_passphrase \\"HomeNet\\" \\"[redacted]\\"'); // the entries are there, cut
    expect(logText).toContain('the wifi key for HomeNet is [redacted]');
    const crashFiles = filesUnder(join(layout.dataDir, 'crashes')).filter((f) => f.endsWith('.json'));
    expect(crashFiles).toHaveLength(1);
    const crashText = readText(crashFiles[0]!);
    expect(crashText).toContain('wpa_passphrase'); // its recent lines hold the renderer's entries
    const outboxText = filesUnder(telemetryOutboxDir(layout.stateDir)).map(readText).join('\n');
    expect(outboxText).toContain('the wifi key for HomeNet is [redacted]');
    expect(outboxText).toContain('crash.record');
    const exportText = readText(join(layout.usbStick, exported.fileName));
    expect(exportText).toContain('reopened');
    const stdoutText = stdout.join('\n');
    expect(stdoutText).toContain('wpa_passphrase');
    const apiText = JSON.stringify(await client.call('crashes.list'));

    const found = (where: string, text: string) => needles.filter(([, needle]) => text.includes(needle)).map(([name]) => `${where}: ${name}`);
    expect([
      ...found('headsetd.log', logText),
      ...found('crash record', crashText),
      ...found('outbox', outboxText),
      ...found('USB export', exportText),
      ...found('stdout', stdoutText),
      ...found('crashes.list', apiText),
    ]).toEqual([]);
  } finally {
    await web.close();
    await headset.close();
  }
});

/**
 * The PIN, through the lock's own calls: set, a wrong one, unlock, change, remove. While each is
 * handled the PIN is registered, so free text a careless UI writes meanwhile ("door code 730164",
 * no word a pattern knows) is cut out by value, in the log, the crash record, the outbox, the USB
 * export and stdout. The lock file holds a hash only, the API never answers a PIN, and once the
 * calls are answered nothing is held (a control number in the same words stays, so the cut was the
 * registry's, not a pattern's).
 */
it('a PIN handled by lock.set, lock.unlock, lock.change and lock.remove reaches no output', { timeout: 60_000 }, async () => {
  const root = join(otlp.work, 'device-pin');
  const layout = new SimulatedDeviceLayout(root);
  mkdirSync(dirname(layout.networkState), { recursive: true });
  writeFileSync(layout.networkState, 'offline\n');
  mkdirSync(layout.usbStick, { recursive: true });
  const build = { version: '1.2.3', commit: 'abc123', builtAt: '2026-01-01T00:00:00Z' };
  const secrets = new SecretRegistry();
  const stdout: string[] = [];
  const headset = await createHeadset({
    device: 'simulated',
    root,
    build,
    mode: 'settings',
    healthIntervalMs: 60_000,
    telemetryUrl: otlp.receiver.url,
    telemetryCa: otlp.certPath,
    secrets,
    log: (line) => stdout.push(journalLine(line, secrets)),
  });
  // Offline, so the outbox keeps what it is given (a new device leaves the factory online).
  writeFileSync(layout.networkState, 'offline\n');
  const PINS = { set: '730164', wrong: '284615', changed: '951372' };
  const CONTROL = '615243';
  try {
    const [a, b] = createMemoryPortPair();
    headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
    const client = new ApiClient(a);
    await client.call('privacy.set', {
      policyVersion: 1,
      granted: { performance: false, hardware: false, usage: false, errors: true, location: false },
    });
    /** A lock call, and the UI's careless lines about `pin` sent while it is being handled. */
    const whileHandled = async <T>(call: Promise<T>, pin: string, crash = false): Promise<unknown> => {
      const written = client.call('logs.write', {
        process: 'renderer',
        entries: [
          { level: 'error', msg: `door code ${pin} typed`, fields: { typed: pin, digits: Number(pin) } },
          ...(crash
            ? [
                {
                  level: 'fatal' as const,
                  msg: 'renderer crashed',
                  crash: { name: 'Error', message: `door code ${pin} rejected`, stack: `Error: ${pin}` },
                },
              ]
            : []),
        ],
      });
      const [result] = await Promise.allSettled([call, written]);
      await written;
      return result.status === 'fulfilled' ? result.value : result.reason;
    };
    const answers = [
      await whileHandled(client.call('lock.set', { pin: PINS.set }), PINS.set),
      await client.call('lock.lock'),
      await whileHandled(client.call('lock.unlock', { pin: PINS.wrong }), PINS.wrong),
      await whileHandled(client.call('lock.unlock', { pin: PINS.set }), PINS.set, true),
      await whileHandled(client.call('lock.change', { oldPin: PINS.set, newPin: PINS.changed }), PINS.changed),
    ];
    expect(answers[2]).toMatchObject({ code: 'LOCK_WRONG_PIN' });
    expect(answers[3]).toMatchObject({ pin: 'set', unlocked: true });
    const lockFile = readFileSync(join(layout.stateDir, 'lock.json'), 'utf8');
    expect(lockFile).toContain('$argon2id$');
    answers.push(await whileHandled(client.call('lock.remove', { pin: PINS.changed }), PINS.changed));
    expect(answers[5]).toMatchObject({ pin: 'none' });
    expect(headset.secrets.labels()).not.toContain('PIN');
    await client.call('logs.write', { process: 'renderer', entries: [{ level: 'error', msg: `door code ${CONTROL} typed` }] });
    await headset.services.telemetry.telemetry.forwardCrashes();
    await headset.services.telemetry.telemetry.idle();
    const exported = await client.call('logs.export', {});
    headset.logFile.flushSync(1000);

    const logText = filesUnder(join(layout.dataDir, 'logs')).map(readText).join('\n');
    expect(logText).toContain('door code [redacted] typed');
    expect(logText).toContain(`door code ${CONTROL} typed`);
    expect(logText).toContain('changed the PIN');
    const crashFiles = filesUnder(join(layout.dataDir, 'crashes')).filter((f) => f.endsWith('.json'));
    expect(crashFiles).toHaveLength(1);
    const crashText = readText(crashFiles[0]!);
    expect(crashText).toContain('door code [redacted] rejected');
    const outboxText = filesUnder(telemetryOutboxDir(layout.stateDir)).map(readText).join('\n');
    expect(outboxText).toContain('door code [redacted] typed');
    const exportText = readText(join(layout.usbStick, exported.fileName));
    const stdoutText = stdout.join('\n');
    expect(stdoutText).toContain('door code');
    const apiText = JSON.stringify([...answers, await client.call('lock.status'), await client.call('crashes.list')]);

    // A PIN is cut out where it stands alone (docs/redaction.md): look for it so.
    const standalone = (pin: string) => new RegExp(`(?<![0-9A-Za-z])${pin}(?![0-9A-Za-z])`);
    const found = (where: string, text: string) =>
      Object.entries(PINS)
        .filter(([, pin]) => standalone(pin).test(text))
        .map(([name]) => `${where}: ${name} PIN`);
    expect([
      ...found('headsetd.log', logText),
      ...found('crash record', crashText),
      ...found('outbox', outboxText),
      ...found('USB export', exportText),
      ...found('stdout', stdoutText),
      ...found('API answers', apiText),
      ...found('lock file', lockFile),
    ]).toEqual([]);
  } finally {
    await headset.close();
  }
});
