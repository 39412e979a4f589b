import type { UpdateSettings } from '../../../src/api/contract.js';
import { Button } from '../design/Button.js';
import { formatBytes } from '../design/format.js';
import { Panel } from '../design/Panel.js';
import { Switch } from '../design/Switch.js';
import { ProblemText } from './UpdateStateCard.js';
import { useAction } from './useAction.js';

/** Download speed limits offered, in bytes per second (decimal units, as sizes are shown). */
export const BANDWIDTH_CHOICES: { label: string; bytesPerSecond: number | null }[] = [
  { label: 'No limit', bytesPerSecond: null },
  { label: '10 MB/s', bytesPerSecond: 10_000_000 },
  { label: '2 MB/s', bytesPerSecond: 2_000_000 },
  { label: '512 KB/s', bytesPerSecond: 512_000 },
];

export function UpdateSettingsPanel({ settings }: { settings: UpdateSettings }) {
  const { busy, error, run } = useAction();
  const limit = settings.bandwidthLimitBytesPerSecond;
  const known = BANDWIDTH_CHOICES.some((choice) => choice.bytesPerSecond === limit);
  const change = (name: string, value: Partial<UpdateSettings>) => void run(name, (client) => client.call('update.settings', value));
  return (
    <Panel title="Download settings" className="update-settings">
      <div className="setting">
        <span className="setting-label" id="bandwidth-label">
          Download speed limit
        </span>
        <div className="choices" role="group" aria-labelledby="bandwidth-label">
          {BANDWIDTH_CHOICES.map((choice) => (
            <Button
              key={choice.label}
              className="choice"
              aria-pressed={choice.bytesPerSecond === limit}
              // Not the native `disabled` while saving: it would drop the focus to the page, and the
              // wearer's next arrow would start from nowhere (as the Switch below does).
              aria-disabled={busy === 'bandwidth' || undefined}
              onClick={() => busy !== 'bandwidth' && change('bandwidth', { bandwidthLimitBytesPerSecond: choice.bytesPerSecond })}
            >
              {choice.label}
            </Button>
          ))}
        </div>
        {!known && limit !== null && <p className="muted">Set elsewhere: {formatBytes(limit)}/s.</p>}
      </div>
      <Switch
        label="Download on metered connections"
        hint="Mobile hotspots and other connections that count data"
        checked={settings.allowMetered}
        disabled={busy === 'metered'}
        onChange={(allowMetered) => change('metered', { allowMetered })}
      />
      {error && <ProblemText problem={error} role="alert" />}
    </Panel>
  );
}
