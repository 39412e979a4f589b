import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  NAME_PATTERN,
  bundleKind,
  parseRequirement,
  SERVICE_UNIT_PATTERN,
  type BundleManifest,
  type Requirement,
} from '../../src/update/manifest.js';
import { BundleReader } from '../services/update/BundleReader.js';
import type { BundleImageSource } from '../operator/bundles/BundleWriter.js';
import { loadTrustedKey } from '../services/update/trustedKeys.js';
import { type Command, UsageError, formatBytes, parseCommandLine } from './command.js';

export const bundleCreate: Command = {
  usage: `usage: headsetctl bundle create --version V --compatible MODEL --image NAME[:SLOT]=FILE [--image ...]
                               --key KEY --out FILE [--min-version V] [--requires 'NAME RANGE']...
                               [--restart-service UNIT]... [--notes FILE] [--level N]

  --version      the bundle's version (semantic version, e.g. 1.4.0)
  --compatible   the hardware model the bundle is for, as the device reports it
  --image        an image to write into the target slot: NAME=FILE writes it to the slot partition
                 NAME; NAME:SLOT=FILE to SLOT. Repeat for each image. Images are streamed and
                 zstd-compressed, never loaded whole
  --key          the bundle signing key (a .key file from 'headsetctl keys generate', mode 0600)
  --out          the bundle file to write (replaced atomically if it exists)
  --min-version  the lowest installed version this bundle may be installed over
  --requires     a dependency on another component: 'NAME RANGE', e.g. 'bootloader >=2.1.0'. Repeatable
  --restart-service  a systemd service the update touches, e.g. headset-tracking.service: the device
                 stops it before writing the slot and starts it after. Repeatable
  --notes        a UTF-8 file with the release notes
  --level        zstd level 1..19 (default 3)`,
  async run(args, io) {
    const { values } = parseCommandLine(() =>
      parseArgs({
        args,
        options: {
          version: { type: 'string' },
          compatible: { type: 'string' },
          image: { type: 'string', multiple: true },
          key: { type: 'string' },
          out: { type: 'string' },
          'min-version': { type: 'string' },
          requires: { type: 'string', multiple: true },
          'restart-service': { type: 'string', multiple: true },
          notes: { type: 'string' },
          level: { type: 'string' },
        },
        strict: true,
      }),
    );
    for (const required of ['version', 'compatible', 'key', 'out'] as const) if (!values[required]) throw new UsageError(`--${required} is required`);
    if (!values.image?.length) throw new UsageError('at least one --image NAME=FILE is required');
    const images = values.image.map(parseImageArgument);
    const requires: Requirement[] = (values.requires ?? []).map((text) => {
      const requirement = parseRequirement(text);
      if (!requirement) throw new UsageError(`--requires must be 'NAME RANGE' (like 'bootloader >=2.1.0'), not '${text}'`);
      return requirement;
    });
    const services = values['restart-service'] ?? [];
    for (const unit of services)
      if (!SERVICE_UNIT_PATTERN.test(unit))
        throw new UsageError(`--restart-service must be a systemd service unit name (like headset-tracking.service), not '${unit}'`);
    const level = values.level === undefined ? undefined : Number(values.level);
    if (level !== undefined && !(Number.isInteger(level) && level >= 1 && level <= 19))
      throw new UsageError(`--level must be 1..19, not "${values.level}"`);
    const notes = values.notes === undefined ? '' : await readNotes(values.notes);
    // The writers (zstd, signing) are loaded by the commands that write, not by verify or inspect.
    const [{ createBundle }, { loadSigningKey }] = await Promise.all([
      import('../operator/bundles/BundleWriter.js'),
      import('../operator/keys/signingKeys.js'),
    ]);
    const key = await loadSigningKey(values.key!);
    try {
      const { manifest, length } = await createBundle({
        version: values.version!,
        compatible: values.compatible!,
        ...(values['min-version'] === undefined ? {} : { minVersion: values['min-version'] }),
        requires,
        services,
        notes,
        images,
        key,
        out: values.out!,
        ...(level === undefined ? {} : { compressionLevel: level }),
      });
      io.stdout(`Wrote ${values.out}: ${formatBytes(length)}, version ${manifest.version} for ${manifest.compatible}, signed by key ${key.keyId}\n`);
      for (const image of manifest.images) {
        const ratio = image.uncompressed.length === 0 ? 0 : (100 * image.compressed.length) / image.uncompressed.length;
        io.stdout(
          `  ${image.name} -> slot ${image.slot}: ${formatBytes(image.uncompressed.length)}, zstd ${formatBytes(image.compressed.length)} (${ratio.toFixed(1)}%)\n`,
        );
      }
    } finally {
      key.dispose();
    }
  },
};

