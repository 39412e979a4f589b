import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { generateKeys, loadSigningKey } from '../operator/keys/signingKeys.js';
import { licenseOf, signLicense } from '../operator/license/licenseIssuer.js';
import { type Command, UsageError, parseCommandLine } from './command.js';

const DAY_MS = 86_400_000;

export const licenseKeygen: Command = {
  usage: `usage: headsetctl license keygen --out DIR

Generates the vendor's licence-signing Ed25519 key pair: DIR/license.key (private, mode 0600) and
DIR/license.pub, which goes into the headset image's trust folder beside bundle.pub. Never overwrites (KEY_EXISTS).`,
  async run(args, io) {
    const { values } = parseCommandLine(() => parseArgs({ args, options: { out: { type: 'string' } }, strict: true }));
    if (!values.out) throw new UsageError('--out DIR is required');
    const [key] = await generateKeys(values.out, ['license']);
    io.stdout(`Generated the licence key ${key!.keyId}: ${key!.privateKeyPath} (private, keep offline), ${key!.publicKeyPath} (trust folder)\n`);
  },
};

export const licenseIssue: Command = {
  usage: `usage: headsetctl license issue --key FILE --licensee NAME (--device-id ID | --identity-key BASE64)
                              --expires YYYY-MM-DD [--not-before YYYY-MM-DD] [--grace-days N]
                              [--feature NAME]... [--serial S] --out FILE

Signs a licence (docs/licensing.md, format hc-license-v1) with the vendor's licence key: FILE is the
private key file (license.key from \`headsetctl keys generate\`-style key files; mode 0600), read from
the file only, never from the command line. The licence binds to the headset's device id or to its
identity public key (both in About and \`headsetctl device status\`). Times are UTC midnight of the dates
given; not-before defaults to now; grace defaults to 14 days. Writes FILE.hclicense (refuses to overwrite).`,
  async run(args, io) {
    const { values } = parseCommandLine(() =>
      parseArgs({
        args,
        options: {
          key: { type: 'string' },
          licensee: { type: 'string' },
          'device-id': { type: 'string' },
          'identity-key': { type: 'string' },
          expires: { type: 'string' },
          'not-before': { type: 'string' },
          'grace-days': { type: 'string' },
          feature: { type: 'string', multiple: true },
          serial: { type: 'string' },
          out: { type: 'string' },
        },
        strict: true,
      }),
    );
    if (!values.key) throw new UsageError('--key FILE (the licence private key file) is required');
    if (!values.licensee) throw new UsageError('--licensee NAME is required');
    if (!values.out) throw new UsageError('--out FILE is required');
    if (!values.expires) throw new UsageError('--expires YYYY-MM-DD is required');
    if (Boolean(values['device-id']) === Boolean(values['identity-key'])) throw new UsageError('give exactly one of --device-id and --identity-key');
    const binding = values['device-id']
      ? { kind: 'device' as const, deviceId: values['device-id'] }
      : { kind: 'identityKey' as const, publicKey: values['identity-key']! };
    const grace = values['grace-days'] === undefined ? 14 : Number(values['grace-days']);
    if (!Number.isInteger(grace)) throw new UsageError('--grace-days must be a whole number');
    const license = licenseOf({
      licensee: values.licensee,
      binding,
      features: values.feature ?? [],
      notBefore: values['not-before'] ? dateArg(values['not-before'], '--not-before') : new Date(Math.floor(Date.now() / 1000) * 1000),
      expiresAt: dateArg(values.expires, '--expires'),
      graceDays: grace,
      serial: values.serial,
    });
    const key = await loadSigningKey(values.key);
    try {
      const text = signLicense(key, license);
      await writeFile(values.out, text, { flag: 'wx', mode: 0o644 });
    } finally {
      key.dispose();
    }
    const graceEnds = new Date(Date.parse(license.expiresAt) + license.graceDays * DAY_MS).toISOString();
    io.stdout(`Licence ${license.serial} for ${license.licensee}: ${license.notBefore} to ${license.expiresAt} (grace until ${graceEnds})\n`);
    io.stdout(`  features: ${license.features.join(', ') || '(none)'}\n  written to ${values.out}\n`);
  },
};

export const licenseInspect: Command = {
  usage: `usage: headsetctl license inspect FILE

Shows what a licence file claims (signature not checked; the headset checks it against its trust folder's license.pub).`,
  async run(args, io) {
    const { positionals } = parseCommandLine(() => parseArgs({ args, allowPositionals: true, strict: true }));
    if (positionals.length !== 1) throw new UsageError('give one licence file');
    const { parseLicenseFile } = await import('../../src/licensing/licenseFile.js');
    const { license } = parseLicenseFile(await readFile(positionals[0]!, 'utf8'));
    io.stdout(`${JSON.stringify(license, null, 2)}\n`);
  },
};

function dateArg(text: string, name: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) throw new UsageError(`${name} must be a date, YYYY-MM-DD`);
  return new Date(`${text}T00:00:00Z`);
}
