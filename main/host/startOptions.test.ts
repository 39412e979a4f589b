import { describe, expect, it } from 'vitest';
import { PASSED_TO_HEADSETD, START_USAGE, StartUsageError, localFleetHeadsetdArgs, parseStartOptions } from './startOptions.js';

describe("npm start's command line", () => {
  it('runs headsetd on the simulated headset in ./.headset with the web UI by default', () => {
    const options = parseStartOptions([], '/home/me/headset-control');
    expect(options).toEqual({
      help: false,
      root: '/home/me/headset-control/.headset',
      mode: undefined,
      open: true,
      fleet: undefined,
      headsetdArgs: ['--device', 'simulated', '--root', '/home/me/headset-control/.headset', '--web', '--port', '7420', '--url-fd', '3'],
    });
  });

  it("hands headsetd's update, telemetry and boot options on, in its own spelling", () => {
    const options = parseStartOptions(
      [
        '--no-open',
        '--update-url',
        'http://127.0.0.1:8000',
        '--telemetry-url=https://otlp.example',
        '--telemetry-ca',
        'ca.pem',
        '--boot',
        'uboot',
        '--mode',
        'recovery',
        '--root',
        '/tmp/h',
        '--port',
        '0',
      ],
      '/cwd',
    );
    expect(options.open).toBe(false);
    expect(options.mode).toBe('recovery');
    expect(options.headsetdArgs).toEqual([
      '--device',
      'simulated',
      '--root',
      '/tmp/h',
      '--web',
      '--port',
      '0',
      '--url-fd',
      '3',
      '--mode',
      'recovery',
      '--update-url',
      'http://127.0.0.1:8000',
      '--telemetry-url',
      'https://otlp.example',
      '--telemetry-ca',
      'ca.pem',
      '--boot',
      'uboot',
    ]);
  });

  it('with --fleet, starts a fleet server in ./.fleet beside the headset; --fleet-url and --fleet-tags go to headsetd', () => {
    expect(parseStartOptions(['--fleet'], '/cwd').fleet).toEqual({ dataDir: '/cwd/.fleet' });
    const tagged = parseStartOptions(['--fleet-url', 'https://fleet.example', '--fleet-tags', 'site:lyon,beta'], '/cwd');
    expect(tagged.fleet).toBeUndefined();
    expect(tagged.headsetdArgs.slice(-4)).toEqual(['--fleet-url', 'https://fleet.example', '--fleet-tags', 'site:lyon,beta']);
    expect(() => parseStartOptions(['--fleet', '--fleet-url', 'https://fleet.example'])).toThrow(/--fleet .* without --fleet-url/);
    expect(() => parseStartOptions(['--fleet-url', 'https://me:pw@fleet.example'])).toThrow(/--fleet-url must not carry/);
  });

  it("with --fleet, the headset follows the local fleet server's /updates/ repository unless --update-url chose one", () => {
    const fleet = parseStartOptions(['--fleet'], '/cwd');
    expect(localFleetHeadsetdArgs('http://127.0.0.1:8400/', fleet.headsetdArgs)).toEqual([
      '--fleet-url',
      'http://127.0.0.1:8400/',
      '--update-url',
      'http://127.0.0.1:8400/updates/',
    ]);
    const chosen = parseStartOptions(['--fleet', '--update-url', 'https://updates.example/repo/'], '/cwd');
    const args = [...chosen.headsetdArgs, ...localFleetHeadsetdArgs('http://127.0.0.1:40123/', chosen.headsetdArgs)];
    expect(args.filter((arg) => arg === '--update-url')).toHaveLength(1);
    expect(args[args.indexOf('--update-url') + 1]).toBe('https://updates.example/repo/');
    expect(args.slice(-2)).toEqual(['--fleet-url', 'http://127.0.0.1:40123/']);
  });

  it('names every option it hands on in its usage', () => {
    for (const name of PASSED_TO_HEADSETD) expect(START_USAGE).toContain(`--${name}`);
  });

  it('refuses an unknown option or a stray word with a usage error naming it', () => {
    expect(() => parseStartOptions(['--update-ur', 'x'])).toThrow(StartUsageError);
    expect(() => parseStartOptions(['--update-ur', 'x'])).toThrow(/--update-ur/);
    expect(() => parseStartOptions(['recovery'])).toThrow(StartUsageError);
    expect(() => parseStartOptions(['--update-url'])).toThrow(/--update-url/);
  });

  it('keeps credentials in a URL off the command line it hands on', () => {
    expect(() => parseStartOptions(['--update-url', 'https://me:s3cret@updates.example'])).toThrow(StartUsageError);
    expect(() => parseStartOptions(['--telemetry-url', 'https://me@otlp.example'])).toThrow(/--telemetry-url must not carry/);
  });
});
