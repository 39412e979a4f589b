import { LOG_LEVELS, type LogLevel } from './logRecord.js';

/**
 * Drain log template mining (He et al., "Drain: An Online Log Parsing Approach with Fixed Depth
 * Tree", ICWS 2017), incremental and allocation-light.
 *
 *   root ─ (subsystem, token count) ─ first token ─ second token … (depth-2 levels) ─ leaf: clusters
 *
 * A message is split on whitespace; parameters (numbers, hex, UUIDs, IP addresses, paths, any token
 * holding a digit) are masked before anything else, so "took 35 ms" and "took 120 ms" walk the same
 * path. In the leaf the most similar cluster (share of equal tokens) takes the message when the
 * similarity reaches the threshold, and the positions where they differ become `<*>`; otherwise a new
 * cluster starts. An inner node holds at most `maxChildren` children; further tokens share `<*>`.
 */

export const WILDCARD = '<*>';

export interface DrainOptions {
  /** Depth of the tree including the length level: depth 4 looks at the first 2 tokens. */
  depth?: number;
  /** Share of equal tokens (0..1) a message needs to join a cluster. */
  similarity?: number;
  maxChildren?: number;
  /** Tokens kept per template; longer messages are cut (a stack trace is not a template). */
  maxTokens?: number;
}

export interface TemplateCluster {
  /** Stable for the life of the miner, whatever the template text becomes. */
  readonly id: number;
  readonly subsystem: string;
  tokens: string[];
  count: number;
  /** Entries per level, indexed like LOG_LEVELS. */
  readonly levels: number[];
  firstSeen: string;
  lastSeen: string;
  /** The first message that made the cluster, unmasked. */
  readonly example: string;
}

export interface MinedTemplate {
  id: number;
  subsystem: string;
  template: string;
  count: number;
  levels: Partial<Record<LogLevel, number>>;
  /** The most severe level the template was logged at. */
  level: LogLevel;
  firstSeen: string;
  lastSeen: string;
  example: string;
}

interface InnerNode {
  children: Map<string, InnerNode>;
  clusters: TemplateCluster[] | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}(:\d+)?$/;
const HEX = /^(0x[0-9a-f]+|[0-9a-f]{8,})$/i;
const NUMBER = /^[-+]?\d+([.,]\d+)*(e[-+]?\d+)?[a-z%µ]{0,3}$/i;

// Punctuation around a value ("(35ms)," "'/tmp/x'") belongs to the sentence, not the value.
const LEADING = new Uint8Array(128);
for (const c of '("\'[{<') LEADING[c.charCodeAt(0)] = 1;
const TRAILING = new Uint8Array(128);
for (const c of ')"\']}>,;.:') TRAILING[c.charCodeAt(0)] = 1;

/** The mask of one token: `<num>`, `<hex>`, `<uuid>`, `<ip>`, `<path>`, `<*>`, or the token itself. */
export function maskToken(token: string): string {
  let digit = false;
  let slash = false;
  let colon = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) digit = true;
    else if (c === 47) slash = true;
    else if (c === 58) colon = true;
  }
  if (!digit && !slash && !colon) return token;
  let start = 0;
  let end = token.length;
  while (start < end && token.charCodeAt(start) < 128 && LEADING[token.charCodeAt(start)] === 1) start++;
  while (end > start && token.charCodeAt(end - 1) < 128 && TRAILING[token.charCodeAt(end - 1)] === 1) end--;
  const whole = start === 0 && end === token.length;
  const core = whole ? token : token.slice(start, end);
  const mask = allDigits(core) ? '<num>' : classify(core, digit, slash, colon);
  if (mask === undefined) return token;
  return whole ? mask : `${token.slice(0, start)}${mask}${token.slice(end)}`;
}

function allDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function classify(core: string, digit: boolean, slash: boolean, colon: boolean): string | undefined {
  if (core.length === 0) return undefined;
  if (slash && (core.startsWith('/') || core.startsWith('./') || core.startsWith('~/'))) return '<path>';
  if (!digit && !colon) return undefined;
  if (IPV4.test(core) || (colon && /^[0-9a-f:]+$/i.test(core) && core.split(':').length > 3)) return '<ip>';
  if (digit && NUMBER.test(core)) return '<num>';
  if (UUID.test(core)) return '<uuid>';
  if (HEX.test(core) && digit) return '<hex>';
  if (slash && core.includes('://')) return '<url>';
  return digit ? WILDCARD : undefined;
}

/** Whether a token is a parameter mask (it never steers the tree and matches anything). */
function isMask(token: string): boolean {
  return token.length > 2 && token.charCodeAt(0) === 60 && token.charCodeAt(token.length - 1) === 62 && (token === WILDCARD || MASKS.has(token));
}
const MASKS = new Set(['<num>', '<uuid>', '<ip>', '<hex>', '<path>', '<url>', WILDCARD]);

/** Splits (on spaces, tabs, newlines) and masks a message: the tokens Drain clusters on. */
export function tokenize(message: string, maxTokens = 48): string[] {
  const tokens: string[] = [];
  let from = -1;
  for (let i = 0; i <= message.length; i++) {
    const c = i < message.length ? message.charCodeAt(i) : 32;
    const space = c === 32 || (c >= 9 && c <= 13) || c === 0xa0;
    if (!space) {
      if (from < 0) from = i;
    } else if (from >= 0) {
      tokens.push(maskToken(message.slice(from, i)));
      from = -1;
      if (tokens.length === maxTokens) break;
    }
  }
  return tokens;
}

