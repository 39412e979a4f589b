import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { ConnectForm, type JoinProblem, type JoinRequest } from '../network/ConnectForm.js';
import { securityWords } from '../network/networkWords.js';
import { SignalBars } from '../network/SignalBars.js';
import { useNetworkStore } from '../network/networkStore.js';
import { useUnlockGate } from '../network/useUnlockGate.js';
import '../network/network.css';

function problemOf(error: unknown): JoinProblem {
  return error instanceof ApiError
    ? { code: error.code, message: error.message }
    : { message: error instanceof Error ? error.message : String(error) };
}

/**
 * Network: what the headset is on now, the Wi-Fi networks in reach and the Network screen's join form
 * (its password never kept anywhere but in the call); or skip. Only the joined network's name is
 * journaled, to show it again after a restart.
 */
export function NetworkStep({ onNext, onSkip }: { onNext(ssid: string | null): void; onSkip(): void }) {
  const client = useClient();
  const { overview, scan, setOverview, setScan } = useNetworkStore();
  const gate = useUnlockGate('Joining a network needs the PIN.');
  const [open, setOpen] = useState<string>();
  const [joining, setJoining] = useState(false);
  const [problem, setProblem] = useState<JoinProblem>();
  const [scanning, setScanning] = useState(false);

  const readScan = useCallback(
    async (rescan: boolean) => {
      setScanning(true);
      try {
        setScan(await client.call('network.scan', { rescan }));
      } catch {
        // The list stays as it was; Scan again is there.
      } finally {
        setScanning(false);
      }
    },
    [client, setScan],
  );
  useEffect(() => {
    client.call('network.overview').then(setOverview, () => undefined);
    void readScan(false);
  }, [client, readScan, setOverview]);

  const join = (request: JoinRequest) => {
    setProblem(undefined);
    void gate.run(
      async () => {
        setJoining(true);
        try {
          setOverview(await client.call('network.connect', { ...request }));
        } finally {
          setJoining(false);
        }
        setOpen(undefined);
      },
      (e) => setProblem(problemOf(e)),
    );
  };

  const wifi = overview?.wifi;
  const wired = overview?.ethernet.connected;
  const online = !!wifi || !!wired;
  const networks = scan?.networks ?? [];
  if (gate.pad) return <section className="wizard-step">{gate.pad}</section>;
  return (
    <section className="wizard-step setup-network" aria-labelledby="setup-network-title">
      <h1 id="setup-network-title">Connect to a network</h1>
      <p data-testid="setup-network-now">
        {wifi
          ? `Connected to the Wi-Fi network “${wifi.ssid}”.`
          : wired
            ? 'Connected by cable.'
            : 'Not connected yet. Choose a Wi-Fi network, or skip and connect later.'}
      </p>
      <ul className="setup-networks" aria-label="Wi-Fi networks in reach">
        {networks.map((network) => (
          <li key={network.ssidHex}>
            <Button
              className="setup-network-row"
              aria-expanded={open === network.ssidHex}
              aria-disabled={network.connected || undefined}
              onClick={() => !network.connected && setOpen(open === network.ssidHex ? undefined : network.ssidHex)}
              data-testid={`setup-wifi-${network.ssid}`}
            >
              <SignalBars bars={network.bars} />
              <span className="setup-network-name">{network.ssid}</span>
              <span className="setup-choice-note">{network.connected ? 'Connected' : securityWords(network.security)}</span>
            </Button>
            {open === network.ssidHex && (
              <ConnectForm
                network={network}
                hasSavedPassword={network.saved}
                joining={joining}
                problem={problem}
                onJoin={join}
                onCancel={() => setOpen(undefined)}
              />
            )}
          </li>
        ))}
        {networks.length === 0 && <li>{scanning ? 'Looking for networks…' : 'No Wi-Fi network in reach.'}</li>}
      </ul>
      <div className="actions">
        <Button onClick={() => void readScan(true)} aria-disabled={scanning || undefined}>
          {scanning ? 'Scanning…' : 'Scan again'}
        </Button>
        <Button onClick={onSkip} autoFocus={!online}>
          Skip for now
        </Button>
        <Button
          variant="primary"
          aria-disabled={!online || undefined}
          onClick={() => online && onNext(wifi?.ssid ?? null)}
          autoFocus={online}
          data-testid="setup-network-continue"
        >
          Continue
        </Button>
      </div>
    </section>
  );
}
