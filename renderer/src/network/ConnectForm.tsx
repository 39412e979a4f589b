import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { JOINABLE_SECURITIES, type WifiNetwork } from '../../../src/api/contract.js';
import { Button } from '../design/Button.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { leaveWithUpDown, PasswordField } from './PasswordField.js';
import { networkProblemWords, securityWords } from './networkWords.js';

export type JoinableSecurity = (typeof JOINABLE_SECURITIES)[number];

export interface JoinRequest {
  ssid: string;
  password?: string;
  hidden: boolean;
  security?: JoinableSecurity;
}

export interface JoinProblem {
  code?: string;
  message?: string;
}

interface ConnectFormProps {
  /** The scanned network to join; absent: a hidden network (name and security typed). */
  network?: WifiNetwork;
  /** A saved network of this name keeps its password: leaving the field empty uses it. */
  hasSavedPassword?: boolean;
  joining: boolean;
  problem?: JoinProblem;
  onJoin(request: JoinRequest): void;
  onCancel(): void;
}

/**
 * Joining a network: the password (masked, Show to check it) for a scanned one, or the name,
 * security and password of a hidden one. The password leaves the field as Join is pressed.
 */
export function ConnectForm({ network, hasSavedPassword, joining, problem, onJoin, onCancel }: ConnectFormProps) {
  const id = useId();
  const password = useRef<HTMLInputElement>(null);
  const ssid = useRef<HTMLInputElement>(null);
  const [security, setSecurity] = useState<JoinableSecurity>('wpa2-personal');
  const result = useRef<HTMLDivElement>(null);
  // What went wrong is read where it is: in sight, not below the fold of a panel a metre away.
  useEffect(() => {
    if (problem) result.current?.scrollIntoView({ block: 'center' });
  }, [problem]);
  const hidden = !network;
  const needsPassword = hidden ? security !== 'open' : network.security !== 'open';
  const title = hidden ? 'Join a hidden network' : `Join “${network.ssid}”`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (joining) return;
    const typed = password.current?.value ?? '';
    // The secret leaves the page's fields now: the call carries it, nothing keeps it.
    if (password.current) password.current.value = '';
    const name = hidden ? (ssid.current?.value ?? '') : network.ssid;
    onJoin({
      ssid: name,
      password: needsPassword && typed !== '' ? typed : undefined,
      hidden,
      security: hidden ? security : undefined,
    });
  };

  return (
    <form className="network-form" aria-label={title} onSubmit={submit} data-testid="connect-form">
      <h3>{title}</h3>
      {hidden && (
        <>
          <div className="network-field">
            <label htmlFor={`${id}-ssid`}>Network name</label>
            <input
              id={`${id}-ssid`}
              ref={ssid}
              className="network-input"
              type="text"
              autoComplete="off"
              spellCheck={false}
              autoFocus
              onKeyDown={leaveWithUpDown}
            />
          </div>
          <fieldset className="network-securities">
            <legend>Security</legend>
            {JOINABLE_SECURITIES.map((s) => (
              <Button key={s} className="network-security" aria-pressed={security === s} onClick={() => setSecurity(s)}>
                {securityWords(s)}
              </Button>
            ))}
          </fieldset>
        </>
      )}
      {!hidden && !needsPassword && <p>An open network: others nearby can see what the headset sends that is not encrypted by the app.</p>}
      {needsPassword && (
        <PasswordField
          id={`${id}-password`}
          inputRef={password}
          autoFocus={!hidden}
          hint={hasSavedPassword ? 'A password is saved for this network. Leave this empty to use it, or type a new one.' : undefined}
        />
      )}
      {joining && (
        <p role="status" className="network-progress" data-testid="join-progress">
          <span className="network-spinner" aria-hidden="true" /> Joining… this takes a few seconds.
        </p>
      )}
      {problem && !joining && (
        <div role="alert" className="network-problem" data-testid="join-problem" ref={result}>
          <p className="error">{networkProblemWords(problem.code)}</p>
          <ProblemDetails code={problem.code} message={problem.message} />
        </div>
      )}
      <div className="actions">
        <Button type="submit" variant="primary" aria-disabled={joining || undefined} autoFocus={!hidden && !needsPassword}>
          {joining ? 'Joining…' : 'Join'}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
