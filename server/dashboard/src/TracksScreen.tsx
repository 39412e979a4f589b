import { useCallback, useState } from 'react';
import type { OperatorRole } from '../../../src/fleet/operatorApi.js';
import {
  TRACK_API,
  trackConflictListSchema,
  trackConflictSchema,
  trackListSchema,
  trackSummarySchema,
  type ResolutionAction,
  type TrackConflict,
  type TrackSummary,
} from '../../../src/fleet/trackApi.js';
import { ApiError, api } from './api.js';
import { ago } from './format.js';
import { useLoad } from './useDevices.js';

const km = (m: number) => `${(m / 1000).toFixed(2)} km`;

/** What each kind of conflict is, in an operator's words. */
const CONFLICT_TITLES: Record<TrackConflict['kind'], string> = {
  'revised-layout': 'Revised layout',
  'name-taken': 'Name taken at this venue',
};

const RESOLUTION_WORDS: Record<NonNullable<TrackConflict['resolution']>, string> = {
  revise: 'revised the layout',
  join: 'joined to the track',
  new: 'made a new track',
  dismiss: 'dismissed',
  'auto-revised': 'revised: a second headset agreed',
};

/** Support and admins decide; viewers read (the server checks again). */
const mayDecide = (role: OperatorRole) => role !== 'viewer';

/** A map-free outline: the points are metres around the track's own centre, drawn to fit the box. */
function Outline({ points, label, className }: { points: [number, number][]; label: string; className?: string }) {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const size = Math.max(maxX - minX, maxY - minY, 1);
  // Centred in the square, north up, the same scale both ways.
  const left = (size - (maxX - minX)) / 2;
  const top = (size - (maxY - minY)) / 2;
  const path = points
    .map(
      ([x, y], i) => `${i === 0 ? 'M' : 'L'}${(((x - minX + left) / size) * 90 + 5).toFixed(1)},${(((maxY - y + top) / size) * 90 + 5).toFixed(1)}`,
    )
    .join(' ');
  return (
    <svg viewBox="0 0 100 100" className={`outline ${className ?? ''}`} role="img" aria-label={label}>
      <path d={`${path} Z`} />
    </svg>
  );
}

/**
 * The track registry: the conflicts the rules leave to an operator (a near layout no second headset
 * has confirmed yet, a name taken twice at a venue), each with both outlines and the decisions that
 * fit it; then every canonical track with its layout, aliases, headsets and a rename.
 */
