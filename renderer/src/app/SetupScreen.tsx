import { useCallback, useEffect, useRef, useState } from 'react';
import type { SetupEntered, SetupStep } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { useKeyboardNavigation } from '../design/useKeyboardNavigation.js';
import { useDeviceStore } from '../system/deviceStore.js';
import { useSystemVersion } from '../system/useSystemVersion.js';
import { SetupPrivacyStep } from '../privacy/SetupPrivacyStep.js';
import { SetupLicenseStep } from '../license/SetupLicenseStep.js';
import { SupportBanner } from '../support/SupportBanner.js';
import { AlertBanner } from '../alerts/AlertBanner.js';
import { AccountStep } from '../setup/AccountStep.js';
import { DoneStep } from '../setup/DoneStep.js';
import { LanguageStep } from '../setup/LanguageStep.js';
import { NetworkStep } from '../setup/NetworkStep.js';
import { RestoreStep } from '../setup/RestoreStep.js';
import { StepIndicator } from '../setup/StepIndicator.js';
import { UpdateStep } from '../setup/UpdateStep.js';
import { stepAfter, stepBefore } from '../setup/setupSteps.js';
import { useSetupStore } from '../setup/setupStore.js';
import '../setup/setup.css';

/**
 * The first-run wizard (and the one after a factory reset): language and formats, network, the
 * wearer, restore or start fresh, privacy, a licence from the USB stick, an update check, done. The step and what was entered
 * are journaled on the headset (setup.save) before the wizard moves, so a restart comes back to the
 * same step with the same values; secrets go only to their own calls.
 */
export function SetupScreen() {
  const client = useClient();
  const progress = useSetupStore((s) => s.progress);
  const identity = useDeviceStore((s) => s.identity);
  const system = useSystemVersion();
  const [error, setError] = useState<string>();
  const scope = useRef<HTMLElement>(null);

  useEffect(() => {
    client.call('setup.progress').then(
      (p) => useSetupStore.setState((s) => (s.progress ? s : { progress: p })),
      () => undefined,
    );
  }, [client]);

  const save = useCallback(
    async (step: SetupStep, change: { outcome?: 'done' | 'skipped'; entered?: Partial<SetupEntered> } = {}) => {
      const from = useSetupStore.getState().progress?.step;
      setError(undefined);
      try {
        const next = await client.call('setup.save', {
          step,
          outcome: change.outcome && from ? { step: from, result: change.outcome } : undefined,
          entered: change.entered,
        });
        useSetupStore.setState({ progress: next });
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
        throw e;
      }
    },
    [client],
  );
  const step = progress?.step;
  const go = useCallback(
    (outcome: 'done' | 'skipped', entered?: Partial<SetupEntered>) => step && void save(stepAfter(step), { outcome, entered }).catch(() => undefined),
    [save, step],
  );
  const back = useCallback(() => {
    const before = step && stepBefore(step);
    if (before) void save(before).catch(() => undefined);
  }, [save, step]);
  const remember = useCallback((entered: Partial<SetupEntered>) => step && void save(step, { entered }).catch(() => undefined), [save, step]);
  useKeyboardNavigation(scope, back);

  if (!progress) {
    return (
      <main className="wizard" ref={scope} data-mode="setup">
        <p role="status">Loading setup…</p>
      </main>
    );
  }
  const entered = progress.entered;
  return (
    <main className="wizard" ref={scope} data-mode="setup" data-step={progress.step}>
      {/* Inside the screen's keyboard scope: the arrows reach its Stop button. */}
      <SupportBanner />
      <AlertBanner />
      <StepIndicator progress={progress} />
      {error && (
        <p role="alert" className="error">
          The headset could not save this step: {error}
        </p>
      )}
      {progress.step === 'language' ? (
        <LanguageStep
          key="language"
          chosen={entered.locale}
          facts={
            <dl className="facts setup-facts">
              <dt>Device ID</dt>
              <dd className="mono" data-testid="device-id">
                {identity?.deviceId}
              </dd>
              <dt>Software</dt>
              <dd data-testid="setup-system">{system ? `System ${system}` : ''}</dd>
            </dl>
          }
          onNext={(locale) => go('done', { locale })}
          onSkip={() => go('skipped', { locale: null })}
        />
      ) : progress.step === 'network' ? (
        <NetworkStep key="network" onNext={(ssid) => go('done', { networkSsid: ssid })} onSkip={() => go('skipped')} />
      ) : progress.step === 'account' ? (
        <AccountStep
          key="account"
          name={entered.wearerName}
          onName={(wearerName) => save('account', { entered: { wearerName } })}
          onNext={() => go('done')}
          onSkip={() => go('skipped')}
          onBack={back}
        />
      ) : progress.step === 'restore' ? (
        <RestoreStep key="restore" chosen={entered} onChoose={remember} onNext={() => go('done')} onSkip={() => go('skipped')} />
      ) : progress.step === 'privacy' ? (
        <SetupPrivacyStep key="privacy" onBack={back} onDone={() => go('done')} />
      ) : progress.step === 'license' ? (
        <SetupLicenseStep key="license" onBack={back} onNext={() => go('done')} onSkip={() => go('skipped')} />
      ) : progress.step === 'update' ? (
        <UpdateStep key="update" onBack={back} onNext={() => go('done')} onSkip={() => go('skipped')} />
      ) : (
        <DoneStep key="done" progress={progress} onBack={back} />
      )}
    </main>
  );
}
