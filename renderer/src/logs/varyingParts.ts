import { MASK_WORDS } from './logLabels.js';

const MASK = /<(num|path|ip|hex|uuid|url|\*)>/g;

/**
 * What changes between the messages a template stands for, in words: "Also counted with other numbers
 * and texts in it". Null for a message that comes always the same.
 */
export function varyingParts(template: string): string | null {
  const kinds = [...new Set([...template.matchAll(MASK)].map((m) => MASK_WORDS[m[1]!]!))];
  if (kinds.length === 0) return null;
  const plurals = kinds.map((kind) => `${kind}s`);
  const list = plurals.length === 1 ? plurals[0] : `${plurals.slice(0, -1).join(', ')} and ${plurals.at(-1)}`;
  return `Also counted with other ${list} in it`;
}
