import { useEffect, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { FoundBackup } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { useBackupStore } from '../backup/backupStore.js';
import { ABSENT_WORDS, PLACE_WORDS, phaseWords } from '../backup/backupWords.js';
import { Button } from '../design/Button.js';
import { formatBytes, formatDateTime } from '../design/format.js';
import { ProgressBar } from '../design/ProgressBar.js';
import { ThreeKeyEntry } from '../design/ThreeKeyEntry.js';
import { useUnlockGate } from '../network/useUnlockGate.js';

type Place = 'usb' | 'cloud';

/**
 * The kiosk's "Restore from a backup", with three keys: the place (USB stick or cloud), the
 * passphrase on the three-key wheel (the PIN first when one is set), the backups there, what to put
 * back, a question, then the restore with its progress. The passphrase lives in this component's
 * state only, from the wheel to the restore call, and is dropped after it or on Back. Each view's
 * menu is keyed by the view: its buttons mount anew, so the one marked autoFocus takes the focus.
 *
 *   place --Enter--> passphrase --Open--> backups --Enter--> classes --Restore--> asking --Yes--> restoring --> restored | failed
 *     ^ Back          | Cancel              | Back             | Back               | Cancel
 */
type View =
  | { at: 'place' }
  | { at: 'passphrase'; place: Place }
  | { at: 'backups'; place: Place; found: FoundBackup[] }
  | { at: 'classes'; place: Place; found: FoundBackup[]; backup: FoundBackup }
  | { at: 'asking'; place: Place; found: FoundBackup[]; backup: FoundBackup }
  | { at: 'restoring'; place: Place }
  | { at: 'restored'; words: string };

export function RecoveryRestore({ onBack }: { onBack(): void }) {
  const client = useClient();
  const overview = useBackupStore((s) => s.overview);
  const gate = useUnlockGate('Restoring a backup needs the PIN.', { threeKeys: true });
  const [view, setView] = useState<View>({ at: 'place' });
  const [passphrase, setPassphrase] = useState<string>();
  const [classes, setClasses] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    client.call('backup.status').then(
      (o) => useBackupStore.getState().setOverview(o),
      () => undefined,
    );
  }, [client]);

  const titleOf = (id: string) => overview?.classes.find((c) => c.id === id)?.title ?? id;
  const leave = () => {
    setPassphrase(undefined);
    onBack();
  };

  const open = (place: Place, words: string) => {
    setProblem(undefined);
    setBusy(true);
    void gate.run(
      async () => {
        try {
          const found = await client.call('backup.browse', { destination: place, passphrase: words });
          setPassphrase(words);
          setView({ at: 'backups', place, found });
        } finally {
          setBusy(false);
        }
      },
      (e) => {
        setBusy(false);
        setProblem(problemWords(e));
      },
    );
  };

  const restore = (place: Place, found: FoundBackup[], backup: FoundBackup) => {
    if (passphrase === undefined) return;
    const words = passphrase;
    const chosen = [...classes];
    setProblem(undefined);
    setView({ at: 'restoring', place });
    void gate.run(
      async () => {
        const done = await client.call('backup.restore', { destination: place, backupId: backup.id, classes: chosen, passphrase: words });
        // The passphrase's work is done.
        setPassphrase(undefined);
        setView({ at: 'restored', words: `Restored ${done.classes.map(titleOf).join(', ')} (${formatBytes(done.bytes)}).` });
      },
      (e) => {
        setProblem(problemWords(e));
        setView({ at: 'classes', place, found, backup });
      },
    );
  };

  if (gate.pad) return <div className="recovery-entry">{gate.pad}</div>;

  if (view.at === 'passphrase')
    return (
      <div className="recovery-entry">
        <ThreeKeyEntry
          label={`Passphrase of the backups on the ${PLACE_WORDS[view.place].toLowerCase()}`}
          hint="The one the backup was made with. The headset does not keep it."
          alphabet="text"
          secret
          maxLength={1024}
          doneLabel="Open the backups"
          onDone={(words) => open(view.place, words)}
          onCancel={() => {
            setProblem(undefined);
            setView({ at: 'place' });
          }}
          busy={busy}
          error={problem}
          testId="recovery-passphrase"
        />
      </div>
    );

  if (view.at === 'restoring' || view.at === 'restored') {
    const activity = overview?.activity;
    const running = activity && activity.state === 'restoring' ? activity : undefined;
    const counted = running && running.bytesTotal > 0 && running.phase === 'restoring';
    return (
      <>
        <p className="recovery-confirm" role="status" data-testid="recovery-restore-state">
          {view.at === 'restored' ? view.words : 'Restoring… Keep the headset on.'}
        </p>
        {view.at === 'restoring' &&
          (running ? (
            <ProgressBar
              testId="recovery-restore-progress"
              label={phaseWords(running)}
              value={counted ? running.bytesDone : running.fraction}
              max={counted ? running.bytesTotal : 1}
              detail={counted ? `${formatBytes(running.bytesDone)} of ${formatBytes(running.bytesTotal)}` : PLACE_WORDS[running.destination]}
            />
          ) : (
            <div className="progress indeterminate" role="progressbar" aria-label="Restoring" data-testid="recovery-restore-progress" />
          ))}
        <div key={view.at} className="recovery-actions" role="menu" aria-label="Restore from a backup">
          <Button
            role="menuitem"
            aria-disabled={view.at === 'restoring' || undefined}
            onClick={() => view.at === 'restored' && leave()}
            autoFocus
            data-testid="recovery-restore-back"
          >
            Back
            <span className="action-hint">
              {view.at === 'restored' ? 'To the other recovery actions: Restart starts the headset with it' : 'After the restore'}
            </span>
          </Button>
        </div>
      </>
    );
  }

  if (view.at === 'asking')
    return (
      <>
        <p className="recovery-confirm" id="restore-question" data-testid="recovery-restore-question">
          Put back {[...classes].map(titleOf).join(', ')} from the backup of {formatDateTime(view.backup.time)}? What the headset holds of them now is
          replaced.
        </p>
        <div key={view.at} className="recovery-actions" role="menu" aria-label="Restore from a backup" aria-describedby="restore-question">
          <Button role="menuitem" variant="danger" onClick={() => restore(view.place, view.found, view.backup)} data-testid="recovery-restore-yes">
            Yes, restore
            <span className="action-hint">A few minutes; keep the headset on</span>
          </Button>
          <Button role="menuitem" onClick={() => setView({ ...view, at: 'classes' })} autoFocus data-testid="recovery-restore-cancel">
            Cancel
            <span className="action-hint">Nothing is changed</span>
          </Button>
        </div>
      </>
    );

  if (view.at === 'classes')
    return (
      <>
        <p className="recovery-confirm" id="restore-classes">
          What to put back from {formatDateTime(view.backup.time)}
        </p>
        <div key={view.at} className="recovery-actions" role="menu" aria-label="What to put back" aria-describedby="restore-classes">
          {view.backup.classes.map((id, index) => (
            <Button
              role="menuitemcheckbox"
              key={id}
              aria-checked={classes.has(id)}
              onClick={() => {
                const next = new Set(classes);
                if (next.has(id)) next.delete(id);
                else next.add(id);
                setClasses(next);
              }}
              autoFocus={!problem && index === 0}
              data-testid={`recovery-restore-class-${id}`}
            >
              {classes.has(id) ? `✓ ${titleOf(id)}` : titleOf(id)}
              <span className="action-hint">{classes.has(id) ? 'Put back (Enter leaves it out)' : 'Left out (Enter puts it back)'}</span>
            </Button>
          ))}
          <Button
            role="menuitem"
            variant="primary"
            aria-disabled={classes.size === 0 || undefined}
            onClick={() => classes.size > 0 && setView({ ...view, at: 'asking' })}
            autoFocus={!!problem}
            data-testid="recovery-restore-run"
          >
            Restore these
            <span className={`action-hint${problem ? ' error' : ''}`}>{problem ?? (classes.size === 0 ? 'Choose at least one' : 'Asks first')}</span>
          </Button>
          <Button role="menuitem" onClick={leave} data-testid="recovery-restore-leave">
            Back
            <span className="action-hint">To the other recovery actions</span>
          </Button>
        </div>
      </>
    );

  if (view.at === 'backups')
    return (
      <>
        <p className="recovery-confirm" id="restore-backups">
          {view.found.length === 0 ? `No backups on the ${PLACE_WORDS[view.place].toLowerCase()}.` : 'Which backup?'}
        </p>
        <div key={view.at} className="recovery-actions" role="menu" aria-label="Backups" aria-describedby="restore-backups">
          {view.found.map((b, index) => (
            <Button
              role="menuitem"
              key={b.id}
              aria-disabled={!!b.refused || undefined}
              onClick={() => {
                if (b.refused) return;
                setClasses(new Set(b.classes));
                setView({ at: 'classes', place: view.place, found: view.found, backup: b });
              }}
              autoFocus={index === 0}
              data-testid={`recovery-backup-${b.id}`}
            >
              {formatDateTime(b.time)}
              <span className="action-hint">{b.refused ? `Cannot be restored here (${b.refused})` : `${b.classes.length} kinds of data`}</span>
            </Button>
          ))}
          <Button role="menuitem" onClick={leave} autoFocus={view.found.length === 0} data-testid="recovery-restore-leave">
            Back
            <span className="action-hint">To the other recovery actions</span>
          </Button>
        </div>
      </>
    );

  return (
    <>
      <p className="recovery-confirm" id="restore-place">
        Restore from a backup: where is it?
      </p>
      <div key={view.at} className="recovery-actions" role="menu" aria-label="Restore from a backup" aria-describedby="restore-place">
        {(['usb', 'cloud'] as const).map((place, index) => {
          const present = overview?.destinations.find((d) => d.kind === place)?.present ?? false;
          return (
            <Button
              role="menuitem"
              key={place}
              aria-disabled={!present || undefined}
              onClick={() => present && setView({ at: 'passphrase', place })}
              autoFocus={index === 0}
              data-testid={`recovery-restore-${place}`}
            >
              {place === 'usb' ? 'From the USB stick' : 'From the cloud'}
              <span className="action-hint">{present ? 'Then its passphrase' : ABSENT_WORDS[place]}</span>
            </Button>
          );
        })}
        <Button role="menuitem" onClick={leave} data-testid="recovery-restore-leave">
          Back
          <span className="action-hint">To the other recovery actions</span>
        </Button>
      </div>
    </>
  );
}

function problemWords(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'BACKUP_WRONG_PASSPHRASE') return 'That passphrase does not open the backups there. Check it and try again.';
    if (error.code === 'BACKUP_DESTINATION_MISSING' || error.code === 'BACKUP_DESTINATION_GONE')
      return 'The place is not there any more. Plug it in again.';
    if (error.code === 'BACKUP_DESTINATION_UNREACHABLE') return 'The cloud could not be reached. Connect to a network first.';
    if (error.code === 'BACKUP_NO_REPOSITORY') return 'There are no backups there.';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