export class DrainMiner {
  private readonly root = new Map<string, InnerNode>();
  private readonly clusters: TemplateCluster[] = [];
  private readonly depth: number;
  private readonly similarity: number;
  private readonly maxChildren: number;
  private readonly maxTokens: number;
  private lines = 0;

  constructor(options: DrainOptions = {}) {
    this.depth = Math.max(3, options.depth ?? 4);
    this.similarity = options.similarity ?? 0.5;
    this.maxChildren = options.maxChildren ?? 100;
    this.maxTokens = options.maxTokens ?? 48;
  }

  get lineCount(): number {
    return this.lines;
  }

  /** Mines one entry; returns the cluster it joined (or started). `time` is an ISO-8601 text. */
  add(message: string, subsystem = '', level: LogLevel = 'info', time = ''): TemplateCluster {
    this.lines++;
    const tokens = tokenize(message, this.maxTokens);
    const leaf = this.leafFor(subsystem, tokens);
    let cluster = this.bestMatch(leaf.clusters!, tokens);
    if (cluster) {
      merge(cluster, tokens);
    } else {
      cluster = {
        id: this.clusters.length,
        subsystem,
        tokens,
        count: 0,
        levels: [0, 0, 0, 0, 0],
        firstSeen: time,
        lastSeen: time,
        example: message.length > 400 ? `${message.slice(0, 400)}…` : message,
      };
      this.clusters.push(cluster);
      leaf.clusters!.push(cluster);
    }
    cluster.count++;
    cluster.levels[LEVEL_INDEX[level] ?? 1]!++;
    if (time !== '') {
      if (cluster.firstSeen === '' || time < cluster.firstSeen) cluster.firstSeen = time;
      if (time > cluster.lastSeen) cluster.lastSeen = time;
    }
    return cluster;
  }

  /** The cluster with this id (ids are dense, from 0). */
  cluster(id: number): TemplateCluster | undefined {
    return this.clusters[id];
  }

  /** Every template, most frequent first. */
  templates(): MinedTemplate[] {
    return this.clusters.map(describe).sort((a, b) => b.count - a.count || a.id - b.id);
  }

  private leafFor(subsystem: string, tokens: string[]): InnerNode {
    const key = `${subsystem}\u0000${tokens.length}`;
    let node: InnerNode | undefined = this.root.get(key);
    if (!node) {
      node = { children: new Map(), clusters: undefined };
      this.root.set(key, node);
    }
    const levels = Math.min(this.depth - 2, tokens.length);
    for (let i = 0; i < levels; i++) {
      const token = isMask(tokens[i]!) ? WILDCARD : tokens[i]!;
      let next: InnerNode | undefined = node.children.get(token);
      if (!next) {
        if (token !== WILDCARD && node.children.size >= this.maxChildren - 1) {
          next = node.children.get(WILDCARD);
          if (!next) {
            next = { children: new Map(), clusters: undefined };
            node.children.set(WILDCARD, next);
          }
        } else {
          next = { children: new Map(), clusters: undefined };
          node.children.set(token, next);
        }
      }
      node = next;
    }
    node.clusters ??= [];
    return node;
  }

  private bestMatch(clusters: TemplateCluster[], tokens: string[]): TemplateCluster | undefined {
    let best: TemplateCluster | undefined;
    let bestScore = -1;
    let bestParams = -1;
    for (const cluster of clusters) {
      const t = cluster.tokens;
      let equal = 0;
      let params = 0;
      for (let i = 0; i < t.length; i++) {
        const a = t[i]!;
        if (a === tokens[i]) {
          if (isMask(a)) params++;
          else equal++;
        } else if (a === WILDCARD) params++;
      }
      // Masked parameters count as matching: two messages that differ only in values are one template.
      const score = t.length === 0 ? 1 : (equal + params) / t.length;
      if (score > bestScore || (score === bestScore && params > bestParams)) {
        best = cluster;
        bestScore = score;
        bestParams = params;
      }
    }
    if (!best) return undefined;
    // A cluster made only of parameters would swallow every message of its length.
    const constant = best.tokens.length - bestParams;
    return bestScore >= this.similarity && (constant > 0 || tokens.every(isMask)) ? best : undefined;
  }
}

const LEVEL_INDEX: Record<string, number> = Object.fromEntries(LOG_LEVELS.map((l, i) => [l, i]));

function merge(cluster: TemplateCluster, tokens: string[]): void {
  const t = cluster.tokens;
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== tokens[i] && t[i] !== WILDCARD) t[i] = WILDCARD;
  }
}

export function describe(cluster: TemplateCluster): MinedTemplate {
  const levels: Partial<Record<LogLevel, number>> = {};
  let level: LogLevel = 'debug';
  cluster.levels.forEach((n, i) => {
    if (n > 0) {
      levels[LOG_LEVELS[i]!] = n;
      level = LOG_LEVELS[i]!;
    }
  });
  return {
    id: cluster.id,
    subsystem: cluster.subsystem,
    template: cluster.tokens.join(' '),
    count: cluster.count,
    levels,
    level,
    firstSeen: cluster.firstSeen,
    lastSeen: cluster.lastSeen,
    example: cluster.example,
  };
}
