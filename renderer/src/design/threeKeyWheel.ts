/**
 * The character wheel of the three-key entry (Up, Down, Enter): one ring of entries, the commands
 * first, then the characters. Up and Down turn it by one (wrapping round), Enter takes the entry
 * under the mark. Pure, so the order and the shortest turn are tested without a page.
 */

export type WheelCommand = 'done' | 'delete' | 'show' | 'cancel';
export type WheelEntry = { kind: 'command'; command: WheelCommand } | { kind: 'char'; char: string };

export type WheelAlphabet = 'text' | 'digits';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
/** Printable ASCII punctuation, the space first: what Wi-Fi passwords and passphrases use. */
const SYMBOLS = ' -_.@!?#$%&*+=/\\:;,\'"()[]{}<>~^|`';

/**
 * The ring for an alphabet: Done and Delete sit just before the first character (two turns up from
 * where the wheel starts), Show (for a secret) and Cancel just after the last (a turn up from Done
 * past the wrap). Lower case, digits, upper case, then symbols: the common first.
 */
export function wheelEntries(alphabet: WheelAlphabet, secret: boolean): WheelEntry[] {
  const commands = (names: WheelCommand[]) => names.map((command): WheelEntry => ({ kind: 'command', command }));
  const chars = (alphabet === 'digits' ? DIGITS : LOWER + DIGITS + UPPER + SYMBOLS).split('').map((char): WheelEntry => ({ kind: 'char', char }));
  return [...commands(['done', 'delete']), ...chars, ...commands(secret && alphabet !== 'digits' ? ['show', 'cancel'] : ['cancel'])];
}

/** Where the wheel starts: its first character. */
export function wheelStart(entries: readonly WheelEntry[]): number {
  return Math.max(
    0,
    entries.findIndex((e) => e.kind === 'char'),
  );
}

/** One turn: +1 (Down) or -1 (Up), wrapping round. */
export function turn(at: number, by: 1 | -1, length: number): number {
  return (at + by + length) % length;
}

/** The fewest turns from `from` to `to` on a ring of `length`: positive is Down, negative Up. */
export function shortestTurn(from: number, to: number, length: number): number {
  const down = (to - from + length) % length;
  return down <= length - down ? down : down - length;
}

/** The index of a character or a command on the wheel, or -1. */
export function indexOf(entries: readonly WheelEntry[], what: { char: string } | { command: WheelCommand }): number {
  return entries.findIndex((e) => ('char' in what ? e.kind === 'char' && e.char === what.char : e.kind === 'command' && e.command === what.command));
}

/** How an entry reads out (the spinbutton's value text): a character by name where it is invisible or easily misread. */
export function entryWords(entry: WheelEntry, labels: Record<WheelCommand, string>): string {
  if (entry.kind === 'command') return labels[entry.command];
  if (entry.char === ' ') return 'space';
  if (/[a-z]/.test(entry.char)) return `${entry.char}`;
  if (/[A-Z]/.test(entry.char)) return `capital ${entry.char}`;
  return entry.char;
}
