import { useCallback, useState, type FormEvent } from 'react';
import { z } from 'zod';
import {
  LICENSE_API,
  issuedLicenseListSchema,
  issuedLicenseSchema,
  revokedLicenseSchema,
  type IssuedLicenseState,
  type IssuedLicenseSummary,
} from '../../../src/fleet/licenseApi.js';
import { OPERATOR_API, deviceListSchema, type DeviceSummary, type OperatorRole } from '../../../src/fleet/operatorApi.js';
import { ApiError, api } from './api.js';
import { ago } from './format.js';
import { useLoad } from './useDevices.js';

/** The headset's words for each state (renderer/src/license/licenseWords.ts), so operator and wearer say the same. */
export const LICENSE_STATE_LABELS: Record<IssuedLicenseState, string> = {
  active: 'Licensed',
  expiringSoon: 'Ends soon',
  grace: 'Grace period',
  expired: 'Expired',
  revoked: 'Revoked',
  notYetValid: 'Not valid yet',
};

const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;

/** "in 12 days" / "grace: 3 days left", or nothing when no day counts any more. */
function daysLeftText(license: IssuedLicenseSummary): string {
  if (license.daysLeft === null) return '';
  return license.state === 'grace' ? `grace: ${days(license.daysLeft)} left` : `in ${days(license.daysLeft)}`;
}

/** Support and admins issue and revoke; viewers read (the server checks again). */
const mayIssue = (role: OperatorRole) => role !== 'viewer';

/** Offers the signed file as `SERIAL.hclicense`, the name the headset looks for at the top of a USB stick. */
function DownloadLink({ serial, file, children }: { serial: string; file: string; children: string }) {
  return (
    <a href={`data:application/json;charset=utf-8,${encodeURIComponent(file)}`} download={`${serial}.hclicense`}>
      {children}
    </a>
  );
}

/**
 * Licences: those issued (licensee, headset, features, expiry, state on the server's clock), the
 * signed file to hand over again, Revoke with a confirmation, and a form to issue one to an accepted
 * headset. Revoking signs a new revocation list at once; headsets stop the licence when they fetch it.
 */
