import type { BootStatus } from '../../../src/api/contract.js';
import './slotDiagram.css';

/** The two system slots side by side: which one runs, what each holds, the start attempts left (dots with their legend). */
export function SlotDiagram({ status }: { status: BootStatus }) {
  return (
    <div className="slots" data-testid="slots">
      {status.slots.map((slot) => (
        <div key={slot.name} className={`slot ${slot.active ? 'active' : ''}`} data-testid={`slot-${slot.name}`} aria-label={`Slot ${slot.name}`}>
          <div className="slot-head">
            <span className="slot-name">Slot {slot.name}</span>
            {slot.active ? (
              <span className="badge accent">Running</span>
            ) : slot.bootable ? (
              <span className="badge ok">Ready</span>
            ) : (
              <span className="badge muted">{slot.version ? 'Not bootable' : 'Empty'}</span>
            )}
          </div>
          <div className="slot-version" data-testid={`slot-${slot.name}-version`}>
            {slot.version ?? '—'}
          </div>
          {/* The dots with their legend: how many more times the headset tries to start this system before it goes back. */}
          <div className="slot-tries" data-testid={`slot-${slot.name}-tries`}>
            <span className="slot-tries-dots" aria-hidden="true">
              {[0, 1, 2].map((i) => (
                <span key={i} className={`try ${i < slot.triesLeft ? 'left' : ''}`} />
              ))}
            </span>
            <span className="slot-tries-label">{slot.triesLeft === 1 ? '1 start attempt left' : `${slot.triesLeft} start attempts left`}</span>
          </div>
        </div>
      ))}
    </div>
  );
}
