import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import sodium from 'sodium-native';
import { checkSanitizationRecord } from '../../src/reset/sanitizationRecord.js';
import { type Command, UsageError, parseCommandLine } from './command.js';

export const sanitizationVerify: Command = {
  usage: `usage: headsetctl sanitization verify FILE [--public-key BASE64]

Checks a sanitization record a headset wrote after a wipe (persist/reset/records/*.json on the
headset, or its copy in a log export): its format, and its Ed25519 signature by the device key it
names. With --public-key (the key the fleet server registered for the headset, as identity.get
shows it), also that this is the key that signed it: a record signed by any other key proves nothing.
Prints what was erased, how, and whether the headset's own verification passed.
Fails with SANITIZATION_RECORD_MALFORMED or SANITIZATION_RECORD_FORGED.`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({ args, options: { 'public-key': { type: 'string' } }, allowPositionals: true, strict: true }),
    );
    if (positionals.length !== 1) throw new UsageError('FILE is required (exactly one)');
    const record = checkSanitizationRecord(
      await readFile(positionals[0]!, 'utf8'),
      (message, signature, publicKey) => sodium.crypto_sign_verify_detached(Buffer.from(signature), Buffer.from(message), Buffer.from(publicKey)),
      values['public-key'],
    );
    io.stdout(`Signature good: signed by device ${record.deviceId} (${record.model}), key ${record.publicKey}\n`);
    io.stdout(
      `Scopes: ${record.scopes.join(', ')}; from ${record.startedAt} to ${record.finishedAt}; software ${record.software.appVersion} (${record.software.commit})\n`,
    );
    for (const cls of record.classes)
      io.stdout(
        `  ${cls.classId.padEnd(18)} ${cls.method.padEnd(24)} ${String(cls.files).padStart(6)} files ${String(cls.bytes).padStart(12)} bytes  key destroyed: ${cls.keyDestroyed ? 'yes' : 'no'}  verified: ${cls.verified ? 'yes' : 'no'}\n`,
      );
    for (const kept of record.kept) io.stdout(`  kept ${kept.classId}: sha256 ${kept.sha256 ?? '(nothing stored)'}\n`);
    for (const check of record.checks.filter((c) => !c.passed)) io.stdout(`  FAILED ${check.name}: ${check.detail}\n`);
    io.stdout(`The headset's verification: ${record.verification}\n`);
    if (!values['public-key']) io.stdout("Not checked: that this key is the headset's registered one (give --public-key).\n");
  },
};
