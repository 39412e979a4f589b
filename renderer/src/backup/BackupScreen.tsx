import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { BackupDestinationKind, BackupOverview } from '../../../src/api/contract.js';
import { MIN_PASSPHRASE_LENGTH } from '../../../src/backup/backupSelection.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { formatBytes, formatDateTime } from '../design/format.js';
import { Panel } from '../design/Panel.js';
import { ProgressBar } from '../design/ProgressBar.js';
import { lockProblem } from '../lock/lockProblem.js';
import { useLockStore } from '../lock/lockStore.js';
import { PinPad } from '../lock/PinPad.js';
import { useBackupStore } from './backupStore.js';
import { ABSENT_WORDS, PLACE_WORDS, phaseWords, verifiedWords } from './backupWords.js';
import { PassphraseField } from './PassphraseField.js';
import { ResetPanel } from '../reset/ResetPanel.js';
import './backup.css';

type Task = 'backup' | 'restore';

/**
 * Settings, Backup & reset: the backups (when, size, where, checked), Back up now (where, what, the
 * passphrase, progress) and Restore (from where, what, the passphrase, progress). Both need the PIN
 * when one is set. The reset part of this screen is the reset capability's (ResetPanel, below).
 */
export function BackupScreen() {
  const client = useClient();
  const overview = useBackupStore((s) => s.overview);
  const lock = useLockStore((s) => s.status);
  const [pending, setPending] = useState<Task>();

  useEffect(() => {
    client.call('backup.status').then(
      (o) => useBackupStore.getState().setOverview(o),
      () => undefined,
    );
    client.call('lock.status').then(
      (s) => useLockStore.getState().setStatus(s),
      () => undefined,
    );
  }, [client]);

  if (!overview) return <Panel title="Backup & reset">Loading…</Panel>;
  return (
    <div className="backup">
      <h1>Backup &amp; reset</h1>
      <BackupList overview={overview} />
      <BackUpNow overview={overview} locked={!!lock && !lock.unlocked} pending={pending} setPending={setPending} />
      <RestoreFromBackup overview={overview} locked={!!lock && !lock.unlocked} pending={pending} setPending={setPending} />
      <ResetPanel />
    </div>
  );
}

