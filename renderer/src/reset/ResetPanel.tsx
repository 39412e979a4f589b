import { useEffect, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { ResetPlan, ResetState } from '../../../src/api/contract/reset.js';
import type { SignedSanitizationRecord } from '../../../src/reset/sanitizationRecord.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { Panel } from '../design/Panel.js';
import { ProgressBar } from '../design/ProgressBar.js';
import { lockProblem } from '../lock/lockProblem.js';
import { useLockStore } from '../lock/lockStore.js';
import { PinPad } from '../lock/PinPad.js';
import { ThreeKeyEntry } from '../design/ThreeKeyEntry.js';
import { PIN_MAX_DIGITS, PIN_MIN_DIGITS } from '../../../src/lock/pinRules.js';
import { PHASE_COUNT, SCOPE_ORDER, SCOPE_WORDS, phaseWords, scopeName, type WearerScope } from './resetWords.js';
import { ConfigurationResetPanel } from './ConfigurationResetPanel.js';
import { HardwareResetPanel } from './HardwareResetPanel.js';
import { SanitizationRecordList } from './SanitizationRecordList.js';
import './reset.css';

/**
 * The reset part of "Backup & reset" (and of the recovery kiosk): what to erase, what goes and what
 * stays in plain words (reset.plan), why erasing is destroying keys (NIST SP 800-88, folded), an
 * explicit confirmation then the PIN when one is set, the progress pushed by reset.changed, and the
 * last sanitization records. The headset restarts at the end (into the setup wizard after a factory
 * reset): the connection drops and the app follows the mode it comes back in.
 */
export function ResetPanel({ threeKeys = false }: { threeKeys?: boolean } = {}) {
  const client = useClient();
  const [state, setState] = useState<ResetState>();
  const [records, setRecords] = useState<SignedSanitizationRecord[]>([]);
  const lock = useLockStore((s) => s.status);

  useEffect(() => {
    client.call('reset.status').then(setState, () => undefined);
    client.call('reset.records').then(setRecords, () => undefined);
    return client.subscribe('reset.changed', setState);
  }, [client]);

  return (
    <Panel title="Reset" className="reset">
      {state?.status === 'wiping' ? (
        <ResetProgress state={state} />
      ) : (
        <ResetChooser failed={state?.status === 'failed' ? state : undefined} threeKeys={threeKeys} />
      )}
      {state?.status !== 'wiping' && (
        <details className="reset-details" data-testid="config-reset-details">
          <summary>Reset only the settings</summary>
          <ConfigurationResetPanel pinRequired={lock?.pin !== 'none'} />
        </details>
      )}
      {state?.status !== 'wiping' && (
        <details className="reset-details" data-testid="hardware-reset-details">
          <summary>Reset and check the hardware</summary>
          <HardwareResetPanel />
        </details>
      )}
      <h3 className="reset-subhead">Last resets</h3>
      <SanitizationRecordList records={records} />
    </Panel>
  );
}

function ResetProgress({ state }: { state: Extract<ResetState, { status: 'wiping' }> }) {
  const { words, step } = phaseWords(state.phase);
  return (
    <div data-testid="reset-progress" aria-live="polite">
      <ProgressBar label={`Erasing: ${scopeName(state.scope)}`} value={step} max={PHASE_COUNT} detail={`Step ${step} of ${PHASE_COUNT}: ${words}`} />
      <p className="backup-hint">
        {state.scope === 'everything'
          ? 'Do not turn the headset off. It restarts by itself and opens the setup wizard. If the power goes, it finishes the reset when it starts again.'
          : 'Do not turn the headset off. It restarts by itself when done. If the power goes, it finishes the reset when it starts again.'}
      </p>
    </div>
  );
}

type Step = 'choose' | 'confirm' | 'pin';

function ResetChooser({ failed, threeKeys }: { failed?: Extract<ResetState, { status: 'failed' }>; threeKeys: boolean }) {
  const client = useClient();
  const lock = useLockStore((s) => s.status);
  const [scope, setScope] = useState<WearerScope>();
  const [plan, setPlan] = useState<ResetPlan>();
  const [passes, setPasses] = useState(1);
  const [step, setStep] = useState<Step>('choose');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    setPlan(undefined);
    setStep('choose');
    setError(undefined);
    if (!scope) return;
    let live = true;
    client.call('reset.plan', { scope }).then(
      (p) => live && setPlan(p),
      (e: unknown) => live && setError(problemWords(e)),
    );
    return () => {
      live = false;
    };
  }, [client, scope]);

  const wipe = async (pin?: string) => {
    if (!scope) return;
    setBusy(true);
    setError(undefined);
    try {
      // A locked connection may not call reset.wipe at all: the same PIN unlocks it first.
      if (pin !== undefined && lock && !lock.unlocked) useLockStore.getState().setStatus(await client.call('lock.unlock', { pin }));
      await client.call('reset.wipe', { scope, confirm: true, pin, overwritePasses: passes });
      // reset.changed now carries the progress; this part of the screen gives way to it.
    } catch (e) {
      setError(e instanceof ApiError && e.code.startsWith('LOCK_') ? lockProblem(e) : problemWords(e));
      setBusy(false);
    }
  };

  // The recovery kiosk has three keys only (Up, Down, Enter): the PIN on the digits' wheel, not the pad.
  if (step === 'pin' && plan && threeKeys)
    return (
      <ThreeKeyEntry
        label="Enter your PIN to erase"
        hint={`${SCOPE_WORDS[plan.scope as WearerScope].name}: this cannot be undone.`}
        alphabet="digits"
        secret
        minLength={PIN_MIN_DIGITS}
        maxLength={PIN_MAX_DIGITS}
        doneLabel="Erase"
        onDone={(pin) => void wipe(pin)}
        onCancel={() => setStep('choose')}
        busy={busy}
        error={error}
        testId="reset-pin"
      />
    );
  if (step === 'pin' && plan)
    return (
      <PinPad
        title="Enter your PIN to erase"
        hint={`${SCOPE_WORDS[plan.scope as WearerScope].name}: this cannot be undone.`}
        submitLabel={busy ? 'Erasing…' : 'Erase'}
        onSubmit={(pin) => void wipe(pin)}
        onCancel={() => setStep('choose')}
        cancelLabel="Keep my data"
        blocked={busy}
        error={error}
      />
    );

  return (
    <div data-testid="reset-chooser">
      {failed && (
        <p role="alert" className="reset-problem">
          The last reset ({scopeName(failed.scope)}) stopped: {failed.message}. It goes on by itself when the headset starts again.
        </p>
      )}
      <fieldset className="backup-choices">
        <legend>What to erase</legend>
        {SCOPE_ORDER.map((id) => (
          <Button key={id} className="backup-choice" aria-pressed={scope === id} onClick={() => setScope(id)} data-testid={`reset-scope-${id}`}>
            {SCOPE_WORDS[id].name}
            <span className="backup-choice-note">{SCOPE_WORDS[id].about}</span>
          </Button>
        ))}
      </fieldset>
      {plan && <PlanWords plan={plan} />}
      <details className="reset-details">
        <summary>How the headset erases (NIST SP 800-88)</summary>
        <p>
          Your data is stored encrypted, one key per kind of data. Erasing destroys the key first: without it the stored bytes cannot be read,
          wherever the flash memory keeps them. NIST SP 800-88 names this cryptographic erase as the way to sanitize flash. Overwriting files is done
          once for what is not encrypted; more passes only mean something on a disk that overwrites in place, and only wear flash out.
        </p>
        <Button aria-pressed={passes === 3} onClick={() => setPasses(passes === 3 ? 1 : 3)} data-testid="reset-passes">
          {passes === 3 ? 'Overwrite unencrypted files 3 times: on' : 'Overwrite unencrypted files 3 times: off'}
        </Button>
      </details>
      {plan && step === 'choose' && (
        <div className="actions">
          <Button variant="danger" onClick={() => setStep('confirm')} data-testid="reset-start">
            {plan.scope === 'everything' ? 'Factory reset…' : `Erase ${SCOPE_WORDS[plan.scope as WearerScope].name.toLowerCase()}…`}
          </Button>
        </div>
      )}
      {plan && step === 'confirm' && (
        <div className="reset-confirm" role="alertdialog" aria-labelledby="reset-confirm-question" data-testid="reset-confirm">
          <p id="reset-confirm-question">
            <strong>Erase {SCOPE_WORDS[plan.scope as WearerScope].name.toLowerCase()} now? This cannot be undone.</strong>{' '}
            {plan.setupAfter ? 'The headset restarts into the setup wizard.' : 'The headset restarts when done.'}
            {plan.pinRequired ? ' Your PIN is asked next.' : ''}
          </p>
          <div className="actions">
            <Button
              variant="danger"
              autoFocus
              aria-disabled={busy || undefined}
              onClick={() => !busy && (plan.pinRequired ? setStep('pin') : void wipe())}
              data-testid="reset-confirm-yes"
            >
              {busy ? 'Erasing…' : 'Yes, erase'}
            </Button>
            <Button onClick={() => setStep('choose')}>Keep my data</Button>
          </div>
        </div>
      )}
      {error && step !== 'pin' && (
        <p role="alert" className="reset-problem">
          {error}
        </p>
      )}
    </div>
  );
}

/** What goes and what stays, from reset.plan; calibration and the device identity are always said to stay. */
function PlanWords({ plan }: { plan: ResetPlan }) {
  return (
    <div className="reset-plan" data-testid="reset-plan">
      <div>
        <h3 className="reset-subhead">Erased</h3>
        <ul>
          {plan.erases.map((c) => (
            <li key={c.id} title={c.holds}>
              {c.title}
            </li>
          ))}
        </ul>
      </div>
      <div>
        <h3 className="reset-subhead">Kept</h3>
        <ul>
          {plan.keeps
            .filter((c) => c.id !== 'reset-records')
            .map((c) => (
              <li key={c.id} title={c.holds}>
                {c.title}
                {c.id === 'calibration' ? ': it belongs to the hardware' : c.id === 'identity' ? ': the fleet server still knows this headset' : ''}
              </li>
            ))}
        </ul>
      </div>
    </div>
  );
}

function problemWords(error: unknown): string {
  if (error instanceof ApiError) return error.code === 'FORBIDDEN' ? 'The headset is locked: enter the PIN first.' : error.message;
  return error instanceof Error ? error.message : String(error);
}
