import { useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { ConfigurationReport } from '../../../src/api/contract/reset.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { lockProblem } from '../lock/lockProblem.js';
import { useLockStore } from '../lock/lockStore.js';
import { PinPad } from '../lock/PinPad.js';

/**
 * Settings back to their defaults without erasing the wearer's data (reset.configure): update
 * preferences, dismissed notices, privacy choices and network settings; the PIN and the accounts
 * kept or removed as chosen; calibration proven unchanged. The headset restarts after it.
 */
export function ConfigurationResetPanel({ pinRequired }: { pinRequired: boolean }) {
  const client = useClient();
  const lock = useLockStore((s) => s.status);
  const [keepPin, setKeepPin] = useState(true);
  const [keepAccounts, setKeepAccounts] = useState(true);
  const [step, setStep] = useState<'choose' | 'confirm' | 'pin'>('choose');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [report, setReport] = useState<ConfigurationReport>();

  const run = async (pin?: string) => {
    setBusy(true);
    setError(undefined);
    try {
      if (pin !== undefined && lock && !lock.unlocked) useLockStore.getState().setStatus(await client.call('lock.unlock', { pin }));
      setReport(await client.call('reset.configure', { confirm: true, pin, keepPin, keepAccounts }));
    } catch (e) {
      setError(e instanceof ApiError && e.code.startsWith('LOCK_') ? lockProblem(e) : e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  if (report)
    return (
      <div data-testid="config-reset-report" aria-live="polite">
        <p>Settings are back to their defaults. The headset is restarting.</p>
        <ul>
          {report.restored.map((r) => (
            <li key={r.id}>{r.title}: default</li>
          ))}
          <li>PIN: {report.pin}</li>
          <li>Accounts: {report.accounts}</li>
          <li>Network settings: {networkLine(report.network)}</li>
          <li>Calibration: {report.calibration.unchanged ? 'unchanged (checked)' : 'CHANGED: contact support'}</li>
        </ul>
      </div>
    );
  if (step === 'pin')
    return (
      <PinPad
        title="Enter your PIN to reset the settings"
        submitLabel={busy ? 'Resetting…' : 'Reset settings'}
        onSubmit={(pin) => void run(pin)}
        onCancel={() => setStep('choose')}
        cancelLabel="Keep my settings"
        blocked={busy}
        error={error}
      />
    );
  return (
    <div data-testid="config-reset">
      <p className="backup-hint">
        Puts update preferences, dismissed notices, privacy choices and network settings back to how they came: saved Wi-Fi networks are forgotten,
        except support networks. Your apps and their data stay; calibration is never touched.
      </p>
      <div className="backup-choices">
        <Button aria-pressed={keepPin} onClick={() => setKeepPin(!keepPin)} data-testid="config-keep-pin">
          {keepPin ? 'Keep the PIN: yes' : 'Keep the PIN: no, remove it'}
        </Button>
        <Button aria-pressed={keepAccounts} onClick={() => setKeepAccounts(!keepAccounts)} data-testid="config-keep-accounts">
          {keepAccounts ? 'Keep profile and accounts: yes' : 'Keep profile and accounts: no, erase them'}
        </Button>
      </div>
      {step === 'choose' ? (
        <div className="actions">
          <Button variant="danger" onClick={() => setStep('confirm')} data-testid="config-reset-start">
            Reset settings…
          </Button>
        </div>
      ) : (
        <div className="reset-confirm" role="alertdialog" aria-labelledby="config-reset-question">
          <p id="config-reset-question">
            <strong>Reset the settings now?</strong> The headset restarts.{pinRequired ? ' Your PIN is asked next.' : ''}
          </p>
          <div className="actions">
            <Button variant="danger" autoFocus aria-disabled={busy || undefined} onClick={() => !busy && (pinRequired ? setStep('pin') : void run())}>
              {busy ? 'Resetting…' : 'Yes, reset settings'}
            </Button>
            <Button onClick={() => setStep('choose')}>Keep my settings</Button>
          </div>
        </div>
      )}
      {error && (
        <p role="alert" className="reset-problem">
          {error}
        </p>
      )}
    </div>
  );
}

/** The network's line of the report, in plain words. */
function networkLine(network: ConfigurationReport['network']): string {
  if (network.result === 'not-available') return 'not reset on this headset';
  if (network.result === 'failed') return `could not be reset (${network.code}); run the reset again`;
  const saved = `${network.forgotten} saved ${network.forgotten === 1 ? 'network' : 'networks'} forgotten`;
  return network.kept === 0 ? saved : `${saved}, ${network.kept} support ${network.kept === 1 ? 'network' : 'networks'} kept`;
}