export const bundleDelta: Command = {
  usage: `usage: headsetctl bundle delta --from OLD --to NEW --key KEY --out FILE [--trust PUBKEY]... [--method auto|file|image]

  --from   the full bundle whose images the devices have installed
  --to     the full bundle to update them to (same model, same images and slots)
  --key    the bundle signing key (a .key file, mode 0600)
  --out    the delta bundle to write (replaced atomically if it exists)
  --trust  a public key that may have signed OLD or NEW (repeatable); the signing key's own
           public key is always trusted
  --method file: a file-aware delta of each ext4 image (unchanged blocks copied from the
           installed slot, changed files diffed one by one; needs debugfs, xz, xdelta3);
           image: one 'zstd --ultra -22 --long=27 --patch-from=OLD NEW' patch per image;
           auto (default): both where the image is ext4, the smaller kept

Both bundles are verified, their images decompressed into a temporary folder beside FILE, and
each new image diffed against the old one as --method says. Each patch is applied once to check
that it rebuilds the new image, then the patches become the payloads of a bundle of kind "delta"
(docs/bundle-format.md): version, model, floor, dependencies and notes of NEW; per image, the
source (OLD's version, length and SHA-256) that a device checks before patching. Needs disk for both bundles' images meanwhile.`,
  async run(args, io) {
    const { values } = parseCommandLine(() =>
      parseArgs({
        args,
        options: {
          from: { type: 'string' },
          to: { type: 'string' },
          key: { type: 'string' },
          out: { type: 'string' },
          trust: { type: 'string', multiple: true },
          method: { type: 'string' },
        },
        strict: true,
      }),
    );
    for (const required of ['from', 'to', 'key', 'out'] as const) if (!values[required]) throw new UsageError(`--${required} is required`);
    const method = values.method ?? 'auto';
    if (method !== 'auto' && method !== 'file' && method !== 'image') throw new UsageError(`--method is auto, file or image, not ${method}`);
    const extra = await Promise.all((values.trust ?? []).map((path) => loadTrustedKey(path)));
    const [{ createDeltaBundle }, { loadSigningKey }] = await Promise.all([
      import('../operator/bundles/DeltaBundleWriter.js'),
      import('../operator/keys/signingKeys.js'),
    ]);
    const key = await loadSigningKey(values.key!);
    try {
      const trusted = [{ keyId: key.keyId, publicKey: key.publicKey }, ...extra];
      const { manifest, length, images } = await createDeltaBundle({ from: values.from!, to: values.to!, trusted, key, out: values.out!, method });
      const fromVersion = manifest.images[0]!.delta!.fromVersion;
      io.stdout(
        `Wrote ${values.out}: ${formatBytes(length)}, delta ${fromVersion} -> ${manifest.version} for ${manifest.compatible}, signed by key ${key.keyId}\n`,
      );
      for (const image of images) {
        const ratio = image.fullLength === 0 ? 0 : (100 * image.patchLength) / image.fullLength;
        const kind = image.compression === 'zstd' ? 'zstd patch' : 'file-aware delta';
        const other =
          image.compression === 'zstd'
            ? image.fileDelta && `; file-aware delta ${formatBytes(image.fileDelta.payloadLength)}`
            : image.imagePatchLength !== undefined && `; whole-image zstd patch ${formatBytes(image.imagePatchLength)}`;
        io.stdout(
          `  ${image.name}: ${formatBytes(image.targetLength)}, ${kind} ${formatBytes(image.patchLength)} (${ratio.toFixed(1)}% of its full payload, ${formatBytes(image.fullLength)}${other || ''})\n`,
        );
        if (image.compression !== 'zstd' && image.fileDelta) {
          const { blocks, units } = image.fileDelta;
          const methods = [...new Set(units.map((unit) => unit.method))]
            .map((m) => `${m} ${units.filter((unit) => unit.method === m).length}`)
            .join(', ');
          io.stdout(`    blocks: ${blocks.copy} copied, ${blocks.zero} zero, ${blocks.unit} from ${units.length} units (${methods})\n`);
        }
      }
    } finally {
      key.dispose();
    }
  },
};

export const bundleInspect: Command = {
  usage: `usage: headsetctl bundle inspect FILE [--json]

Prints the bundle's manifest: version, model, version floor, dependencies, notes, and each image with
its slot, lengths, hashes and offset. The signature is NOT checked: use 'headsetctl bundle verify'
before trusting any of it. --json prints { file, length, keyId, signatureVerified, manifest }.`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({ args, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true }),
    );
    const file = singleFile(positionals);
    const { manifest, keyId, fileLength } = await BundleReader.inspect(file);
    if (values.json) {
      io.stdout(`${JSON.stringify({ file, length: fileLength, keyId, signatureVerified: false, manifest }, null, 2)}\n`);
      return;
    }
    io.stdout(describeManifest(file, fileLength, keyId, manifest));
  },
};

