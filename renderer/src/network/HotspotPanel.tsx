import { useEffect, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { HotspotState } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { Panel } from '../design/Panel.js';
import { networkProblemWords } from './networkWords.js';

/** How long the hotspot's password stays on screen before it hides itself. */
export const HOTSPOT_PASSWORD_SHOWN_MS = 60_000;

/**
 * Hotspot mode, as the latch chose at start: the hotspot's name, and its generated WPA2 password
 * shown large when asked. The password is fetched on demand (`network.hotspotPassword`) into this
 * panel's own state only: never the network store, gone on Hide, after a minute, or when the
 * screen closes.
 */
export function HotspotPanel({ hotspot }: { hotspot: HotspotState }) {
  const client = useClient();
  const [secret, setSecret] = useState<{ ssid: string; password: string }>();
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<{ code?: string; message?: string }>();

  useEffect(() => {
    if (!secret) return;
    const timer = setTimeout(() => {
      const hadFocus = document.activeElement?.id === 'hotspot-hide';
      setSecret(undefined);
      if (hadFocus) requestAnimationFrame(() => document.getElementById('hotspot-show')?.focus());
    }, HOTSPOT_PASSWORD_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [secret]);

  const show = async () => {
    if (loading) return;
    setLoading(true);
    setProblem(undefined);
    try {
      setSecret(await client.call('network.hotspotPassword'));
    } catch (e) {
      setProblem(e instanceof ApiError ? { code: e.code, message: e.message } : { message: String(e) });
    } finally {
      setLoading(false);
    }
  };
  const hide = () => {
    setSecret(undefined);
    requestAnimationFrame(() => document.getElementById('hotspot-show')?.focus());
  };

  return (
    <Panel title="Hotspot" className="hotspot">
      <p className="hotspot-lead">This headset is a Wi-Fi hotspot: {hotspot.active ? 'phones and laptops can join it now.' : 'it is starting.'}</p>
      <dl className="hotspot-facts">
        <dt>Name</dt>
        <dd className="hotspot-big" data-testid="hotspot-ssid">
          {secret?.ssid ?? hotspot.ssid}
        </dd>
        <dt>Password</dt>
        <dd>
          {secret ? (
            <span className="hotspot-big hotspot-password" data-testid="hotspot-password">
              {secret.password}
            </span>
          ) : (
            <span className="muted">Hidden. Show it when you are ready to type it on the other device.</span>
          )}
        </dd>
      </dl>
      {secret && <p className="muted">It hides itself after a minute.</p>}
      {problem && (
        <div role="alert">
          <p className="error">{networkProblemWords(problem.code)}</p>
          <ProblemDetails code={problem.code} message={problem.message} />
        </div>
      )}
      <div className="actions">
        {secret ? (
          <Button id="hotspot-hide" autoFocus onClick={hide}>
            Hide the password
          </Button>
        ) : (
          <Button id="hotspot-show" variant="primary" aria-disabled={loading || undefined} onClick={() => void show()}>
            {loading ? 'Getting it…' : 'Show the password'}
          </Button>
        )}
      </div>
      <div className="hotspot-latch">
        <h3>Why a hotspot?</h3>
        <p>
          The hotspot switch on the headset was on when it started, so it became a hotspot instead of joining Wi-Fi networks. It joins none while the
          switch is on.
        </p>
        <p>To join Wi-Fi networks again: move the switch back, then restart the headset.</p>
      </div>
    </Panel>
  );
}
