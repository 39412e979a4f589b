import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { EthernetState, SavedNetwork, WifiNetwork } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { useEscape } from '../design/focus.js';
import { formatLocalTime } from '../design/format.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { Panel } from '../design/Panel.js';
import { ConnectForm, type JoinProblem, type JoinRequest } from './ConnectForm.js';
import { HotspotPanel } from './HotspotPanel.js';
import { useNetworkStore } from './networkStore.js';
import { signalBars } from '../../../src/network/ssid.js';
import { networkProblemWords, securityWords } from './networkWords.js';
import { focusSoon, SavedNetworks, savedControlId } from './SavedNetworks.js';
import { moveChanges } from './savedOrder.js';
import { SignalBars } from './SignalBars.js';
import { useUnlockGate } from './useUnlockGate.js';
import './network.css';

/** The form open: a scanned network's (by its exact name) or the hidden network's. */
type Target = { kind: 'scanned'; ssidHex: string } | { kind: 'hidden' };

function problemOf(error: unknown): JoinProblem {
  return error instanceof ApiError
    ? { code: error.code, message: error.message }
    : { message: error instanceof Error ? error.message : String(error) };
}

const rowId = (ssidHex: string) => `wifi-${ssidHex}`;

/**
 * Settings, Network: what the headset is on now (Wi-Fi, Ethernet), the Wi-Fi networks in reach
 * (join one, or a hidden one), the saved networks by priority (move, support, forget); in hotspot
 * mode, the hotspot. Changes ask for the PIN first when the headset is locked.
 */
export function NetworkScreen() {
  const client = useClient();
  const { overview, scan, saved, setOverview, setScan, setSaved } = useNetworkStore();
  const gate = useUnlockGate('Changing networks needs the PIN.');
  const [scanning, setScanning] = useState(false);
  const [scanProblem, setScanProblem] = useState<JoinProblem>();
  const [target, setTarget] = useState<Target>();
  const [joining, setJoining] = useState(false);
  const [joinProblem, setJoinProblem] = useState<JoinProblem>();
  const [joined, setJoined] = useState<string>();
  const [changing, setChanging] = useState(false);
  const [changeProblem, setChangeProblem] = useState<JoinProblem>();

  const readScan = useCallback(
    async (rescan: boolean) => {
      setScanning(true);
      setScanProblem(undefined);
      try {
        setScan(await client.call('network.scan', { rescan }));
      } catch (e) {
        setScanProblem(problemOf(e));
      } finally {
        setScanning(false);
      }
    },
    [client, setScan],
  );
  const readSaved = useCallback(async () => {
    setSaved(await client.call('network.saved').catch(() => useNetworkStore.getState().saved ?? []));
  }, [client, setSaved]);

  useEffect(() => {
    client.call('network.overview').then(setOverview, () => undefined);
    void readScan(false);
    void readSaved();
  }, [client, readScan, readSaved, setOverview]);

  const closeForm = useCallback(() => {
    const open = target;
    setTarget(undefined);
    setJoinProblem(undefined);
    focusSoon(open?.kind === 'scanned' ? rowId(open.ssidHex) : 'join-hidden');
  }, [target]);
  useEscape(!!target && !gate.pad, closeForm);

  const join = (request: JoinRequest, ssidHex: string | undefined) => {
    setJoinProblem(undefined);
    setJoined(undefined);
    void gate.run(
      async () => {
        setJoining(true);
        try {
          setOverview(await client.call('network.connect', { ...request }));
        } finally {
          setJoining(false);
        }
        setJoined(request.ssid);
        setTarget(undefined);
        await Promise.all([readScan(false), readSaved()]);
        focusSoon(ssidHex ? rowId(ssidHex) : 'join-hidden');
      },
      (e) => setJoinProblem(problemOf(e)),
    );
  };

  const change = (run: () => Promise<SavedNetwork[]>, focusAfter: string) => {
    setChangeProblem(undefined);
    void gate.run(
      async () => {
        setChanging(true);
        try {
          setSaved(await run());
        } finally {
          setChanging(false);
        }
        focusSoon(focusAfter);
        void readScan(false);
      },
      (e) => {
        setChangeProblem(problemOf(e));
        void readSaved();
      },
    );
  };
  const move = (network: SavedNetwork, direction: 'up' | 'down') => {
    const changes = moveChanges(saved ?? [], network.id, direction);
    change(
      async () => {
        let list = saved ?? [];
        for (const c of changes) list = await client.call('network.setPriority', { id: c.id, priority: c.priority });
        return list;
      },
      savedControlId(direction, network.id),
    );
  };
  const setSupport = (network: SavedNetwork, support: boolean) =>
    change(() => client.call('network.setSupport', { id: network.id, support }), savedControlId('support', network.id));
  const forget = (network: SavedNetwork) => {
    const list = saved ?? [];
    const next = list[list.indexOf(network) + 1] ?? list[list.indexOf(network) - 1];
    change(() => client.call('network.forget', { id: network.id }), next ? savedControlId('forget', next.id) : 'rescan');
  };

  if (!overview) return <Panel title="Network">Reading the network…</Panel>;
  const hotspot = overview.mode === 'hotspot';

  return (
    <div className="network">
      {gate.pad}
      <div hidden={!!gate.pad} className="network-screen">
        <h1>Network</h1>
        {hotspot && overview.hotspot && <HotspotPanel hotspot={overview.hotspot} />}
        <Panel title="Connected now" className="network-now">
          <dl className="network-facts" data-testid="network-now">
            <dt>Wi-Fi</dt>
            <dd data-testid="now-wifi">
              {hotspot ? (
                'Used by the hotspot'
              ) : overview.connecting ? (
                <span className="network-progress">
                  <span className="network-spinner" aria-hidden="true" /> Joining “{overview.connecting}”…
                </span>
              ) : overview.wifi ? (
                <span className="network-joined">
                  <SignalBars bars={signalBars(overview.wifi.signal)} />
                  <span className="network-ssid">{overview.wifi.ssid}</span>
                  {overview.wifi.support && <span className="badge warn">Support network</span>}
                </span>
              ) : (
                'Not on a Wi-Fi network'
              )}
            </dd>
            <dt>Ethernet</dt>
            <dd data-testid="now-ethernet">{ethernetWords(overview.ethernet)}</dd>
          </dl>
          {lockedHint(gate.locked)}
        </Panel>
        {hotspot ? (
          <Panel title="Wi-Fi networks">
            <p>While the headset is a hotspot it joins no Wi-Fi network, and its saved networks wait.</p>
          </Panel>
        ) : (
          <>
            <Panel title="Wi-Fi networks in reach" className="network-scan">
              <div className="network-scan-head">
                <p className="muted" aria-live="polite" data-testid="scan-state">
                  {scanning
                    ? 'Looking for networks…'
                    : scan?.scannedAt
                      ? `Found ${scan.networks.length} at ${formatLocalTime(scan.scannedAt)}`
                      : 'Not scanned yet'}
                </p>
                <Button id="rescan" aria-disabled={scanning || undefined} onClick={() => !scanning && void readScan(true)}>
                  {scanning ? 'Scanning…' : 'Scan again'}
                </Button>
              </div>
              {joined && (
                <p role="status" className="network-joined-note" data-testid="join-result">
                  Connected to “{joined}”.
                </p>
              )}
              {scanProblem && (
                <div role="alert">
                  <p className="error">{networkProblemWords(scanProblem.code)}</p>
                  <ProblemDetails code={scanProblem.code} message={scanProblem.message} />
                </div>
              )}
              <ul className="wifi-list" data-testid="wifi-list">
                {(scan?.networks ?? []).map((network) => (
                  <li key={network.ssidHex}>
                    <WifiRow
                      // The scan may be older than the last join: whether it is the one joined now comes from the overview.
                      network={{ ...network, connected: overview.wifi ? overview.wifi.ssidHex === network.ssidHex : false }}
                      open={target?.kind === 'scanned' && target.ssidHex === network.ssidHex}
                      onOpen={() => {
                        setJoinProblem(undefined);
                        setTarget({ kind: 'scanned', ssidHex: network.ssidHex });
                      }}
                    />
                    {target?.kind === 'scanned' && target.ssidHex === network.ssidHex && (
                      <ConnectForm
                        network={network}
                        hasSavedPassword={saved?.some((s) => s.id === network.savedId && s.hasPassword)}
                        joining={joining}
                        problem={joinProblem}
                        onJoin={(request) => join(request, network.ssidHex)}
                        onCancel={closeForm}
                      />
                    )}
                  </li>
                ))}
              </ul>
              {target?.kind === 'hidden' ? (
                <ConnectForm joining={joining} problem={joinProblem} onJoin={(request) => join(request, undefined)} onCancel={closeForm} />
              ) : (
                <div className="actions">
                  <Button
                    id="join-hidden"
                    onClick={() => {
                      setJoinProblem(undefined);
                      setTarget({ kind: 'hidden' });
                    }}
                  >
                    Join a hidden network
                  </Button>
                </div>
              )}
            </Panel>
            <Panel title="Saved networks" className="network-saved">
              <p className="muted">The headset tries them from the top. Support networks always come first.</p>
              {changeProblem && (
                <div role="alert">
                  <p className="error">{networkProblemWords(changeProblem.code)}</p>
                  <ProblemDetails code={changeProblem.code} message={changeProblem.message} />
                </div>
              )}
              {saved ? (
                <SavedNetworks saved={saved} busy={changing} padOpen={!!gate.pad} onMove={move} onSupport={setSupport} onForget={forget} />
              ) : (
                <p className="muted">Reading…</p>
              )}
            </Panel>
          </>
        )}
      </div>
    </div>
  );
}