export const bundleVerify: Command = {
  usage: `usage: headsetctl bundle verify FILE --trust PUBKEY [--trust PUBKEY]... [--deep]

Checks, in order: the header; the manifest's Ed25519 signature against the trusted public keys (.pub
files); the payload layout; then streams every payload, checking its length and SHA-256, and that
nothing follows the last one. --deep also decompresses each payload and checks its uncompressed
length and SHA-256, as an install does. Exit 0 when all holds; otherwise exit 1 with 'CODE: message'
on stderr (codes: docs/errors.md, format: docs/bundle-format.md).`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({
        args,
        options: { trust: { type: 'string', multiple: true }, deep: { type: 'boolean', default: false } },
        allowPositionals: true,
        strict: true,
      }),
    );
    const file = singleFile(positionals);
    if (!values.trust?.length) throw new UsageError('at least one --trust PUBKEY is required');
    const trusted = await Promise.all(values.trust.map((path) => loadTrustedKey(path)));
    const reader = await BundleReader.open(file, { trusted });
    // A delta's payloads decode only against their source images: --deep checks them as stored.
    const delta = reader.manifest.kind === 'delta';
    const manifest = await reader.verify({ deep: values.deep && !delta });
    const images = manifest.images.length === 1 ? '1 image' : `${manifest.images.length} images`;
    const depth = !values.deep
      ? ''
      : delta
        ? ' (delta: patches checked as stored; their output is checked when applied)'
        : ' (decompressed and checked)';
    const what = delta ? `delta ${manifest.images[0]!.delta!.fromVersion} -> ${manifest.version}` : `version ${manifest.version}`;
    io.stdout(`OK: ${file}: ${what} for ${manifest.compatible}, ${images}${depth}, signed by trusted key ${reader.keyId}\n`);
  },
};

function parseImageArgument(text: string): BundleImageSource {
  const equals = text.indexOf('=');
  const target = equals < 0 ? '' : text.slice(0, equals);
  const path = equals < 0 ? '' : text.slice(equals + 1);
  const [name, slot, ...rest] = target.split(':');
  if (!path || !name || rest.length > 0 || !NAME_PATTERN.test(name) || (slot !== undefined && !NAME_PATTERN.test(slot))) {
    throw new UsageError(`--image must be NAME=FILE or NAME:SLOT=FILE with lower-case names (letters, digits, ".", "_", "-"), not '${text}'`);
  }
  return slot === undefined ? { name, path } : { name, slot, path };
}

async function readNotes(path: string): Promise<string> {
  const bytes = await readFile(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`--notes ${path} is not UTF-8 text`);
  }
  return text;
}

function singleFile(positionals: string[]): string {
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'the bundle FILE is required' : `one bundle FILE, not ${positionals.length}`);
  return positionals[0]!;
}

function describeManifest(file: string, fileLength: number, keyId: string, manifest: BundleManifest): string {
  const lines = [
    `bundle       ${file}, ${formatBytes(fileLength)}`,
    `signature    NOT CHECKED: key id ${keyId}; run 'headsetctl bundle verify ${file} --trust KEY.pub'`,
    `format       ${manifest.format}`,
    `kind         ${bundleKind(manifest)}${manifest.kind === 'delta' ? ` (patches from version ${manifest.images[0]!.delta!.fromVersion})` : ''}`,
    `version      ${manifest.version}`,
    `compatible   ${manifest.compatible}`,
    `min version  ${manifest.minVersion ?? '(none: installs over any version)'}`,
    `requires     ${manifest.requires.length === 0 ? '(nothing)' : manifest.requires.map((r) => `${r.name} ${r.range}`).join(', ')}`,
    `services     ${manifest.services?.join(', ') ?? '(none restarted besides those holding the inactive slot)'}`,
    `created      ${manifest.created}`,
    `images       ${manifest.images.length}`,
  ];
  for (const image of manifest.images) {
    lines.push(
      `  ${image.name} -> slot ${image.slot}`,
      `    uncompressed  ${formatBytes(image.uncompressed.length)}  sha256 ${image.uncompressed.sha256}`,
      `    ${(image.compression === 'hsdelta-1' ? 'file delta' : image.delta ? 'zstd patch' : image.compression).padEnd(12)}  ${formatBytes(image.compressed.length)}  sha256 ${image.compressed.sha256}`,
      `    offset        ${image.offset}`,
    );
    if (image.delta)
      lines.push(
        `    source        ${formatBytes(image.delta.sourceLength)}  sha256 ${image.delta.sourceSha256} (version ${image.delta.fromVersion})`,
      );
  }
  lines.push('notes');
  lines.push(
    ...(manifest.notes === ''
      ? ['  (none)']
      : manifest.notes
          .replace(/\n$/, '')
          .split('\n')
          .map((line) => `  ${line}`)),
  );
  return `${lines.join('\n')}\n`;
}