export function LicensesScreen({ role, onSessionLost }: { role: OperatorRole; onSessionLost: () => void }) {
  const load = useCallback(
    () =>
      Promise.all([
        api('GET', LICENSE_API.list, issuedLicenseListSchema),
        api('GET', `${OPERATOR_API.devices}?status=accepted`, deviceListSchema).then((d) => d.devices),
      ]),
    [],
  );
  const { data, error, reload } = useLoad(load, onSessionLost);
  const [list, devices] = data ?? [];
  const [issued, setIssued] = useState<z.infer<typeof issuedLicenseSchema>>();
  const [confirming, setConfirming] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);

  const revoke = async (serial: string) => {
    setActionError(undefined);
    setDone(undefined);
    setConfirming(undefined);
    setBusy(true);
    try {
      const answer = await api('POST', LICENSE_API.revoke(serial), revokedLicenseSchema, {});
      setDone(`Revoked ${serial}. Revocation list version ${answer.revocationListVersion} is signed; headsets stop the licence when they fetch it.`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_AUTHENTICATED') return onSessionLost();
      setActionError((e as Error).message);
    } finally {
      setBusy(false);
    }
    await reload();
  };

  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {mayIssue(role) && devices && (
        <IssueLicense
          devices={devices}
          onIssued={(answer) => {
            setIssued(answer);
            void reload();
          }}
          onSessionLost={onSessionLost}
        />
      )}
      {issued && (
        <section className="card" aria-labelledby="issued-title" data-testid="license-issued">
          <h2 id="issued-title">Issued {issued.serial}</h2>
          <p>
            Copy the file to the top of a USB stick; the wearer installs it in setup or in Settings, License.{' '}
            <DownloadLink serial={issued.serial} file={issued.file}>
              Download the licence file
            </DownloadLink>
          </p>
        </section>
      )}
      <section className="card" aria-labelledby="licenses-title">
        <h2 id="licenses-title">Licences</h2>
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
        {list && list.licenses.length === 0 && <p className="hint">No licence issued yet.</p>}
        {list && list.licenses.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>Licensee</th>
                <th>Headset</th>
                <th>Features</th>
                <th>Expires</th>
                <th>State</th>
                <th>Issued</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.licenses.map((l) => (
                <tr key={l.serial} data-serial={l.serial}>
                  <td>
                    {l.licensee}
                    <div className="hint mono">{l.serial}</div>
                  </td>
                  <td>
                    <a href={`#/devices/${l.deviceId}`} className="mono" title={l.deviceId}>
                      {l.deviceId.slice(0, 8)}…
                    </a>
                    {l.binding === 'identityKey' && <div className="hint">bound to its key</div>}
                  </td>
                  <td>
                    {l.features.length === 0
                      ? 'None'
                      : l.features.map((f) => (
                          <span key={f} className="tag nowrap">
                            {f}
                          </span>
                        ))}
                  </td>
                  <td title={l.expiresAt}>
                    <span className="nowrap">{l.expiresAt.slice(0, 10)}</span>
                    <div className="hint">{daysLeftText(l) || (l.graceDays > 0 ? `+${days(l.graceDays)} grace` : 'no grace')}</div>
                  </td>
                  <td>
                    <span className={`badge license-${l.state}`} data-testid="license-state">
                      {LICENSE_STATE_LABELS[l.state]}
                    </span>
                    {l.revokedAt && (
                      <div className="hint" title={l.revokedAt}>
                        {ago(l.revokedAt)} by {l.revokedBy}
                      </div>
                    )}
                  </td>
                  <td title={l.issuedAt}>
                    {ago(l.issuedAt)} by {l.issuedBy}
                  </td>
                  <td>
                    <div className="row">
                      <DownloadLink serial={l.serial} file={l.file}>
                        File
                      </DownloadLink>
                      {mayIssue(role) && l.state !== 'revoked' && (
                        <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(l.serial)}>
                          Revoke
                        </button>
                      )}
                    </div>
                    {confirming === l.serial && (
                      <div className="row confirm" role="alertdialog" aria-label={`Revoke ${l.licensee}'s licence?`}>
                        <span>The headset stops every licensed feature once it fetches the new list. This cannot be undone.</span>
                        <button type="button" className="danger" onClick={() => void revoke(l.serial)}>
                          Revoke the licence
                        </button>
                        <button type="button" className="quiet" onClick={() => setConfirming(undefined)}>
                          Keep it
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {list?.truncated && <p className="hint">Only the newest licences are listed.</p>}
      </section>
    </>
  );
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

function IssueLicense({
  devices,
  onIssued,
  onSessionLost,
}: {
  devices: DeviceSummary[];
  onIssued: (answer: z.infer<typeof issuedLicenseSchema>) => void;
  onSessionLost: () => void;
}) {
  const [deviceId, setDeviceId] = useState('');
  const [licensee, setLicensee] = useState('');
  const [features, setFeatures] = useState('');
  const [notBefore, setNotBefore] = useState('');
  const [expires, setExpires] = useState(() => isoDay(new Date(Date.now() + 365 * 86_400_000)));
  const [graceDays, setGraceDays] = useState('14');
  const [binding, setBinding] = useState<'device' | 'identityKey'>('device');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    if (!deviceId) return setProblem('Choose a headset.');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(expires)) return setProblem('Choose the day the licence ends.');
    setBusy(true);
    try {
      const answer = await api('POST', LICENSE_API.issue(deviceId), issuedLicenseSchema, {
        licensee: licensee.trim(),
        features: features.split(/[\s,]+/).filter(Boolean),
        notBefore: notBefore ? `${notBefore}T00:00:00Z` : undefined,
        expiresAt: `${expires}T00:00:00Z`,
        graceDays: Number(graceDays),
        binding,
      });
      setLicensee('');
      setFeatures('');
      onIssued(answer);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_AUTHENTICATED') return onSessionLost();
      setProblem((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="new-license-title">
      <h2 id="new-license-title">Issue a licence</h2>
      {devices.length === 0 ? (
        <p className="hint">Licences are issued to accepted headsets: accept one on the Headsets page first.</p>
      ) : (
        <form className="rollout-form" onSubmit={(e) => void submit(e)}>
          <label>
            Headset
            <select value={deviceId} onChange={(e) => setDeviceId(e.target.value)} required>
              <option value="">Choose…</option>
              {devices.map((d) => (
                <option key={d.deviceId} value={d.deviceId}>
                  {d.deviceId}
                  {d.model ? ` (${d.model})` : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            Licensee
            <input value={licensee} onChange={(e) => setLicensee(e.target.value)} maxLength={200} required placeholder="Example Clinic" />
          </label>
          <label>
            Features
            <input value={features} onChange={(e) => setFeatures(e.target.value)} placeholder="remote-support, tracks" />
          </label>
          <label>
            Starts (empty: now)
            <input type="date" value={notBefore} onChange={(e) => setNotBefore(e.target.value)} />
          </label>
          <label>
            Ends
            <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} required />
          </label>
          <label>
            Grace days after the end
            <input type="number" min={0} max={365} value={graceDays} onChange={(e) => setGraceDays(e.target.value)} required />
          </label>
          <label>
            Binds to
            <select value={binding} onChange={(e) => setBinding(e.target.value as 'device' | 'identityKey')}>
              <option value="device">The headset's device id</option>
              <option value="identityKey">Its registered identity key</option>
            </select>
          </label>
          <div className="row">
            <button type="submit" disabled={busy}>
              {busy ? 'Issuing…' : 'Issue licence'}
            </button>
          </div>
          {problem && (
            <p className="error" role="alert">
              {problem}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