/** A scanned network: one large button (name, signal, security, saved, connected); Enter opens its form. */
function WifiRow({ network, open, onOpen }: { network: WifiNetwork; open: boolean; onOpen(): void }) {
  const joinable = network.security !== 'enterprise' && network.security !== 'wep';
  const unavailable = !joinable || network.connected;
  return (
    <button
      type="button"
      id={rowId(network.ssidHex)}
      className="wifi-row"
      data-testid="wifi-network"
      data-ssid={network.ssid}
      aria-expanded={joinable && !network.connected ? open : undefined}
      aria-disabled={unavailable || undefined}
      onClick={() => !unavailable && onOpen()}
    >
      <SignalBars bars={network.bars} />
      <span className="wifi-row-text">
        <span className="network-ssid">{network.ssid}</span>
        <span className="network-tags">
          <span className="network-security-words">{securityWords(network.security)}</span>
          {network.saved && <span className="badge accent">Saved</span>}
          {network.support && <span className="badge warn">Support network</span>}
        </span>
      </span>
      {network.connected && <span className="badge ok wifi-row-state">Connected</span>}
    </button>
  );
}

function ethernetWords(ethernet: EthernetState): string {
  if (!ethernet.present) return 'No Ethernet port';
  if (!ethernet.carrier) return 'No cable plugged in';
  if (!ethernet.connected) return 'Cable plugged in, no connection';
  return ethernet.address ? `Connected (${ethernet.address})` : 'Connected';
}

function lockedHint(locked: boolean) {
  return locked ? <p className="muted network-lock-hint">The headset is locked: changes here ask for the PIN.</p> : null;
}
