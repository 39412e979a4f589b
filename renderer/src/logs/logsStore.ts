import { create } from 'zustand';
import type { HealthSnapshot, LogEntry, LogExportResult, LogFilter, LogSummary } from '../../../src/api/contract.js';
import type { LogLevel, Subsystem } from '../../../src/logging/logRecord.js';

/** The time ranges the Logs screen offers, newest end at "now". */
export const LOG_RANGES = [
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last day', ms: 24 * 3_600_000 },
  { id: '7d', label: 'Last week', ms: 7 * 24 * 3_600_000 },
  { id: '30d', label: 'Last month', ms: 30 * 24 * 3_600_000 },
] as const;
export type LogRangeId = (typeof LOG_RANGES)[number]['id'];

export interface Problem {
  code?: string;
  message: string;
}

/**
 * The export to a USB stick:  idle -> exporting -> done | failed -> (exporting again)
 */
/**
 * The summary of the range, apart from the entries so that each has its own outcome:
 *   loading -> ready | failed;  a new range or Refresh -> loading (the old summary is dropped)
 */
export type SummaryState = { status: 'loading' } | { status: 'ready'; summary: LogSummary } | { status: 'failed'; problem: Problem };

export type ExportState =
  { status: 'idle' } | { status: 'exporting' } | { status: 'done'; result: LogExportResult } | { status: 'failed'; problem: Problem };

export interface LogsState {
  levels: LogLevel[];
  subsystems: Subsystem[];
  range: LogRangeId;
  text: string;
  summaryState: SummaryState;
  /** Bumped by Refresh: the range's end moves to now and everything is read again. */
  refreshCount: number;
  /** "Show older entries" is under way. */
  loadingOlder: boolean;
  entries: LogEntry[];
  nextCursor: string | null;
  scanned: number;
  loading: boolean;
  problem?: Problem;
  history: HealthSnapshot[];
  exportState: ExportState;
  toggleLevel(level: LogLevel): void;
  toggleSubsystem(subsystem: Subsystem): void;
  setRange(range: LogRangeId): void;
  setText(text: string): void;
  clearFilters(): void;
  refresh(): void;
}

export const useLogsStore = create<LogsState>((set) => ({
  levels: [],
  subsystems: [],
  range: '24h',
  text: '',
  entries: [],
  nextCursor: null,
  scanned: 0,
  loading: false,
  loadingOlder: false,
  summaryState: { status: 'loading' },
  refreshCount: 0,
  history: [],
  exportState: { status: 'idle' },
  toggleLevel: (level) => set((s) => ({ levels: toggled(s.levels, level) })),
  toggleSubsystem: (subsystem) => set((s) => ({ subsystems: toggled(s.subsystems, subsystem) })),
  setRange: (range) => set({ range }),
  setText: (text) => set({ text }),
  clearFilters: () => set({ levels: [], subsystems: [], text: '' }),
  refresh: () => set((s) => ({ refreshCount: s.refreshCount + 1 })),
}));

function toggled<T>(list: readonly T[], item: T): T[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

/** The filter the current choices stand for, at `now`. Empty choices mean "all". */
export function filterOf(state: Pick<LogsState, 'levels' | 'subsystems' | 'range' | 'text'>, now: number): LogFilter {
  const range = LOG_RANGES.find((r) => r.id === state.range)!;
  const text = state.text.trim();
  return {
    ...(state.levels.length > 0 ? { levels: state.levels } : {}),
    ...(state.subsystems.length > 0 ? { subsystems: state.subsystems } : {}),
    since: new Date(now - range.ms).toISOString(),
    ...(text ? { text } : {}),
  };
}
