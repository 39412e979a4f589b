import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { UpdateOffer, UpdateStatus } from '../../../src/api/contract.js';
import { Button } from '../design/Button.js';
import { useFocusWhenLost } from '../design/focus.js';
import { formatAge, formatBytes, formatDateTime, formatDuration, formatMegabytes } from '../design/format.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { ProgressBar } from '../design/ProgressBar.js';
import { useBootStore } from '../boot/bootStore.js';
import { StateIcon } from './StateIcon.js';
import { updateProblemWords } from './updateProblemWords.js';
import { useAction, type Problem } from './useAction.js';

const WAITING: Record<'network' | 'unmetered-network' | 'retry', string> = {
  network: 'Waiting for network: the download goes on when the headset is online again.',
  'unmetered-network': 'Waiting for an unmetered network: downloading over metered connections is off in Download settings.',
  retry: 'The update server did not answer: retrying…',
};

/** The update as it stands, with the one or two actions that make sense now. */
export function UpdateStateCard({ status }: { status: UpdateStatus }) {
  const { busy, error, run } = useAction();
  const { state } = status;
  const otherSlot = status.current.slot === 'A' ? 'B' : 'A';
  const canCheck = state.status === 'idle' || state.status === 'up-to-date' || state.status === 'available' || state.status === 'failed';
  const check = () => void run('check', (client) => client.call('update.check'));
  let title: string;
  let body: ReactNode = null;
  let primary: ReactNode = null;

  switch (state.status) {
    case 'unconfigured':
      title = 'This headset has no update server configured';
      body = <p className="muted">Updates appear here once the headset follows an update server.</p>;
      break;
    case 'idle':
      title = 'Updates';
      body = <p>Check whether a newer system is available for this headset.</p>;
      primary = <PrimaryButton onClick={check} disabled={!!busy} label="Check for updates" />;
      break;
    case 'checking':
      if (state.waitingFor === 'network') {
        // Offline: a check now would find nothing; the headset checks once it is online.
        title = 'Will check when online';
        body = (
          <p className="download-line waiting" role="status" data-testid="check-waiting">
            The headset is offline. It checks for updates by itself as soon as it is online again.
          </p>
        );
      } else {
        title = 'Checking for updates…';
        body = <div className="progress indeterminate" role="progressbar" aria-label="Checking for updates" />;
      }
      break;
    case 'up-to-date':
      title = 'The system is up to date';
      body = <p>System {status.current.version} is the newest for this headset.</p>;
      primary = <PrimaryButton onClick={check} disabled={!!busy} label="Check for updates" />;
      break;
    case 'available':
      title = `Version ${state.offer.version} is available`;
      body = <OfferFacts offer={state.offer} slot={otherSlot} />;
      primary = <PrimaryButton onClick={() => void run('download', (client) => client.call('update.download'))} disabled={!!busy} label="Download" />;
      break;
    case 'downloading':
      title = `Downloading ${state.offer.version}`;
      body = <DownloadProgress bytes={state.bytes} total={state.total} paused={state.paused} waitingFor={state.waitingFor} />;
      primary = state.paused ? (
        <PrimaryButton key="resume" onClick={() => void run('resume', (client) => client.call('update.resume'))} disabled={!!busy} label="Resume" />
      ) : (
        <PrimaryButton
          key="pause"
          variant="default"
          onClick={() => void run('pause', (client) => client.call('update.pause'))}
          disabled={!!busy}
          label="Pause"
        />
      );
      break;
    case 'downloaded':
      title = `${state.offer.version} is downloaded and verified`;
      body = <p>Installing writes it into slot {otherSlot} while you keep using the headset; the running system is not touched.</p>;
      primary = <PrimaryButton onClick={() => void run('install', (client) => client.call('update.install'))} disabled={!!busy} label="Install" />;
      break;
    case 'installing':
      title = `Installing ${state.offer.version}`;
      body = (
        <>
          <ProgressBar
            label="Installed"
            testId="install-progress"
            value={state.bytes}
            max={state.total}
            detail={`${formatMegabytes(state.bytes)} of ${formatMegabytes(state.total)} written`}
          />
          <p className="muted">The running system is not touched. A power cut resumes the install at the next start.</p>
        </>
      );
      break;
    case 'ready-to-reboot':
      title = `${state.version} is installed`;
      body = <RestartNote version={state.version} current={status.current.version} />;
      primary = <RestartButton />;
      break;
    case 'failed': {
      const words = updateProblemWords(state.error);
      title = words.title;
      body = (
        <div className="update-problem" role="alert" data-testid="update-failure">
          <p>{words.text}</p>
          <ProblemDetails code={state.error.code} message={state.error.message} />
        </div>
      );
      break;
    }
  }

  return (
    <section className="panel update-card" aria-label="Update" data-testid="update-state" data-status={state.status}>
      <div className="update-card-head">
        <StateIcon status={state.status} />
        <h1 className="update-title">{title}</h1>
      </div>
      {body}
      {(primary || canCheck) && (
        <div className="actions">
          {primary}
          {canCheck && state.status !== 'idle' && state.status !== 'up-to-date' && (
            <CheckButton
              onClick={check}
              disabled={!!busy}
              label={state.status === 'failed' ? 'Check again' : 'Check for updates'}
              primary={state.status === 'failed'}
            />
          )}
        </div>
      )}
      {error && !(state.status === 'failed' && state.error.code === error.code) && <ProblemText problem={error} role="alert" testId="update-error" />}
      {state.status !== 'unconfigured' && <LastCheck at={status.lastCheck} afterFailure={state.status === 'failed'} />}
    </section>
  );
}

