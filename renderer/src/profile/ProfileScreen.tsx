import { useEffect, useId, useState } from 'react';
import { SETUP_LOCALES, type SetupLocale, type WearerProfile } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { Panel } from '../design/Panel.js';
import { leaveWithUpDown } from '../network/PasswordField.js';
import { REGION, localeSample } from '../setup/LanguageStep.js';
import { useProfileStore } from './profileStore.js';
import './profile.css';

/**
 * Settings, You: the name the headset calls the wearer by and the formats of dates, times and
 * numbers, first set (or skipped) in the setup wizard. A format applies at once on every screen;
 * the name is saved with Save (or Enter in its field). The PIN is in Settings, Lock.
 */
export function ProfileScreen() {
  const client = useClient();
  const profile = useProfileStore((s) => s.profile);
  const id = useId();
  const [typed, setTyped] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    client.call('profile.get').then(
      (p) => useProfileStore.setState({ profile: p }),
      () => undefined,
    );
  }, [client]);

  const save = async (change: Partial<WearerProfile>, words: (next: WearerProfile) => string) => {
    setBusy(true);
    setError(undefined);
    setSaid(undefined);
    try {
      const next = await client.call('profile.set', change);
      useProfileStore.setState({ profile: next });
      setTyped(undefined);
      setSaid(words(next));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (!profile) return <Panel title="You">Loading…</Panel>;
  const name = typed ?? profile.wearerName ?? '';
  const chosen: SetupLocale | null = profile.locale;
  const saveName = () =>
    !busy &&
    void save({ wearerName: name.trim() === '' ? null : name.trim() }, (next) =>
      next.wearerName ? `Saved: the headset calls you ${next.wearerName}.` : 'Saved: no name.',
    );
  return (
    <div className="profile">
      <Panel title="Your name">
        <form
          className="profile-name"
          onSubmit={(event) => {
            event.preventDefault();
            saveName();
          }}
        >
          <label htmlFor={`${id}-name`}>What should the headset call you? Leave it empty for no name.</label>
          <input
            id={`${id}-name`}
            className="profile-input"
            type="text"
            maxLength={64}
            autoComplete="off"
            spellCheck={false}
            value={name}
            onChange={(event) => setTyped(event.target.value)}
            // Up and Down leave the field, as in every form of the panel.
            onKeyDown={leaveWithUpDown}
            data-testid="profile-name"
          />
          <Button type="submit" variant="primary" aria-disabled={busy || typed === undefined || undefined} data-testid="profile-name-save">
            Save the name
          </Button>
        </form>
      </Panel>
      <Panel title="Formats">
        <p className="muted">English for now. How dates, times and numbers are written on every screen:</p>
        <div className="profile-locales" role="radiogroup" aria-label="Formats">
          {SETUP_LOCALES.map((option) => (
            <Button
              key={option}
              role="radio"
              aria-checked={chosen === option}
              className="profile-choice"
              onClick={() =>
                !busy && chosen !== option && void save({ locale: option }, () => `Dates and numbers are now written as in ${REGION[option]}.`)
              }
              data-testid={`profile-locale-${option}`}
            >
              <span className="profile-choice-title">{REGION[option]}</span>
              <span className="profile-choice-note">{localeSample(option).date}</span>
              <span className="profile-choice-note">{localeSample(option).number}</span>
            </Button>
          ))}
          <Button
            role="radio"
            aria-checked={chosen === null}
            className="profile-choice"
            onClick={() => !busy && chosen !== null && void save({ locale: null }, () => 'Dates and numbers follow the system again.')}
            data-testid="profile-locale-system"
          >
            <span className="profile-choice-title">The system's</span>
            <span className="profile-choice-note">As the headset's system writes them</span>
          </Button>
        </div>
      </Panel>
      {said && (
        <p role="status" className="profile-said" data-testid="profile-said">
          {said}
        </p>
      )}
      {error && (
        <p role="alert" className="error" data-testid="profile-error">
          {error}
        </p>
      )}
    </div>
  );
}
