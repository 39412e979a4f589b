/**
 * One log file reduced to what summaries need: an entry's time, template, level, subsystem,
 * version and boot in typed arrays (the strings interned), its numeric fields as samples, its
 * fatal entries whole.
 */
export interface FileColumns {
  key: string;
  count: number;
  times: Float64Array;
  templates: Int32Array;
  levels: Uint8Array;
  subsystems: Uint16Array;
  versions: Uint16Array;
  boots: Int32Array;
  samples: { index: number; field: string; value: number }[];
  fatals: { time: string; subsystem: string; msg: string }[];
  minTime: number;
  maxTime: number;
  malformed: number;
}

export function emptyColumns(key: string, capacity: number): FileColumns {
  return {
    key,
    count: 0,
    times: new Float64Array(capacity),
    templates: new Int32Array(capacity),
    levels: new Uint8Array(capacity),
    subsystems: new Uint16Array(capacity),
    versions: new Uint16Array(capacity),
    boots: new Int32Array(capacity),
    samples: [],
    fatals: [],
    minTime: Infinity,
    maxTime: -Infinity,
    malformed: 0,
  };
}

/** A copy of `c` with room for `capacity` entries. */
export function grow(c: FileColumns, capacity: number): FileColumns {
  const copy = <T extends Float64Array | Int32Array | Uint8Array | Uint16Array>(from: T, to: T): T => {
    to.set(from);
    return to;
  };
  return {
    ...c,
    times: copy(c.times, new Float64Array(capacity)),
    templates: copy(c.templates, new Int32Array(capacity)),
    levels: copy(c.levels, new Uint8Array(capacity)),
    subsystems: copy(c.subsystems, new Uint16Array(capacity)),
    versions: copy(c.versions, new Uint16Array(capacity)),
    boots: copy(c.boots, new Int32Array(capacity)),
  };
}
