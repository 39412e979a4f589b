import { Panel } from '../design/Panel.js';
import { useBootStore } from '../boot/bootStore.js';
import { useUpdateStore } from './updateStore.js';
import { SlotDiagram } from '../boot/SlotDiagram.js';
import { HistoryTimeline } from './HistoryTimeline.js';
import { KeptVersionsPanel } from './KeptVersionsPanel.js';
import { RollbackPanel } from './RollbackPanel.js';
import { UpdateSettingsPanel } from './UpdateSettingsPanel.js';
import { UpdateStateCard } from './UpdateStateCard.js';

/**
 * System updates: what runs, what is offered and its progress, the download settings, going back
 * to the other slot or further (kept versions), and what happened before. Everything mirrors update.changed and boot.changed.
 */
export function UpdatesScreen() {
  const { status, history } = useUpdateStore();
  const boot = useBootStore((s) => s.status);
  if (!status) return <Panel title="Updates">Loading…</Panel>;
  const busy = status.state.status === 'installing' || status.state.status === 'ready-to-reboot';
  return (
    <div className="updates">
      <div className="updates-column">
        <UpdateStateCard status={status} />
        {status.state.status !== 'unconfigured' && <UpdateSettingsPanel settings={status.settings} />}
      </div>
      <div className="updates-column">
        <Panel title="This headset's system" className="update-system">
          <div className="current-version">
            <span className="current-version-number">
              System <span data-testid="current-version">{status.current.version}</span>
            </span>
            <span className="muted" data-testid="current-slot">
              running from slot {status.current.slot}
            </span>
          </div>
          {boot && <SlotDiagram status={boot} />}
          {status.rollbackTo && !busy && (
            <RollbackPanel key={`${status.current.slot}-${status.rollbackTo.version}`} current={status.current} target={status.rollbackTo} />
          )}
        </Panel>
        <KeptVersionsPanel status={status} />
        <Panel title="History" className="update-history">
          <HistoryTimeline entries={history} />
        </Panel>
      </div>
    </div>
  );
}
