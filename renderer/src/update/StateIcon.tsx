import type { UpdateState } from '../../../src/api/contract.js';

/** One picture per update state, readable at a glance from across the room. */
const PATHS: Record<UpdateState['status'], { tone: string; d: string }> = {
  unconfigured: { tone: 'muted', d: 'M7 7l10 10' },
  idle: { tone: 'accent', d: 'M16.5 8.5A6 6 0 1 0 18 12 M18 6v3h-3' },
  checking: { tone: 'accent', d: 'M11 11m-4 0a4 4 0 1 0 8 0a4 4 0 1 0-8 0 M14 14l3.5 3.5' },
  'up-to-date': { tone: 'ok', d: 'M7.5 12.5l3 3 6-7' },
  available: { tone: 'accent', d: 'M12 6.5v8 M8.5 11.5l3.5 3.5 3.5-3.5 M7.5 17.5h9' },
  downloading: { tone: 'accent', d: 'M12 6.5v8 M8.5 11.5l3.5 3.5 3.5-3.5 M7.5 17.5h9' },
  downloaded: { tone: 'ok', d: 'M7.5 16.5h9 M8 12.5l2.5 2.5 5-5.5' },
  installing: { tone: 'accent', d: 'M7 8h10v8H7z M10 16v2 M14 16v2 M9.5 12h5' },
  'ready-to-reboot': { tone: 'ok', d: 'M12 6v5 M8.2 8.2a5.5 5.5 0 1 0 7.6 0' },
  failed: { tone: 'danger', d: 'M12 7.5v5.5 M12 16.2v.3' },
};

export function StateIcon({ status }: { status: UpdateState['status'] }) {
  const { tone, d } = PATHS[status];
  return (
    <svg className={`state-icon ${tone}`} viewBox="0 0 24 24" aria-hidden="true" data-status={status}>
      <circle cx="12" cy="12" r="10.5" />
      <path d={d} />
    </svg>
  );
}
