/**
 * GRUB's environment block (`grubenv`), as `grub-editenv` and GRUB's `load_env`/`save_env` read it:
 * exactly 1024 bytes, a header line, `name=value\n` entries (backslash and newline in a value
 * escaped with a backslash), padded with `#`.
 */
export const GRUB_ENV_SIZE = 1024;
const HEADER = '# GRUB Environment Block\n';

export class GrubEnvFormatError extends Error {
  override name = 'GrubEnvFormatError';
}

export type BootVariables = ReadonlyMap<string, string>;

export function encodeGrubEnv(variables: BootVariables, size = GRUB_ENV_SIZE): Uint8Array {
  let text = HEADER;
  for (const [name, value] of variables) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new GrubEnvFormatError(`Invalid variable name: ${JSON.stringify(name)}`);
    text += `${name}=${value.replace(/[\\\n]/g, (c) => `\\${c}`)}\n`;
  }
  const body = new TextEncoder().encode(text);
  if (body.length > size) throw new GrubEnvFormatError(`Boot variables need ${body.length} bytes; the block holds ${size}.`);
  const block = new Uint8Array(size).fill(0x23 /* # */);
  block.set(body);
  return block;
}

export function decodeGrubEnv(block: Uint8Array): Map<string, string> {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(block);
  if (!text.startsWith(HEADER)) throw new GrubEnvFormatError('Not a GRUB environment block: the header is missing.');
  const variables = new Map<string, string>();
  let i = HEADER.length;
  while (i < text.length) {
    if (text[i] === '#') {
      // Comment or padding: skip to the end of the line.
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end + 1;
      continue;
    }
    const eq = text.indexOf('=', i);
    const nl = text.indexOf('\n', i);
    if (eq < 0 || (nl >= 0 && nl < eq)) {
      if (nl < 0) break;
      i = nl + 1;
      continue;
    }
    const name = text.slice(i, eq);
    let value = '';
    let j = eq + 1;
    for (; j < text.length && text[j] !== '\n'; j++) {
      if (text[j] === '\\' && j + 1 < text.length) j++;
      value += text[j];
    }
    variables.set(name, value);
    i = j + 1;
  }
  return variables;
}