export function TracksScreen({ role, onSessionLost }: { role: OperatorRole; onSessionLost: () => void }) {
  const load = useCallback(
    () => Promise.all([api('GET', TRACK_API.conflicts, trackConflictListSchema), api('GET', TRACK_API.tracks, trackListSchema)]),
    [],
  );
  const { data, error, reload } = useLoad(load, onSessionLost);
  const [conflicts, tracks] = data ?? [];
  const [actionError, setActionError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);

  const act = async (work: () => Promise<string>) => {
    setActionError(undefined);
    setDone(undefined);
    setBusy(true);
    try {
      setDone(await work());
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_AUTHENTICATED') return onSessionLost();
      setActionError((e as Error).message);
    } finally {
      setBusy(false);
    }
    await reload();
  };
  const resolve = (conflict: TrackConflict, action: ResolutionAction, name?: string) =>
    act(async () => {
      const answer = await api('POST', TRACK_API.resolve(conflict.id), trackConflictSchema, name === undefined ? { action } : { action, name });
      return `Conflict about ${conflict.trackName}: ${RESOLUTION_WORDS[answer.resolution!]}.`;
    });
  const rename = (track: TrackSummary, name: string) =>
    act(async () => {
      const answer = await api('PUT', TRACK_API.trackName(track.id), trackSummarySchema, { name });
      return `Renamed ${track.name} to ${answer.name}. Headsets take the name when they next sync.`;
    });

  const open = conflicts?.conflicts.filter((c) => c.state === 'open') ?? [];
  const resolved = conflicts?.conflicts.filter((c) => c.state === 'resolved') ?? [];
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {actionError && (
        <p className="error" role="alert">
          {actionError}
        </p>
      )}
      {done && (
        <p className="hint" role="status">
          {done}
        </p>
      )}
      <section className="card" aria-labelledby="conflicts-title">
        <h2 id="conflicts-title">Conflicts</h2>
        {conflicts && open.length === 0 && <p className="hint">No conflict waits for a decision.</p>}
        {open.map((conflict) => (
          <ConflictCard
            key={conflict.id}
            conflict={conflict}
            canDecide={mayDecide(role)}
            busy={busy}
            onResolve={(action, name) => void resolve(conflict, action, name)}
          />
        ))}
        {resolved.length > 0 && (
          <details>
            <summary>Resolved ({resolved.length})</summary>
            <ul className="plain">
              {resolved.map((c) => (
                <li key={c.id} data-conflict={c.id}>
                  {CONFLICT_TITLES[c.kind]} “{c.proposedName}” about {c.trackName}: {c.resolution ? RESOLUTION_WORDS[c.resolution] : ''}
                  {c.resolvedBy && !c.resolvedBy.startsWith('device:') ? ` by ${c.resolvedBy}` : ''}, {ago(c.resolvedAt)}
                </li>
              ))}
            </ul>
          </details>
        )}
      </section>
      <section className="card" aria-labelledby="tracks-title">
        <h2 id="tracks-title">Tracks</h2>
        {tracks && tracks.tracks.length === 0 && <p className="hint">No track yet: headsets send the circuits they learn.</p>}
        {tracks && tracks.tracks.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>
                  <span className="visually-hidden">Outline</span>
                </th>
                <th>Name</th>
                <th>Layout</th>
                <th>Length</th>
                <th>Also called</th>
                <th>Headsets</th>
                <th>Changed</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tracks.tracks.map((t) => (
                <TrackRow
                  key={t.id}
                  track={t}
                  tracks={tracks.tracks}
                  canRename={mayDecide(role)}
                  busy={busy}
                  onRename={(name) => void rename(t, name)}
                />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function ConflictCard({
  conflict,
  canDecide,
  busy,
  onResolve,
}: {
  conflict: TrackConflict;
  canDecide: boolean;
  busy: boolean;
  onResolve: (action: ResolutionAction, name?: string) => void;
}) {
  const [name, setName] = useState(conflict.proposedName);
  const titleId = `conflict-${conflict.id}`;
  return (
    <article className="conflict" aria-labelledby={titleId} data-conflict={conflict.id}>
      <h3 id={titleId}>
        {CONFLICT_TITLES[conflict.kind]}: “{conflict.proposedName}” and {conflict.trackName}
      </h3>
      <p className="hint">
        {conflict.kind === 'revised-layout'
          ? `A headset drove a layout that strays up to ${Math.round(conflict.distanceM ?? 0)} m from ${conflict.trackName} (the same circuit stays within 40 m). A second headset driving it makes it the track's next layout by itself.`
          : `A new layout whose name, and its name with its length, are both taken at this venue.`}{' '}
        {km(conflict.lengthM)}, from headset{' '}
        <a href={`#/devices/${conflict.deviceId}`} className="mono">
          {conflict.deviceId.slice(0, 8)}…
        </a>
        , {ago(conflict.createdAt)}.
      </p>
      <div className="row">
        <figure>
          <Outline points={conflict.outline} label={`The headset's layout, ${km(conflict.lengthM)}`} className="proposed" />
          <figcaption>Sent by the headset</figcaption>
        </figure>
        <figure>
          <Outline points={conflict.trackOutline} label={`${conflict.trackName}, the registry's track`} />
          <figcaption>{conflict.trackName}</figcaption>
        </figure>
      </div>
      {canDecide && (
        <div className="row">
          {conflict.kind === 'revised-layout' && (
            <>
              <button type="button" disabled={busy} onClick={() => onResolve('revise')}>
                Revise the layout
              </button>
              <button type="button" disabled={busy} onClick={() => onResolve('join')}>
                Same track
              </button>
            </>
          )}
          <label>
            New track named <input value={name} maxLength={80} onChange={(e) => setName(e.target.value)} aria-label="New track's name" />
          </label>
          <button type="button" disabled={busy || name.trim() === ''} onClick={() => onResolve('new', name.trim())}>
            New track
          </button>
          <button type="button" className="quiet" disabled={busy} onClick={() => onResolve('dismiss')}>
            Dismiss
          </button>
        </div>
      )}
    </article>
  );
}

function TrackRow({
  track,
  tracks,
  canRename,
  busy,
  onRename,
}: {
  track: TrackSummary;
  tracks: TrackSummary[];
  canRename: boolean;
  busy: boolean;
  onRename: (name: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(track.name);
  const successor = track.supersededBy ? tracks.find((t) => t.id === track.supersededBy) : undefined;
  return (
    <tr data-track={track.id}>
      <td>
        <Outline points={track.outline} label={`Outline of ${track.name}`} className="small" />
      </td>
      <td>
        {editing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              setEditing(false);
              onRename(name.trim());
            }}
          >
            <input value={name} maxLength={80} onChange={(e) => setName(e.target.value)} aria-label={`New name for ${track.name}`} autoFocus />
            <button type="submit" disabled={busy || name.trim() === ''}>
              Save
            </button>
            <button type="button" className="quiet" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </form>
        ) : (
          track.name
        )}
        <div className="hint mono">{track.id.slice(0, 8)}…</div>
      </td>
      <td>
        {track.layout}
        {track.status === 'retired' && <div className="hint">retired{successor ? `, now layout ${successor.layout}` : ''}</div>}
      </td>
      <td>
        {km(track.lengthM)}
        <div className="hint">{track.direction}</div>
      </td>
      <td>{track.aliases.join(', ')}</td>
      <td>{track.headsets}</td>
      <td>{ago(track.updatedAt)}</td>
      <td>
        {canRename && !editing && (
          <button type="button" className="quiet" disabled={busy} onClick={() => setEditing(true)} aria-label={`Rename ${track.name}`}>
            Rename
          </button>
        )}
      </td>
    </tr>
  );
}
