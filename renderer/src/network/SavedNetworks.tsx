import { useState } from 'react';
import type { SavedNetwork } from '../../../src/api/contract.js';
import { Button } from '../design/Button.js';
import { useEscape } from '../design/focus.js';
import { securityWords } from './networkWords.js';

interface SavedNetworksProps {
  saved: SavedNetwork[];
  /** A change is running: the buttons say no until it is done. */
  busy: boolean;
  /** The PIN pad is up: Escape is its own. */
  padOpen: boolean;
  onMove(network: SavedNetwork, direction: 'up' | 'down'): void;
  onSupport(network: SavedNetwork, support: boolean): void;
  onForget(network: SavedNetwork): void;
}

/**
 * The saved networks in the order the headset tries them (support networks on top): move one up or
 * down, mark it a support network, or forget it after a question.
 */
/** The id of a saved network's control, to give it the focus back after a change re-renders the list. */
export function savedControlId(kind: 'up' | 'down' | 'support' | 'forget', id: string): string {
  return `saved-${kind}-${id}`;
}

/** Focus to an element once the render that makes it is on screen. */
export function focusSoon(id: string): void {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

export function SavedNetworks({ saved, busy, padOpen, onMove, onSupport, onForget }: SavedNetworksProps) {
  const [forgetting, setForgetting] = useState<string>();
  useEscape(!!forgetting && !padOpen, () => {
    if (forgetting) focusSoon(savedControlId('forget', forgetting));
    setForgetting(undefined);
  });
  if (saved.length === 0) return <p className="muted">No saved networks yet: join one above and it is saved here.</p>;
  const own = saved.filter((n) => !n.support);
  return (
    <ol className="saved-list" data-testid="saved-networks">
      {saved.map((network, index) => {
        const place = own.indexOf(network);
        const name = `“${network.ssid}”`;
        return (
          <li key={network.id} className="saved-row" data-testid="saved-network" data-ssid={network.ssid}>
            <div className="saved-name">
              <span className="saved-place" aria-hidden="true">
                {index + 1}
              </span>
              <span className="network-ssid">{network.ssid}</span>
              <span className="network-tags">
                {network.support && <span className="badge warn">Support network</span>}
                {network.connected && <span className="badge ok">Connected</span>}
                {network.hidden && <span className="badge muted">Hidden</span>}
                <span className="network-security-words">{securityWords(network.security)}</span>
              </span>
            </div>
            {forgetting === network.id ? (
              <div className="saved-confirm" role="group" aria-label={`Forget ${name}?`}>
                <p>
                  Forget {name}
                  {network.hasPassword ? ' and its password' : ''}?{network.connected ? ' The headset leaves it now.' : ''}
                </p>
                <div className="actions">
                  <Button
                    variant="danger"
                    autoFocus
                    aria-disabled={busy || undefined}
                    onClick={() => {
                      if (busy) return;
                      setForgetting(undefined);
                      onForget(network);
                    }}
                  >
                    Forget it
                  </Button>
                  <Button
                    onClick={() => {
                      setForgetting(undefined);
                      focusSoon(savedControlId('forget', network.id));
                    }}
                  >
                    Keep it
                  </Button>
                </div>
              </div>
            ) : (
              <div className="saved-actions">
                {!network.support && (
                  <>
                    <Button
                      id={savedControlId('up', network.id)}
                      aria-label={`Move ${name} up`}
                      aria-disabled={busy || place === 0 || undefined}
                      onClick={() => !busy && place > 0 && onMove(network, 'up')}
                    >
                      <span aria-hidden="true">▲ </span>Up
                    </Button>
                    <Button
                      id={savedControlId('down', network.id)}
                      aria-label={`Move ${name} down`}
                      aria-disabled={busy || place === own.length - 1 || undefined}
                      onClick={() => !busy && place < own.length - 1 && onMove(network, 'down')}
                    >
                      <span aria-hidden="true">▼ </span>Down
                    </Button>
                  </>
                )}
                <Button
                  id={savedControlId('support', network.id)}
                  aria-label={network.support ? `${name}: not a support network` : `Mark ${name} as support network`}
                  aria-disabled={busy || undefined}
                  onClick={() => !busy && onSupport(network, !network.support)}
                >
                  {network.support ? 'Unmark support' : 'Mark as support'}
                </Button>
                <Button
                  id={savedControlId('forget', network.id)}
                  aria-label={`Forget ${name}`}
                  aria-disabled={busy || undefined}
                  onClick={() => !busy && setForgetting(network.id)}
                >
                  Forget
                </Button>
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
