import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { NetworkOverview, WifiNetwork } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { ThreeKeyEntry } from '../design/ThreeKeyEntry.js';
import { useNetworkStore } from '../network/networkStore.js';
import { networkProblemWords, securityWords, signalWords } from '../network/networkWords.js';
import { useUnlockGate } from '../network/useUnlockGate.js';

/** WPA personal: 8 to 63 characters, or 64 hex digits. */
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 64;

/**
 * The kiosk's "Connect to a network", with three keys: the Wi-Fi networks in reach as a list (Up,
 * Down, Enter), a password on the three-key wheel when the network needs one, the PIN first when
 * one is set. Enough to reach the update server for network recovery or the cloud for a restore.
 * A hidden network is joined from Settings, Network.
 *
 *   looking --scan--> list --Enter on a network--> password (secured, not saved) --Join--> joining
 *                       ^   \--Enter (open or saved)----------------------------------> joining
 *                       +------------- joined (said on the list) | failed (said on the list) <--+
 */
type View = { at: 'list' } | { at: 'password'; network: WifiNetwork } | { at: 'joining'; ssid: string };

export function RecoveryNetwork({ onBack }: { onBack(): void }) {
  const client = useClient();
  const overview = useNetworkStore((s) => s.overview);
  const gate = useUnlockGate('Joining a network needs the PIN.', { threeKeys: true });
  const [view, setView] = useState<View>({ at: 'list' });
  const [networks, setNetworks] = useState<WifiNetwork[]>();
  const [looking, setLooking] = useState(false);
  const [said, setSaid] = useState<{ ssid: string; ok: boolean; words: string }>();
  const [scanProblem, setScanProblem] = useState<string>();

  const look = useCallback(
    async (rescan: boolean) => {
      setLooking(true);
      setScanProblem(undefined);
      try {
        setNetworks((await client.call('network.scan', { rescan })).networks);
      } catch (e) {
        setScanProblem(networkProblemWords(e instanceof ApiError ? e.code : undefined));
      } finally {
        setLooking(false);
      }
    },
    [client],
  );
  useEffect(() => {
    void look(false);
    client.call('network.overview').then(
      (o) => useNetworkStore.getState().setOverview(o),
      () => undefined,
    );
  }, [client, look]);

  const join = (network: WifiNetwork, password?: string) => {
    setSaid(undefined);
    setView({ at: 'joining', ssid: network.ssid });
    void gate.run(
      async () => {
        let joined: NetworkOverview;
        try {
          joined = await client.call('network.connect', password === undefined ? { ssid: network.ssid } : { ssid: network.ssid, password });
        } finally {
          setView({ at: 'list' });
        }
        useNetworkStore.getState().setOverview(joined);
        setSaid({ ssid: network.ssid, ok: true, words: `Connected to “${network.ssid}”.` });
        void look(false);
      },
      (e) => {
        setView({ at: 'list' });
        setSaid({ ssid: network.ssid, ok: false, words: networkProblemWords(e instanceof ApiError ? e.code : undefined) });
      },
    );
  };

  const choose = (network: WifiNetwork) => {
    if (!joinable(network)) return;
    if (network.connected) return setSaid({ ssid: network.ssid, ok: true, words: `Already connected to “${network.ssid}”.` });
    if (network.security === 'open' || network.saved) return join(network);
    setSaid(undefined);
    setView({ at: 'password', network });
  };

  // While the PIN is asked the list waits behind it; the password went into the waiting join's closure only.
  if (gate.pad) return <div className="recovery-entry">{gate.pad}</div>;
  if (view.at === 'password')
    return (
      <div className="recovery-entry">
        <ThreeKeyEntry
          label={`Password for “${view.network.ssid}”`}
          hint="Turn to Join when it is complete. The headset keeps it for this network only."
          alphabet="text"
          secret
          minLength={PASSWORD_MIN}
          maxLength={PASSWORD_MAX}
          doneLabel="Join"
          onDone={(password) => join(view.network, password)}
          onCancel={() => setView({ at: 'list' })}
          testId="recovery-wifi-password"
        />
      </div>
    );

  const now = overview?.wifi
    ? `Connected to the Wi-Fi network “${overview.wifi.ssid}”.`
    : overview?.ethernet.connected
      ? 'Connected by cable.'
      : overview?.hotspot
        ? 'The headset is a hotspot now: it joins no network until its switch is moved back.'
        : 'Not connected. Choose a Wi-Fi network.';
  const joining = view.at === 'joining';
  return (
    <>
      <p className="recovery-confirm" id="recovery-network-now" data-testid="recovery-network-now" aria-live="polite">
        {joining ? `Joining “${view.ssid}”…` : now}
      </p>
      {joining && <div className="progress indeterminate" role="progressbar" aria-label={`Joining ${view.ssid}`} />}
      <div className="recovery-actions" role="menu" aria-label="Wi-Fi networks" aria-describedby="recovery-network-now">
        {(networks ?? []).map((network, index) => {
          const mine = said?.ssid === network.ssid;
          return (
            <Button
              role="menuitem"
              key={network.ssidHex}
              aria-disabled={joining || !joinable(network) || undefined}
              onClick={() => !joining && choose(network)}
              autoFocus={said ? mine : index === 0}
              data-testid={`recovery-wifi-${network.ssid}`}
            >
              {network.ssid}
              <span className={`action-hint${mine && !said.ok ? ' error' : ''}`} aria-live="polite">
                {mine ? said.words : hintFor(network)}
              </span>
            </Button>
          );
        })}
        <Button
          role="menuitem"
          aria-disabled={joining || looking || undefined}
          onClick={() => !joining && !looking && void look(true)}
          autoFocus={networks !== undefined && networks.length === 0 && !said}
          data-testid="recovery-wifi-rescan"
        >
          {looking ? 'Looking for networks…' : 'Look again'}
          <span className={`action-hint${scanProblem ? ' error' : ''}`}>
            {scanProblem ?? (networks && networks.length === 0 ? 'No Wi-Fi network in reach' : 'Scan for Wi-Fi networks in reach')}
          </span>
        </Button>
        <Button role="menuitem" aria-disabled={joining || undefined} onClick={() => !joining && onBack()} data-testid="recovery-network-back">
          Back
          <span className="action-hint">To the other recovery actions</span>
        </Button>
      </div>
    </>
  );
}

function joinable(network: WifiNetwork): boolean {
  return network.security === 'open' || network.security === 'wpa2-personal' || network.security === 'wpa3-personal';
}

function hintFor(network: WifiNetwork): string {
  if (network.connected) return `Connected. ${signalWords(network.bars)}`;
  if (!joinable(network)) return securityWords(network.security);
  return `${signalWords(network.bars)}; ${network.saved ? 'saved' : securityWords(network.security)}`;
}
