/**
 * Reading `nmcli -t -e yes` output: fields are joined with `:`, and inside a value `:` is written
 * `\:` and `\` is written `\\`. So a line is split only on unescaped colons, and each value is
 * unescaped after: an SSID may hold `:`, `\`, spaces, quotes and any UTF-8.
 */
export function splitTerseLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '\\' && i + 1 < line.length) {
      current += line[++i];
    } else if (char === ':') {
      fields.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  fields.push(current);
  return fields;
}

/** Each non-empty line as its fields, checked against the number of fields asked for. */
export function parseTerse(output: string, fieldCount: number): string[][] {
  const rows: string[][] = [];
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const fields = splitTerseLine(line);
    if (fields.length !== fieldCount) throw new Error(`nmcli printed ${fields.length} fields where ${fieldCount} were asked for`);
    rows.push(fields);
  }
  return rows;
}

/** Escapes a value the way `-e yes` prints it (what tests feed the splitter, and nmcli's own view). */
export function escapeTerse(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
}

/**
 * `nmcli -t -f SETTING.PROP,… connection|device show X` prints `name:value` lines whose values are
 * not escaped: split each at its first colon (names never hold one).
 */
export function parseProperties(output: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of output.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) properties.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return properties;
}

/**
 * `nmcli -t -f KEY,… connection show uuid A uuid B …` prints one block of `name:value` lines per
 * connection, blocks apart by a blank line; a setting the profile lacks prints no line (an open
 * network has no key-mgmt). Each block starts at `firstKey`, asked for first, so a block is
 * found by it rather than by the blank lines.
 */
export function parsePropertyBlocks(output: string, firstKey: string): Array<Map<string, string>> {
  const blocks: Array<Map<string, string>> = [];
  for (const line of output.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    if (key === firstKey) blocks.push(new Map());
    else if (blocks.length === 0) throw new Error(`nmcli printed ${key} before ${firstKey}`);
    blocks[blocks.length - 1]!.set(key, line.slice(colon + 1));
  }
  return blocks;
}
