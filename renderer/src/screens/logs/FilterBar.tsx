import type { KeyboardEvent } from 'react';
import { LOG_LEVELS, SUBSYSTEMS } from '../../../../src/logging/logRecord.js';
import { ARROW_KEYS, moveFocus } from '../../design/spatialNavigation.js';
import { LOG_RANGES, useLogsStore } from '../../stores/logsStore.js';

/** A one-line field needs Left/Right for its caret only: Up/Down leave it, so a d-pad is never trapped. */
function leaveWithUpDown(event: KeyboardEvent<HTMLInputElement>) {
  if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
  const scope = event.currentTarget.closest<HTMLElement>('.shell') ?? document.body;
  event.preventDefault();
  moveFocus(scope, ARROW_KEYS[event.key]!);
}

/**
 * Chips for levels, subsystems and the time range, and a text search. Every chip is a toggle button.
 * The chips sit in equal columns: arrows then move straight along a row and down a column; the
 * search field is on top, where Left from "Clear filters" and Up from the chips find it.
 */
export function FilterBar() {
  const { levels, subsystems, range, text, toggleLevel, toggleSubsystem, setRange, setText, clearFilters } = useLogsStore();
  return (
    <div className="log-filters" role="group" aria-label="Filters">
      <div className="filter-row">
        <label className="filter-label" htmlFor="log-text">
          Text
        </label>
        <div className="filter-chips filter-search">
          <input id="log-text" className="filter-text" type="search" value={text} maxLength={200} placeholder="words, or name=value" onChange={(e) => setText(e.target.value)} onKeyDown={leaveWithUpDown} />
          {(levels.length > 0 || subsystems.length > 0 || text !== '') && (
            <button type="button" className="filter-chip" onClick={clearFilters}>
              Clear filters
            </button>
          )}
        </div>
      </div>
      <div className="filter-row" role="group" aria-label="Time range">
        <span className="filter-label">Time</span>
        <div className="filter-chips">
          {LOG_RANGES.map((r) => (
            <button key={r.id} type="button" className="filter-chip" aria-pressed={range === r.id} onClick={() => setRange(r.id)}>
              {r.label}
            </button>
          ))}
        </div>
      </div>
      <div className="filter-row" role="group" aria-label="Levels">
        <span className="filter-label">Level</span>
        <div className="filter-chips">
          {LOG_LEVELS.map((level) => (
            <button key={level} type="button" className={`filter-chip level-${level}`} aria-pressed={levels.includes(level)} onClick={() => toggleLevel(level)}>
              {level}
            </button>
          ))}
        </div>
      </div>
      <div className="filter-row" role="group" aria-label="Subsystems">
        <span className="filter-label">Part</span>
        <div className="filter-chips">
          {SUBSYSTEMS.map((subsystem) => (
            <button key={subsystem} type="button" className="filter-chip" aria-pressed={subsystems.includes(subsystem)} onClick={() => toggleSubsystem(subsystem)}>
              {subsystem}
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
