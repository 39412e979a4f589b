import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { Session, SessionSummary, Track, TracksStatus } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { Panel } from '../design/Panel.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { LapChart } from './LapChart.js';
import { lapTime } from './lapTime.js';
import { TrackOutline } from './TrackOutline.js';
import { useTracksStore } from './tracksStore.js';
import './tracks.css';

/**
 * Sessions: what the GPS is timing now, the sessions kept on the headset, and one session's laps
 * (a chart with the best lap), its best sectors and its track's outline. Sessions start by
 * themselves when the wearer drives on a circuit; nothing here shows where on Earth that was.
 */
export function SessionsScreen() {
  const client = useClient();
  const status = useTracksStore((s) => s.status);
  const [sessions, setSessions] = useState<SessionSummary[]>();
  const [tracks, setTracks] = useState<Track[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [problem, setProblem] = useState<{ code?: string; message: string }>();
  // Read again when a session starts or ends, or a lap is completed.
  const version = `${status?.sessions}:${status?.tracks}:${status?.session?.laps}:${status?.session?.id}`;
  useEffect(() => {
    let stale = false;
    Promise.all([client.call('tracks.sessions', {}), client.call('tracks.list')]).then(
      ([s, t]) => {
        if (stale) return;
        setSessions(s);
        setTracks(t);
      },
      (e: unknown) => !stale && setProblem({ code: e instanceof ApiError ? e.code : undefined, message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      stale = true;
    };
  }, [client, version]);

  if (open) return <SessionView id={open} tracks={tracks} version={version} onBack={() => setOpen(null)} />;
  return (
    <div className="sessions">
      <Panel title="Now" className="sessions-now">
        <NowLine status={status} />
      </Panel>
      <Panel title="Sessions" className="sessions-list">
        {problem && (
          <div role="alert">
            <p>The sessions could not be read.</p>
            <ProblemDetails code={problem.code} message={problem.message} />
          </div>
        )}
        {!sessions && !problem && <p className="muted">Reading the sessions…</p>}
        {sessions?.length === 0 && <p className="muted">No sessions yet. Drive a lap of a circuit and it appears here.</p>}
        {sessions && sessions.length > 0 && (
          <ul className="session-entries" data-testid="session-list">
            {sessions.map((s) => (
              <li key={s.id}>
                <button type="button" className="session-entry" onClick={() => setOpen(s.id)} data-testid="session-entry">
                  <span className="session-track">{s.trackName ?? 'Circuit not known yet'}</span>
                  <span className="session-when">{when(s)}</span>
                  <span className="session-facts">
                    {s.laps === 1 ? '1 lap' : `${s.laps} laps`}
                    {s.bestLapMs !== null && (
                      <>
                        {' · best '}
                        <span className="mono">{lapTime(s.bestLapMs)}</span>
                      </>
                    )}
                    {s.live && <span className="badge ok">Now</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}

function NowLine({ status }: { status: TracksStatus | undefined }) {
  if (!status || status.recording === 'idle' || !status.session)
    return <p data-testid="sessions-now">Not on a circuit. A session starts by itself when you drive.</p>;
  if (status.recording === 'learning') return <p data-testid="sessions-now">Driving: finish one lap and the circuit is recognised.</p>;
  return (
    <p data-testid="sessions-now">
      On <strong>{status.session.trackName}</strong>: {status.session.laps === 1 ? '1 lap' : `${status.session.laps} laps`}
      {status.lastLapMs !== null && (
        <>
          , last lap <span className="mono">{lapTime(status.lastLapMs)}</span>
        </>
      )}
      {status.session.bestLapMs !== null && (
        <>
          , best <span className="mono">{lapTime(status.session.bestLapMs)}</span>
        </>
      )}
      .
    </p>
  );
}

function SessionView({ id, tracks, version, onBack }: { id: string; tracks: readonly Track[]; version: string; onBack: () => void }) {
  const client = useClient();
  const [session, setSession] = useState<Session>();
  const [problem, setProblem] = useState<{ code?: string; message: string }>();
  const back = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    let stale = false;
    client.call('tracks.session', { id }).then(
      (s) => !stale && setSession(s),
      (e: unknown) => !stale && setProblem({ code: e instanceof ApiError ? e.code : undefined, message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      stale = true;
    };
  }, [client, id, version]);
  // Escape closes the session first (before the settings' own Escape goes Home).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || (event.target as HTMLElement | null)?.matches('input, textarea, select')) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      onBack();
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [onBack]);
  useEffect(() => back.current?.focus(), []);

  const track = tracks.find((t) => t.id === session?.trackId);
  const best = session?.lapList.find((l) => l.number === session.bestLapNumber);
  return (
    <div className="sessions">
      <div className="session-head">
        <Button ref={back} onClick={onBack} data-testid="session-back">
          ‹ All sessions
        </Button>
        <h1 data-testid="session-track">{session?.trackName ?? (session ? 'Circuit not known yet' : 'Session')}</h1>
      </div>
      {problem && (
        <div role="alert">
          <p>{problem.code === 'TRACK_SESSION_NOT_FOUND' ? 'This session is no longer on the headset.' : 'The session could not be read.'}</p>
          <ProblemDetails code={problem.code} message={problem.message} />
        </div>
      )}
      {!session && !problem && <p className="muted">Reading the session…</p>}
      {session && (
        <>
          <Panel title="Best lap" className="session-best">
            <div className="session-best-row">
              <div>
                <p className="session-best-time mono" data-testid="session-best">
                  {best ? lapTime(best.timeMs) : '—'}
                </p>
                <p className="muted">
                  {best ? `Lap ${best.number} of ${session.laps}` : 'No lap counted yet'} · {when(session)}
                </p>
                {session.bestSectorsMs && (
                  <p data-testid="session-sectors">
                    Best sectors:{' '}
                    {session.bestSectorsMs.map((ms, i) => (
                      <span key={i} className="mono sector">
                        {lapTime(ms)}
                      </span>
                    ))}
                    {session.theoreticalBestMs !== null && (
                      <>
                        {' '}
                        = <span className="mono">{lapTime(session.theoreticalBestMs)}</span> possible
                      </>
                    )}
                  </p>
                )}
              </div>
              {track && <TrackOutline outline={track.outline} label={`Outline of ${track.name}, ${(track.lengthM / 1000).toFixed(1)} km`} />}
            </div>
          </Panel>
          <Panel title="Laps" className="session-laps">
            {session.lapList.length === 0 ? (
              <p className="muted">No lap completed yet.</p>
            ) : (
              <LapChart laps={session.lapList} bestLapNumber={session.bestLapNumber} />
            )}
          </Panel>
        </>
      )}
    </div>
  );
}

function when(s: { startedAt: string; endedAt: string | null; live: boolean }): string {
  const start = new Date(s.startedAt);
  const day = start.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
  const time = start.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (s.live || !s.endedAt) return `${day}, from ${time}`;
  const minutes = Math.max(1, Math.round((Date.parse(s.endedAt) - start.getTime()) / 60_000));
  return `${day}, ${time}, ${minutes} min`;
}
