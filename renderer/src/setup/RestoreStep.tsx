import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { FoundBackup } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { useBackupStore } from '../backup/backupStore.js';
import { ABSENT_WORDS, PLACE_WORDS, phaseWords } from '../backup/backupWords.js';
import { PassphraseField } from '../backup/PassphraseField.js';
import { Button } from '../design/Button.js';
import { formatBytes, formatDateTime } from '../design/format.js';
import { ProgressBar } from '../design/ProgressBar.js';
import { useUnlockGate } from '../network/useUnlockGate.js';
import '../backup/backup.css';

type Place = 'usb' | 'cloud';
export interface RestoreChoice {
  restorePlace?: Place | null;
  restoreBackupId?: string | null;
  restoreClasses?: string[] | null;
}

function problemWords(error: unknown): string {
  if (error instanceof ApiError)
    return error.code === 'BACKUP_WRONG_PASSPHRASE' ? 'That passphrase does not open the backups there. Check it and try again.' : error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Restore from a backup (the USB stick or the cloud): the passphrase opens the place and lists its
 * backups; one is chosen, then what to put back, then the restore runs with its progress. Or start
 * fresh. The place, the backup and the classes are journaled; the passphrase stays in this step's
 * state only until the restore is sent, and is typed again after a restart.
 */
export function RestoreStep({
  chosen,
  onChoose,
  onNext,
  onSkip,
}: {
  chosen: RestoreChoice;
  onChoose(choice: RestoreChoice): void;
  onNext(): void;
  onSkip(): void;
}) {
  const client = useClient();
  const overview = useBackupStore((s) => s.overview);
  const gate = useUnlockGate('Restoring a backup needs the PIN.');
  const [place, setPlace] = useState<Place | null>(chosen.restorePlace ?? null);
  const [passphrase, setPassphrase] = useState('');
  const [found, setFound] = useState<FoundBackup[]>();
  const [backupId, setBackupId] = useState<string | null>(chosen.restoreBackupId ?? null);
  const [classes, setClasses] = useState<Set<string>>(new Set(chosen.restoreClasses ?? []));
  const [busy, setBusy] = useState<'browse' | 'restore'>();
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<string>();
  const list = useRef<HTMLDivElement>(null);
  // The backups just listed take the focus from the passphrase field (whose arrows are its own).
  useEffect(() => {
    if (found) list.current?.querySelector<HTMLElement>('[aria-checked="true"], [role="radio"]')?.focus();
  }, [found]);

  useEffect(() => {
    client.call('backup.status').then(
      (o) => useBackupStore.getState().setOverview(o),
      () => undefined,
    );
  }, [client]);

  const titleOf = (id: string) => overview?.classes.find((c) => c.id === id)?.title ?? id;
  const backup = found?.find((b) => b.id === backupId);

  const browse = () => {
    if (!place || passphrase.length === 0 || busy) return;
    setError(undefined);
    void gate.run(
      async () => {
        setBusy('browse');
        try {
          const list = await client.call('backup.browse', { destination: place, passphrase });
          setFound(list);
          // The one journaled before a restart, if it is still there; else the newest this headset may restore.
          const keep = list.find((b) => b.id === backupId && !b.refused) ?? list.find((b) => !b.refused);
          if (keep) pick(keep, keep.id === backupId && classes.size > 0 ? [...classes].filter((c) => keep.classes.includes(c)) : keep.classes);
        } finally {
          setBusy(undefined);
        }
      },
      (e) => setError(problemWords(e)),
    );
  };

  const pick = (b: FoundBackup, take: string[]) => {
    setBackupId(b.id);
    setClasses(new Set(take));
    onChoose({ restorePlace: place, restoreBackupId: b.id, restoreClasses: take });
  };

  const toggle = (id: string) => {
    const next = new Set(classes);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setClasses(next);
    onChoose({ restoreClasses: [...next] });
  };

  const restore = () => {
    if (!place || !backup || classes.size === 0 || busy) return;
    setError(undefined);
    void gate.run(
      async () => {
        setBusy('restore');
        const words = passphrase;
        try {
          const done = await client.call('backup.restore', { destination: place, backupId: backup.id, classes: [...classes], passphrase: words });
          // The passphrase's work is done: it leaves the field.
          setPassphrase('');
          setResult(`Restored ${done.classes.map(titleOf).join(', ')} (${formatBytes(done.bytes)}).`);
        } finally {
          setBusy(undefined);
        }
      },
      (e) => setError(problemWords(e)),
    );
  };

  if (gate.pad) return <section className="wizard-step">{gate.pad}</section>;
  const activity = overview?.activity;
  const restoring = activity && activity.state === 'restoring' ? activity : undefined;
  const counted = restoring && restoring.bytesTotal > 0 && restoring.phase === 'restoring';
  return (
    <section className="wizard-step setup-restore" aria-labelledby="setup-restore-title">
      <h1 id="setup-restore-title">Restore from a backup</h1>
      <p>
        Had a headset before? Put your data back from a backup on a USB stick or in the cloud. Or start fresh: you can restore later in Settings,
        Backup &amp; reset.
      </p>
      {result ? (
        <p role="status" data-testid="setup-restore-result">
          {result}
        </p>
      ) : (
        <>
          <div className="setup-choices" role="radiogroup" aria-label="From">
            {(['usb', 'cloud'] as const).map((kind) => {
              const present = overview?.destinations.find((d) => d.kind === kind)?.present ?? false;
              return (
                <Button
                  key={kind}
                  role="radio"
                  aria-checked={place === kind}
                  aria-disabled={!present || undefined}
                  className="setup-choice"
                  onClick={() => {
                    if (!present) return;
                    setPlace(kind);
                    setFound(undefined);
                    onChoose({ restorePlace: kind });
                  }}
                  data-testid={`setup-restore-${kind}`}
                >
                  <span className="setup-choice-title">{PLACE_WORDS[kind]}</span>
                  {!present && <span className="setup-choice-note">{ABSENT_WORDS[kind]}</span>}
                </Button>
              );
            })}
          </div>
          {place && (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                browse();
              }}
            >
              <PassphraseField
                value={passphrase}
                onChange={setPassphrase}
                hint="The passphrase the backup was made with. The headset does not keep it."
              />
              <div className="actions">
                <Button type="submit" aria-disabled={passphrase.length === 0 || !!busy || undefined} data-testid="setup-restore-browse">
                  {busy === 'browse' ? 'Opening…' : found ? 'Look again' : 'Show the backups'}
                </Button>
              </div>
            </form>
          )}
          {found && found.length === 0 && <p>No backups there.</p>}
          {found && found.length > 0 && (
            <div className="setup-choices" role="radiogroup" aria-label="Backups" data-testid="setup-backups" ref={list}>
              {found.map((b) => (
                <Button
                  key={b.id}
                  role="radio"
                  aria-checked={backupId === b.id}
                  aria-disabled={!!b.refused || undefined}
                  className="setup-choice"
                  onClick={() => !b.refused && pick(b, b.classes)}
                >
                  <span className="setup-choice-title">{formatDateTime(b.time)}</span>
                  <span className="setup-choice-note">
                    {b.refused ? `Cannot be restored here (${b.refused})` : `${b.classes.length} kinds of data, from ${b.madeBy}`}
                  </span>
                </Button>
              ))}
            </div>
          )}
          {backup && (
            <fieldset className="backup-choices">
              <legend>What to put back</legend>
              {backup.classes.map((id) => (
                <Button key={id} className="backup-choice" aria-pressed={classes.has(id)} onClick={() => toggle(id)}>
                  {titleOf(id)}
                </Button>
              ))}
            </fieldset>
          )}
          {restoring && (
            <ProgressBar
              testId="setup-restore-progress"
              label={phaseWords(restoring)}
              value={counted ? restoring.bytesDone : restoring.fraction}
              max={counted ? restoring.bytesTotal : 1}
              detail={counted ? `${formatBytes(restoring.bytesDone)} of ${formatBytes(restoring.bytesTotal)}` : PLACE_WORDS[restoring.destination]}
            />
          )}
        </>
      )}
      {error && (
        <p role="alert" className="error" data-testid="setup-restore-error">
          {error}
        </p>
      )}
      <div className="actions">
        {!result && (
          <Button onClick={onSkip} autoFocus={!place}>
            Start fresh
          </Button>
        )}
        {!result && backup && (
          <Button variant="primary" aria-disabled={classes.size === 0 || !!busy || undefined} onClick={restore} data-testid="setup-restore-run">
            {busy === 'restore' ? 'Restoring…' : 'Restore'}
          </Button>
        )}
        {result && (
          <Button variant="primary" onClick={onNext} autoFocus data-testid="setup-restore-continue">
            Continue
          </Button>
        )}
      </div>
    </section>
  );
}
