import { useCallback, useRef, useState, type KeyboardEvent } from 'react';
import { LOG_LEVELS, SUBSYSTEMS } from '../../../src/logging/logRecord.js';
import { useEscape } from '../design/focus.js';
import { ARROW_KEYS, moveFocus } from '../design/spatialNavigation.js';
import { useLogsStore } from './logsStore.js';
import { LEVEL_LABELS, SUBSYSTEM_LABELS } from './logLabels.js';

/** A one-line field needs Left/Right for its caret only: Up/Down leave it, so a d-pad is never trapped. */
function leaveWithUpDown(event: KeyboardEvent<HTMLInputElement>) {
  if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
  const scope = event.currentTarget.closest<HTMLElement>('.shell') ?? document.body;
  event.preventDefault();
  moveFocus(scope, ARROW_KEYS[event.key]!);
}

/**
 * What the entries list (and the export) show: a text search, level chips, and the parts of the
 * headset behind one "Part" button that opens their chips (twelve chips would fill the screen).
 * Chips sit in equal columns: arrows move straight along a row and down a column.
 */
export function FilterBar() {
  const { levels, subsystems, text, toggleLevel, toggleSubsystem, setText, clearFilters } = useLogsStore();
  const [partsOpen, setPartsOpen] = useState(false);
  const partsButton = useRef<HTMLButtonElement>(null);
  const closeParts = useCallback(() => {
    setPartsOpen(false);
    partsButton.current?.focus();
  }, []);
  useEscape(partsOpen, closeParts);
  const partsWord = subsystems.length === 0 ? 'All parts' : subsystems.length === 1 ? SUBSYSTEM_LABELS[subsystems[0]!] : `${subsystems.length} parts`;
  return (
    <div className="log-filters" role="group" aria-label="Filters">
      <div className="filter-row">
        <label className="filter-label" htmlFor="log-text">
          Text
        </label>
        <div className="filter-chips filter-search">
          <input
            id="log-text"
            className="filter-text"
            type="search"
            value={text}
            maxLength={200}
            placeholder="words, or name=value"
            onChange={(e) => setText(e.target.value)}
            onKeyDown={leaveWithUpDown}
          />
          {(levels.length > 0 || subsystems.length > 0 || text !== '') && (
            <button type="button" className="filter-chip" onClick={clearFilters}>
              Clear filters
            </button>
          )}
        </div>
      </div>
      <div className="filter-row" role="group" aria-label="Levels">
        <span className="filter-label">Level</span>
        <div className="filter-chips">
          {LOG_LEVELS.map((level) => (
            <button
              key={level}
              type="button"
              className={`filter-chip level-${level}`}
              aria-pressed={levels.includes(level)}
              onClick={() => toggleLevel(level)}
            >
              {LEVEL_LABELS[level]}
            </button>
          ))}
        </div>
      </div>
      <div className="filter-row">
        <span className="filter-label">Part</span>
        <div className="filter-parts">
          <button
            ref={partsButton}
            type="button"
            className="filter-chip filter-parts-toggle"
            aria-expanded={partsOpen}
            aria-controls="log-parts"
            aria-label={`Part: ${partsWord}`}
            onClick={() => setPartsOpen((open) => !open)}
          >
            {partsWord}
            <span aria-hidden="true">{partsOpen ? ' ▴' : ' ▾'}</span>
          </button>
          {partsOpen && (
            <div id="log-parts" className="filter-chips" role="group" aria-label="Parts">
              {SUBSYSTEMS.map((subsystem) => (
                <button
                  key={subsystem}
                  type="button"
                  className="filter-chip"
                  aria-pressed={subsystems.includes(subsystem)}
                  onClick={() => toggleSubsystem(subsystem)}
                >
                  {SUBSYSTEM_LABELS[subsystem]}
                </button>
              ))}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