function BackupList({ overview }: { overview: BackupOverview }) {
  return (
    <Panel title="Your backups">
      {overview.backups.length === 0 ? (
        <p data-testid="backup-none">No backups yet.</p>
      ) : (
        <table className="backup-table" data-testid="backup-list">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Size</th>
              <th scope="col">Where</th>
              <th scope="col">Checked</th>
            </tr>
          </thead>
          <tbody>
            {overview.backups.map((record) => (
              <tr
                key={`${record.destination}-${record.id}`}
                className={record.verified && record.verified.result !== 'ok' ? 'backup-bad' : undefined}
              >
                <td>{formatDateTime(record.time)}</td>
                <td className="backup-size">{formatBytes(record.bytes)}</td>
                <td>{PLACE_WORDS[record.destination]}</td>
                <td>{verifiedWords(record)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="backup-hint">
        Every backup is read back and some files are test-restored right after it is made, and checked in full every {overview.verifyEveryDays} days.
      </p>
    </Panel>
  );
}

interface TaskProps {
  overview: BackupOverview;
  locked: boolean;
  pending: Task | undefined;
  setPending(task: Task | undefined): void;
}

/** The places to choose from: those not there are shown, disabled, with what would make them there. */
function PlacePicker({
  overview,
  place,
  setPlace,
  legend,
}: {
  overview: BackupOverview;
  place: BackupDestinationKind | undefined;
  setPlace(place: BackupDestinationKind): void;
  legend: string;
}) {
  return (
    <fieldset className="backup-choices">
      <legend>{legend}</legend>
      {overview.destinations.map((destination) => (
        <Button
          key={destination.kind}
          className="backup-choice"
          aria-pressed={place === destination.kind}
          aria-disabled={!destination.present || undefined}
          onClick={() => destination.present && setPlace(destination.kind)}
        >
          {PLACE_WORDS[destination.kind]}
          {!destination.present && <span className="backup-choice-note">{ABSENT_WORDS[destination.kind]}</span>}
        </Button>
      ))}
    </fieldset>
  );
}

function ClassPicker({
  classes,
  chosen,
  setChosen,
  legend,
}: {
  classes: BackupOverview['classes'];
  chosen: ReadonlySet<string>;
  setChosen(chosen: Set<string>): void;
  legend: string;
}) {
  return (
    <fieldset className="backup-choices">
      <legend>{legend}</legend>
      {classes.map((entry) => (
        <Button
          key={entry.id}
          className="backup-choice"
          aria-pressed={chosen.has(entry.id)}
          onClick={() => {
            const next = new Set(chosen);
            if (next.has(entry.id)) next.delete(entry.id);
            else next.add(entry.id);
            setChosen(next);
          }}
        >
          {entry.title}
        </Button>
      ))}
    </fieldset>
  );
}

function firstPresent(overview: BackupOverview): BackupDestinationKind | undefined {
  return overview.destinations.find((d) => d.present)?.kind;
}

function Progress({ overview, state }: { overview: BackupOverview; state: 'backing-up' | 'restoring' }) {
  const activity = overview.activity;
  if (activity.state === 'idle') return null;
  // A check asked for alone shows under Back up now too: it is about the backups, not a restore.
  if ((state === 'restoring') !== (activity.state === 'restoring')) return null;
  const counted = activity.bytesTotal > 0 && (activity.phase === 'copying' || activity.phase === 'restoring');
  return (
    <ProgressBar
      testId={`${state}-progress`}
      label={phaseWords(activity)}
      value={counted ? activity.bytesDone : activity.fraction}
      max={counted ? activity.bytesTotal : 1}
      detail={counted ? `${formatBytes(activity.bytesDone)} of ${formatBytes(activity.bytesTotal)}` : `${PLACE_WORDS[activity.destination]}`}
    />
  );
}

/** Runs a task after the PIN when the headset is locked; the PIN pad replaces the panel meanwhile. */
function useUnlockFirst(locked: boolean) {
  const client = useClient();
  const [asking, setAsking] = useState<() => void>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = (task: () => void) => (locked ? setAsking(() => task) : task());
  const pad = asking ? (
    <PinPad
      title="Enter your PIN"
      hint="Backups and restores need the PIN."
      submitLabel={busy ? 'Checking…' : 'Unlock'}
      onSubmit={(pin) => {
        setBusy(true);
        client.call('lock.unlock', { pin }).then(
          (status) => {
            useLockStore.getState().setStatus(status);
            setBusy(false);
            setAsking(undefined);
            setError(undefined);
            asking();
          },
          (e: unknown) => {
            setBusy(false);
            setError(lockProblem(e));
          },
        );
      }}
      onCancel={() => setAsking(undefined)}
      blocked={busy}
      error={error}
    />
  ) : undefined;
  return { run, pad };
}

function problemWords(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'FORBIDDEN') return 'The headset is locked: enter the PIN first.';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

function BackUpNow({ overview, locked, pending, setPending }: TaskProps) {
  const client = useClient();
  const [place, setPlace] = useState<BackupDestinationKind>();
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(overview.classes.filter((c) => c.backedUpByDefault).map((c) => c.id)));
  const [passphrase, setPassphrase] = useState('');
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<string>();
  const { run, pad } = useUnlockFirst(locked);
  const target = place && overview.destinations.find((d) => d.kind === place)?.present ? place : firstPresent(overview);
  const running = pending === 'backup';

  const backUp = async () => {
    if (!target || running) return;
    setPending('backup');
    setError(undefined);
    setResult(undefined);
    const words = passphrase;
    // Held only for the call: the field is cleared as it goes.
    setPassphrase('');
    try {
      const record = await client.call('backup.run', { destination: target, classes: [...chosen], passphrase: words });
      setResult(`Backed up ${formatBytes(record.bytes)} to ${PLACE_WORDS[record.destination]}, and checked.`);
    } catch (e) {
      setError(problemWords(e));
    } finally {
      setPending(undefined);
    }
  };
  const tooShort = [...passphrase].length < MIN_PASSPHRASE_LENGTH;
  if (pad) return <div className="lock-task">{pad}</div>;
  return (
    <Panel title="Back up now" className="backup-task">
      <PlacePicker overview={overview} place={target} setPlace={setPlace} legend="Where to" />
      <ClassPicker classes={overview.classes} chosen={chosen} setChosen={setChosen} legend="What to back up" />
      <PassphraseField
        value={passphrase}
        onChange={setPassphrase}
        newOne
        hint={`At least ${MIN_PASSPHRASE_LENGTH} characters. Write it down: without it nobody, not even support, can open the backup. The headset does not keep it.`}
      />
      <Progress overview={overview} state="backing-up" />
      {result && (
        <p role="status" data-testid="backup-result">
          {result}
        </p>
      )}
      {error && (
        <p role="alert" className="error" data-testid="backup-error">
          {error}
        </p>
      )}
      <div className="actions">
        <Button
          variant="primary"
          aria-disabled={running || !!pending || !target || chosen.size === 0 || tooShort || undefined}
          onClick={() => !running && !pending && target && chosen.size > 0 && !tooShort && run(() => void backUp())}
        >
          {running ? 'Backing up…' : locked ? 'Back up now (needs PIN)' : 'Back up now'}
        </Button>
      </div>
    </Panel>
  );
}

function RestoreFromBackup({ overview, locked, pending, setPending }: TaskProps) {
  const client = useClient();
  const [place, setPlace] = useState<BackupDestinationKind>();
  const [passphrase, setPassphrase] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<string>();
  const { run, pad } = useUnlockFirst(locked);
  const target = place && overview.destinations.find((d) => d.kind === place)?.present ? place : firstPresent(overview);
  // The newest backup this headset knows at that place says what can be restored; none known: the default classes.
  const latest = useMemo(() => overview.backups.find((b) => b.destination === target), [overview.backups, target]);
  const restorable = overview.classes.filter((c) => (latest ? latest.classes.includes(c.id) : c.backedUpByDefault));
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const running = pending === 'restore';
  const titles = overview.classes.filter((c) => chosen.has(c.id)).map((c) => c.title);

  const restore = async () => {
    if (!target || running) return;
    setPending('restore');
    setConfirming(false);
    setError(undefined);
    setResult(undefined);
    const words = passphrase;
    setPassphrase('');
    try {
      const done = await client.call('backup.restore', { destination: target, classes: [...chosen], passphrase: words });
      const names = overview.classes.filter((c) => done.classes.includes(c.id)).map((c) => c.title);
      setResult(`Restored ${names.join(', ')} (${formatBytes(done.bytes)}).`);
    } catch (e) {
      setError(problemWords(e));
    } finally {
      setPending(undefined);
    }
  };
  if (pad) return <div className="lock-task">{pad}</div>;
  const ready = !!target && chosen.size > 0 && passphrase.length > 0 && !pending;
  return (
    <Panel title="Restore from a backup" className="backup-task">
      <PlacePicker overview={overview} place={target} setPlace={setPlace} legend="From" />
      <ClassPicker classes={restorable} chosen={chosen} setChosen={setChosen} legend="What to restore" />
      <p className="backup-hint">{latest ? `From the newest backup there, made ${formatDateTime(latest.time)}.` : 'From the newest backup there.'}</p>
      <PassphraseField value={passphrase} onChange={setPassphrase} hint="The passphrase the backup was made with." />
      <Progress overview={overview} state="restoring" />
      {result && (
        <p role="status" data-testid="restore-result">
          {result}
        </p>
      )}
      {error && (
        <p role="alert" className="error" data-testid="restore-error">
          {error}
        </p>
      )}
      {confirming ? (
        <div className="backup-confirm" role="group" aria-label="Confirm the restore">
          <p>What is on the headset now for {titles.join(', ')} will be replaced by the backup’s copy.</p>
          <div className="actions">
            <Button variant="danger" autoFocus onClick={() => run(() => void restore())}>
              Replace with the backup
            </Button>
            <Button onClick={() => setConfirming(false)}>Cancel</Button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <Button aria-disabled={!ready || undefined} onClick={() => ready && setConfirming(true)}>
            {running ? 'Restoring…' : locked ? 'Restore (needs PIN)' : 'Restore'}
          </Button>
        </div>
      )}
    </Panel>
  );
}
