import type { BootStatus } from '../../../src/api/contract.js';
import './slotDiagram.css';

/** The two system slots side by side: which one runs, what each holds, the tries left. */
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
          <div className="slot-tries" aria-label={`${slot.triesLeft} boot attempts left`} title="Boot attempts left">
            {[0, 1, 2].map((i) => (
              <span key={i} className={`try ${i < slot.triesLeft ? 'left' : ''}`} />
            ))}
          </div>
        </div>
      ))}
      <p className="muted slot-order">
        Boots first: slot {status.order[0]}
        {status.fellBack ? ' — this boot fell back to the other slot' : ''}
      </p>
    </div>
  );
}