function PrimaryButton({
  label,
  onClick,
  disabled,
  variant = 'primary',
}: {
  label: string;
  onClick: () => void;
  disabled: boolean;
  variant?: 'primary' | 'default';
}) {
  const ref = useFocusWhenLost<HTMLButtonElement>(!disabled);
  return (
    <Button ref={ref} variant={variant} onClick={onClick} disabled={disabled}>
      {label}
    </Button>
  );
}

function CheckButton({ label, onClick, disabled, primary }: { label: string; onClick: () => void; disabled: boolean; primary: boolean }) {
  // After a failure "Check again" is the way on: it takes the focus the failed action left.
  const ref = useFocusWhenLost<HTMLButtonElement>(primary && !disabled);
  return (
    <Button ref={primary ? ref : undefined} variant={primary ? 'primary' : 'default'} onClick={onClick} disabled={disabled}>
      {label}
    </Button>
  );
}

function OfferFacts({ offer, slot }: { offer: UpdateOffer; slot: string }) {
  return (
    <>
      <dl className="facts offer-facts">
        <dt>Download</dt>
        <dd data-testid="offer-size">{formatMegabytes(offer.downloadBytes)}</dd>
        <dt>Kind</dt>
        <dd data-testid="offer-kind">
          {offer.kind === 'delta' ? (
            <>
              <span className="badge ok">Delta</span> only the changes from this system
            </>
          ) : (
            <>
              <span className="badge accent">Full</span> a complete system image
            </>
          )}
        </dd>
        <dt>Installs into</dt>
        <dd>
          slot {slot} ({formatMegabytes(offer.installBytes)})
        </dd>
      </dl>
      {offer.notes.trim() && (
        <div className="notes" data-testid="offer-notes">
          <h2>What is new</h2>
          <p>{offer.notes}</p>
        </div>
      )}
    </>
  );
}

/** Download progress weighted by bytes, with the speed and time left measured from the updates. */
function DownloadProgress({
  bytes,
  total,
  paused,
  waitingFor,
}: {
  bytes: number;
  total: number;
  paused: boolean;
  waitingFor: 'network' | 'unmetered-network' | 'retry' | null;
}) {
  const rate = useRate(bytes, !paused && waitingFor === null);
  const line = paused
    ? 'Paused: the download goes on from here when you resume it.'
    : waitingFor
      ? WAITING[waitingFor]
      : rate
        ? `${formatBytes(rate)}/s · about ${formatDuration((total - bytes) / rate)} left`
        : 'Starting…';
  return (
    <>
      <ProgressBar
        label="Downloaded"
        testId="download-progress"
        value={bytes}
        max={total}
        detail={`${formatMegabytes(bytes)} of ${formatMegabytes(total)}`}
      />
      <p className={`download-line ${waitingFor || paused ? 'waiting' : 'muted'}`} data-testid="download-line" role="status">
        {line}
      </p>
    </>
  );
}

/** Bytes per second over the last few seconds of progress; undefined until it can be told. */
function useRate(bytes: number, moving: boolean): number | undefined {
  const samples = useRef<{ at: number; bytes: number }[]>([]);
  const [rate, setRate] = useState<number>();
  useEffect(() => {
    if (!moving) {
      samples.current = [];
      setRate(undefined);
      return;
    }
    const now = performance.now();
    const list = samples.current;
    if (list.length && bytes < list[list.length - 1]!.bytes) list.length = 0;
    list.push({ at: now, bytes });
    while (list.length > 2 && now - list[0]!.at > 4000) list.shift();
    const first = list[0]!;
    const seconds = (now - first.at) / 1000;
    setRate(seconds >= 0.5 && bytes > first.bytes ? (bytes - first.bytes) / seconds : undefined);
  }, [bytes, moving]);
  return rate;
}

function RestartNote({ version, current }: { version: string; current: string }) {
  return (
    <p>
      Restart to start {version}. If it does not start properly, the headset goes back to {current} by itself.
    </p>
  );
}

function RestartButton() {
  const { busy, error, run } = useAction();
  const bootId = useBootStore((s) => s.status?.bootId);
  const [restartingFrom, setRestartingFrom] = useState<string>();
  const restarting = restartingFrom !== undefined && restartingFrom === bootId;
  const ref = useFocusWhenLost<HTMLButtonElement>(!busy && !restarting);
  const restart = async () => {
    setRestartingFrom(bootId);
    if (!(await run('restart', (client) => client.call('update.restart')))) setRestartingFrom(undefined);
  };
  return (
    <div className="restart">
      <Button ref={ref} variant="primary" onClick={() => void restart()} disabled={!!busy || restarting}>
        {restarting ? 'Restarting…' : 'Restart now'}
      </Button>
      {restarting && <div className="progress indeterminate" role="progressbar" aria-label="Restarting" />}
      {error && <ProblemText problem={error} role="alert" />}
    </div>
  );
}

/** What went wrong with an action, as the service said it; its code only under "Details". */
export function ProblemText({ problem, role, testId }: { problem: Problem; role?: 'alert'; testId?: string }) {
  return (
    <div className="error" role={role} data-testid={testId}>
      <p>{problem.message}</p>
      <ProblemDetails code={problem.code} />
    </div>
  );
}

/** When the headset last heard from the update server; after a failed check, that was before it. */
function LastCheck({ at, afterFailure }: { at: string | null; afterFailure: boolean }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(timer);
  }, []);
  return (
    <p className="muted last-check" data-testid="last-check">
      {at ? (
        <>
          {afterFailure ? 'Last successful check' : 'Last checked'} {formatAge(at, now)} · {formatDateTime(at)}
        </>
      ) : afterFailure ? (
        'No successful check yet'
      ) : (
        'Not checked yet'
      )}
    </p>
  );
}
