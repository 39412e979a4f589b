/** One registered secret as the matcher sees it: the strings it appears as (see secretForms). */
export interface SecretGroup {
  forms: readonly string[];
  /** Found only where no letter or digit touches it (short secrets: a PIN inside a longer number is not the PIN). */
  wholeWord: boolean;
}

/** Characters per sampled gram of the many-secrets filter. */
const GRAM = 4;
/**
 * Up to this many anchors, one indexOf each (V8's is vectorised: about 35 ns over a 300-character
 * line here, against about 2 ns a character for any loop over the line in JavaScript); beyond, the
 * sampled-gram filter, whose cost grows with the line, not with the number of secrets.
 */
const MAX_ANCHORS = 16;
/** Characters no escaping changes (JSON: not `"`, `\` or a control character; percent-encoding: these). */
const PLAIN_RUN = /[A-Za-z0-9\-_.!~*'()]+/g;
const MIN_ANCHOR = 4;

interface Anchored {
  anchor: string;
  groups: SecretGroup[];
}

/**
 * Finds the forms of many secrets in a text at once, exactly. Nearly every line logged holds none,
 * so the common answer must be cheap:
 *
 * - Few secrets: each is looked for by one anchor, its longest run of characters that every form
 *   shares (escaping leaves letters and digits alone), with one indexOf; only a hit checks the forms.
 * - Many: the text is sampled every `shortest - GRAM + 1` characters (an occurrence of a form at
 *   least `shortest` long always covers a sampled gram) and each sampled gram looked up in a bitmap
 *   of the hashed grams of every form; only a hit checks the forms holding that gram. Whole-word
 *   forms (short secrets, never many) and forms shorter than a gram are searched with indexOf.
 */
export class SecretMatcher {
  static readonly EMPTY = new SecretMatcher([]);

  readonly empty: boolean;
  private readonly anchored: Anchored[] | undefined;
  private readonly direct: SecretGroup[] = [];
  private readonly sampledForms: string[] = [];
  private readonly step: number = 0;
  private readonly shift: number = 32;
  private readonly bitmap: Uint8Array = new Uint8Array(0);
  private readonly grams = new Map<number, { form: string; offset: number }[]>();

  constructor(private readonly groups: readonly SecretGroup[]) {
    this.empty = groups.every((g) => g.forms.every((f) => f.length === 0));
    const anchored = anchorsOf(groups);
    if (anchored.length <= MAX_ANCHORS) {
      this.anchored = anchored;
      return;
    }
    this.direct = groups.filter((g) => g.wholeWord || g.forms.some((f) => f.length < GRAM));
    this.sampledForms = groups.filter((g) => !this.direct.includes(g)).flatMap((g) => g.forms);
    if (this.sampledForms.length === 0) return;
    const gramCount = this.sampledForms.reduce((sum, form) => sum + form.length - GRAM + 1, 0);
    // About 1 bit in 256 set: a sampled gram of an ordinary line rarely needs the map.
    const bits = Math.min(22, Math.max(12, Math.ceil(Math.log2(gramCount * 256))));
    this.shift = 32 - bits;
    this.bitmap = new Uint8Array(1 << bits);
    this.step = Math.min(...this.sampledForms.map((form) => form.length)) - GRAM + 1;
    for (const form of this.sampledForms) {
      for (let offset = 0; offset + GRAM <= form.length; offset++) {
        const h = this.hash(form, offset);
        this.bitmap[h] = 1;
        const list = this.grams.get(h);
        if (list) list.push({ form, offset });
        else this.grams.set(h, [{ form, offset }]);
      }
    }
  }

  /** Whether `text[from, to)` holds a form (exact: no false positives, no misses). */
  occursIn(text: string, from = 0, to = text.length): boolean {
    if (this.empty) return false;
    if (this.anchored) {
      for (const { anchor, groups } of this.anchored) {
        const at = text.indexOf(anchor, from);
        if (at >= 0 && at + anchor.length <= to && groups.some((g) => groupOccurs(g, text, from, to))) return true;
      }
      return false;
    }
    for (let p = from; this.step > 0 && p + GRAM <= to; p += this.step) {
      const h = this.hash(text, p);
      if (this.bitmap[h] === 0) continue;
      for (const { form, offset } of this.grams.get(h)!) {
        const start = p - offset;
        if (start >= from && start + form.length <= to && text.startsWith(form, start)) return true;
      }
    }
    return this.direct.some((g) => groupOccurs(g, text, from, to));
  }

  /**
   * The text with every occurrence replaced by `marker`. Occurrences that overlap or touch (one
   * secret containing or running into another) become one marker, so no piece of either is left.
   */
  redact(text: string, marker: string): string {
    if (!this.occursIn(text)) return text;
    const spans: [number, number][] = [];
    for (const group of this.groups) {
      for (const form of group.forms) {
        if (form.length === 0) continue;
        for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
          if (!group.wholeWord || standsAlone(text, at, at + form.length)) spans.push([at, at + form.length]);
        }
      }
    }
    spans.sort((a, b) => a[0] - b[0]);
    let out = '';
    let copied = 0;
    let i = 0;
    while (i < spans.length) {
      const start = spans[i]![0];
      let end = spans[i]![1];
      while (++i < spans.length && spans[i]![0] <= end) end = Math.max(end, spans[i]![1]);
      out += text.slice(copied, start) + marker;
      copied = end;
    }
    return out + text.slice(copied);
  }

  private hash(text: string, at: number): number {
    return (
      (Math.imul(text.charCodeAt(at), 0x9e3779b1) +
        Math.imul(text.charCodeAt(at + 1), 0x85ebca77) +
        Math.imul(text.charCodeAt(at + 2), 0xc2b2ae3d) +
        Math.imul(text.charCodeAt(at + 3), 0x27d4eb2f)) >>>
      this.shift
    );
  }
}

