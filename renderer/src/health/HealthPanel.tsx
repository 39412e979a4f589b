import { useEffect, useState } from 'react';
import type { HealthSnapshot } from '../../../src/api/contract.js';
import { Meter } from '../design/Meter.js';
import { Panel } from '../design/Panel.js';
import { TrendChart } from '../design/TrendChart.js';
import { formatAge, formatBytes } from '../design/format.js';
import { useAlertsStore } from '../alerts/alertsStore.js';
import { healthMeterThresholds } from './healthMeterThresholds.js';
import { useHealthStore } from './healthStore.js';

export function HealthPanel() {
  const { latest, recent } = useHealthStore();
  const now = useNow(1000);
  const thresholds = useAlertsStore((s) => s.thresholds);
  if (!latest) return <Panel title="Health">Measuring…</Panel>;
  // Coloured where headsetd raises its alerts (loaded before the screens show; uncoloured without them).
  const levels = thresholds ? healthMeterThresholds(thresholds) : undefined;
  const temperatureMax = levels?.temperatureMax ?? 90;
  const memPercent = (latest.memory.usedBytes / latest.memory.totalBytes) * 100;
  const trend = (value: (s: HealthSnapshot) => number | null) =>
    recent.flatMap((s) => {
      const v = value(s);
      // Snapshots without a reading are left out: a 0 there would draw a drop that never happened.
      return v === null ? [] : [{ t: Date.parse(s.takenAt), v }];
    });
  const diskPercent = latest.disk.totalBytes ? (latest.disk.usedBytes / latest.disk.totalBytes) * 100 : 0;
  return (
    <Panel title="Health" className="health">
      <div className="health-grid">
        <Meter
          label="CPU load"
          testId="health-cpu"
          value={latest.cpuLoadPercent}
          max={100}
          display={`${latest.cpuLoadPercent.toFixed(0)} %`}
          warnAt={75}
          dangerAt={95}
        >
          <TrendChart points={trend((s) => s.cpuLoadPercent)} min={0} max={100} unit="%" label="CPU load" />
        </Meter>
        <Meter
          label="Temperature"
          testId="health-temperature"
          value={latest.temperatureC ?? 0}
          min={20}
          max={temperatureMax}
          display={latest.temperatureC === null ? 'no sensor' : `${latest.temperatureC.toFixed(1)} °C`}
          {...levels?.temperature}
        >
          <TrendChart points={trend((s) => s.temperatureC)} min={20} max={temperatureMax} unit="°C" label="Temperature" />
        </Meter>
        <Meter
          label="Memory"
          testId="health-memory"
          value={memPercent}
          max={100}
          display={formatBytes(latest.memory.usedBytes)}
          detail={`of ${formatBytes(latest.memory.totalBytes)}`}
          warnAt={85}
          dangerAt={95}
        >
          <TrendChart points={trend((s) => (s.memory.usedBytes / s.memory.totalBytes) * 100)} min={0} max={100} unit="%" label="Memory in use" />
        </Meter>
        <Meter
          label="Storage"
          testId="health-disk"
          value={diskPercent}
          max={100}
          display={formatBytes(latest.disk.usedBytes)}
          detail={`of ${formatBytes(latest.disk.totalBytes)}`}
          {...levels?.storage}
        />
        {latest.battery && (
          <Meter
            label="Battery"
            testId="health-battery"
            value={latest.battery.percent}
            max={100}
            display={`${latest.battery.percent.toFixed(0)} %`}
            detail={latest.battery.charging ? 'charging' : undefined}
            valueText={`${latest.battery.percent.toFixed(0)} %${latest.battery.charging ? ' · charging' : ''}`}
            {...levels?.battery}
          >
            <TrendChart points={trend((s) => s.battery?.percent ?? null)} min={0} max={100} unit="%" label="Battery" />
          </Meter>
        )}
        {latest.gps && (
          <Meter
            label="GPS"
            testId="health-gps"
            value={latest.gps.satellites}
            max={GPS_SATELLITES_SCALE}
            display={latest.gps.locked ? 'Locked' : 'Searching'}
            detail={gpsDetail(latest.gps)}
            valueText={gpsText(latest.gps)}
            scale={`Satellites in use, out of ${GPS_SATELLITES_SCALE}`}
          />
        )}
      </div>
      <p className="muted" data-testid="health-updated" data-taken-at={latest.takenAt}>
        Updated {formatAge(latest.takenAt, now)}
      </p>
    </Panel>
  );
}

/** A full bar: 12 satellites in use is a very good fix; more adds little. */
const GPS_SATELLITES_SCALE = 12;

/** The lock and how long it took (the number that matters), and the satellites the bar shows. */
function gpsText(gps: NonNullable<HealthSnapshot['gps']>): string {
  const satellites = `${gps.satellites} satellite${gps.satellites === 1 ? '' : 's'}`;
  if (!gps.locked) return `Searching · ${satellites}`;
  if (gps.timeToLockMs === null) return `Locked · ${satellites}`;
  return `Locked in ${(gps.timeToLockMs / 1000).toFixed(gps.timeToLockMs < 10_000 ? 1 : 0)} s · ${satellites}`;
}

/** Under "Locked" or "Searching": how long the lock took, and the satellites. */
function gpsDetail(gps: NonNullable<HealthSnapshot['gps']>): string {
  return gpsText(gps).replace(/^(Locked|Searching)( · )?/, '');
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
