import { useState } from 'react';
import type { HardwareReport } from '../../../src/api/contract/reset.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { formatDateTime } from '../design/format.js';

const STEP_WORDS: Record<HardwareReport['peripherals'][number]['reached'], string> = {
  'power-cycle': 'did not switch off and on',
  initialize: 'did not start',
  verify: 'started but did not answer the check',
  verified: 'working',
};

/**
 * Hardware reset (reset.hardware): every part switched off and on, started and checked, and the
 * motion sensor recalibrated if the wearer asks (the headset must lie still). Shows the report.
 */
export function HardwareResetPanel() {
  const client = useClient();
  const [recalibrate, setRecalibrate] = useState(false);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<HardwareReport>();
  const [error, setError] = useState<string>();

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setReport(await client.call('reset.hardware', { recalibrateImu: recalibrate }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="hardware-reset">
      <p className="backup-hint">Switches each part of the headset off and on again, starts it and checks it. Nothing of yours is erased.</p>
      <div className="backup-choices">
        <Button aria-pressed={recalibrate} onClick={() => setRecalibrate(!recalibrate)} data-testid="hardware-recalibrate">
          {recalibrate ? 'Recalibrate the motion sensor: yes (lay the headset still)' : 'Recalibrate the motion sensor: no'}
        </Button>
        <Button variant="primary" aria-disabled={busy || undefined} onClick={() => !busy && void run()} data-testid="hardware-run">
          {busy ? 'Checking the hardware…' : 'Reset and check the hardware'}
        </Button>
      </div>
      {error && (
        <p role="alert" className="reset-problem">
          {error}
        </p>
      )}
      {report && (
        <div aria-live="polite" data-testid="hardware-report">
          <p>
            <strong>{report.ok ? 'Every part works.' : 'Something needs attention.'}</strong> Checked {formatDateTime(report.finishedAt)}.
          </p>
          <table className="backup-table">
            <thead>
              <tr>
                <th scope="col">Part</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {report.peripherals.map((p) => (
                <tr key={p.id} className={p.ok ? undefined : 'backup-bad'}>
                  <td>{p.title}</td>
                  <td title={p.detail}>{STEP_WORDS[p.reached]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            {report.imu.result === 'stored'
              ? 'Motion sensor recalibrated; the previous calibration is kept.'
              : report.imu.result === 'refused-moving'
                ? 'Motion sensor not recalibrated: the headset was moving. Lay it on a table and try again.'
                : 'Motion sensor calibration unchanged.'}
          </p>
        </div>
      )}
    </div>
  );
}