/** One anchor per secret where its forms share a run of MIN_ANCHOR plain characters, else each form is its own. */
function anchorsOf(groups: readonly SecretGroup[]): Anchored[] {
  const byAnchor = new Map<string, SecretGroup[]>();
  const add = (anchor: string, group: SecretGroup) => {
    const list = byAnchor.get(anchor);
    if (!list) byAnchor.set(anchor, [group]);
    else if (!list.includes(group)) list.push(group);
  };
  for (const group of groups) {
    const raw = group.forms[0] ?? '';
    const run = (raw.match(PLAIN_RUN) ?? []).reduce((best, r) => (r.length > best.length ? r : best), '');
    if (run.length >= MIN_ANCHOR) add(run, group);
    else for (const form of group.forms) if (form.length > 0) add(form, group);
  }
  return [...byAnchor].map(([anchor, list]) => ({ anchor, groups: list }));
}

function groupOccurs(group: SecretGroup, text: string, from: number, to: number): boolean {
  for (const form of group.forms) {
    if (form.length === 0) continue;
    for (let at = text.indexOf(form, from); at >= 0 && at + form.length <= to; at = text.indexOf(form, at + 1)) {
      if (!group.wholeWord || standsAlone(text, at, at + form.length)) return true;
    }
  }
  return false;
}

/**
 * No letter or digit right before or after `text[start, end)`. Inside a JSON line a character
 * before may be the end of an escape (`\n4711`: a new line, then 4711): that counts as a boundary.
 */
function standsAlone(text: string, start: number, end: number): boolean {
  return !isWordChar(text, end) && (!isWordChar(text, start - 1) || endsEscape(text, start));
}

function endsEscape(text: string, at: number): boolean {
  return (text.charCodeAt(at - 2) === 0x5c && 'nrtbf'.includes(text[at - 1]!)) || (at >= 6 && text.startsWith('\\u', at - 6));
}

const WORD = /[\p{L}\p{N}]/u;

function isWordChar(text: string, at: number): boolean {
  if (at < 0 || at >= text.length) return false;
  const c = text.charCodeAt(at);
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return WORD.test(text[at]!);
}
