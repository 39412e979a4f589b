import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { NAME_PATTERN, parseRequirement, type BundleManifest, type Requirement } from '../../src/update/manifest.js';
import { BundleReader } from '../services/update/BundleReader.js';
import { createBundle, type BundleImageSource } from '../services/update/BundleWriter.js';
import { loadSigningKey, loadTrustedKey } from '../services/update/signingKeys.js';
import { type Command, UsageError, formatBytes, parseCommandLine } from './command.js';

export const bundleCreate: Command = {
  summary: 'build a signed update bundle from raw slot images',
  usage: `usage: headsetctl bundle create --version V --compatible MODEL --image NAME[:SLOT]=FILE [--image ...]
                               --key KEY --out FILE [--min-version V] [--requires 'NAME RANGE']...
                               [--notes FILE] [--level N]

  --version      the bundle's version (semantic version, e.g. 1.4.0)
  --compatible   the hardware model the bundle is for, as the device reports it
  --image        an image to write into the target slot: NAME=FILE writes it to the slot partition
                 NAME; NAME:SLOT=FILE to SLOT. Repeat for each image. Images are streamed and
                 zstd-compressed, never loaded whole
  --key          the bundle signing key (a .key file from 'headsetctl keys generate', mode 0600)
  --out          the bundle file to write (replaced atomically if it exists)
  --min-version  the lowest installed version this bundle may be installed over
  --requires     a dependency on another component: 'NAME RANGE', e.g. 'bootloader >=2.1.0'. Repeatable
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
    const level = values.level === undefined ? undefined : Number(values.level);
    if (level !== undefined && !(Number.isInteger(level) && level >= 1 && level <= 19)) throw new UsageError(`--level must be 1..19, not "${values.level}"`);
    const notes = values.notes === undefined ? '' : await readNotes(values.notes);
    const key = await loadSigningKey(values.key!);
    try {
      const { manifest, length } = await createBundle({
        version: values.version!,
        compatible: values.compatible!,
        ...(values['min-version'] === undefined ? {} : { minVersion: values['min-version'] }),
        requires,
        notes,
        images,
        key,
        out: values.out!,
        ...(level === undefined ? {} : { compressionLevel: level }),
      });
      io.stdout(`Wrote ${values.out}: ${formatBytes(length)}, version ${manifest.version} for ${manifest.compatible}, signed by key ${key.keyId}\n`);
      for (const image of manifest.images) {
        const ratio = image.uncompressed.length === 0 ? 0 : (100 * image.compressed.length) / image.uncompressed.length;
        io.stdout(`  ${image.name} -> slot ${image.slot}: ${formatBytes(image.uncompressed.length)}, zstd ${formatBytes(image.compressed.length)} (${ratio.toFixed(1)}%)\n`);
      }
    } finally {
      key.dispose();
    }
  },
};

export const bundleInspect: Command = {
  summary: 'show what a bundle claims to contain (signature not checked)',
  usage: `usage: headsetctl bundle inspect FILE [--json]

Prints the bundle's manifest: version, model, version floor, dependencies, notes, and each image with
its slot, lengths, hashes and offset. The signature is NOT checked: use 'headsetctl bundle verify'
before trusting any of it. --json prints { file, length, keyId, signatureVerified, manifest }.`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() => parseArgs({ args, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true }));
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
  summary: 'verify a bundle: signature by a trusted key, then every payload',
  usage: `usage: headsetctl bundle verify FILE --trust PUBKEY [--trust PUBKEY]... [--deep]

Checks, in order: the header; the manifest's Ed25519 signature against the trusted public keys (.pub
files); the payload layout; then streams every payload, checking its length and SHA-256, and that
nothing follows the last one. --deep also decompresses each payload and checks its uncompressed
length and SHA-256, as an install does. Exit 0 when all holds; otherwise exit 1 with 'CODE: message'
on stderr (codes: docs/errors.md, format: docs/bundle-format.md).`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({ args, options: { trust: { type: 'string', multiple: true }, deep: { type: 'boolean', default: false } }, allowPositionals: true, strict: true }),
    );
    const file = singleFile(positionals);
    if (!values.trust?.length) throw new UsageError('at least one --trust PUBKEY is required');
    const trusted = await Promise.all(values.trust.map((path) => loadTrustedKey(path)));
    const reader = await BundleReader.open(file, { trusted });
    const manifest = await reader.verify({ deep: values.deep });
    const images = manifest.images.length === 1 ? '1 image' : `${manifest.images.length} images`;
    io.stdout(`OK: ${file}: version ${manifest.version} for ${manifest.compatible}, ${images}${values.deep ? ' (decompressed and checked)' : ''}, signed by trusted key ${reader.keyId}\n`);
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
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'the bundle FILE is required' : `one bundle FILE, not ${positionals.length}`);
  return positionals[0]!;
}

function describeManifest(file: string, fileLength: number, keyId: string, manifest: BundleManifest): string {
  const lines = [
    `bundle       ${file}, ${formatBytes(fileLength)}`,
    `signature    NOT CHECKED: key id ${keyId}; run 'headsetctl bundle verify ${file} --trust KEY.pub'`,
    `format       ${manifest.format}`,
    `version      ${manifest.version}`,
    `compatible   ${manifest.compatible}`,
    `min version  ${manifest.minVersion ?? '(none: installs over any version)'}`,
    `requires     ${manifest.requires.length === 0 ? '(nothing)' : manifest.requires.map((r) => `${r.name} ${r.range}`).join(', ')}`,
    `created      ${manifest.created}`,
    `images       ${manifest.images.length}`,
  ];
  for (const image of manifest.images) {
    lines.push(
      `  ${image.name} -> slot ${image.slot}`,
      `    uncompressed  ${formatBytes(image.uncompressed.length)}  sha256 ${image.uncompressed.sha256}`,
      `    ${image.compression.padEnd(12)}  ${formatBytes(image.compressed.length)}  sha256 ${image.compressed.sha256}`,
      `    offset        ${image.offset}`,
    );
  }
  lines.push('notes');
  lines.push(...(manifest.notes === '' ? ['  (none)'] : manifest.notes.replace(/\n$/, '').split('\n').map((line) => `  ${line}`)));
  return `${lines.join('\n')}\n`;
}
