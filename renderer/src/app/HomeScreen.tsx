import { Panel } from '../design/Panel.js';
import { useBootStore } from '../boot/bootStore.js';
import { useDeviceStore } from '../system/deviceStore.js';
import { HealthPanel } from '../health/HealthPanel.js';
import { SlotDiagram } from '../boot/SlotDiagram.js';
import './home.css';

export function HomeScreen() {
  const { info, identity } = useDeviceStore();
  const boot = useBootStore((s) => s.status);
  return (
    <div className="home">
      <Panel title="This headset">
        <dl className="facts">
          <dt>Device ID</dt>
          <dd className="mono" data-testid="device-id">
            {identity?.deviceId}
          </dd>
          <dt>Model</dt>
          <dd data-testid="model">
            {info?.model} {info?.deviceProfile === 'simulated' && <span className="badge warn">Simulated</span>}
          </dd>
          <dt>Identity key</dt>
          <dd className="mono muted" data-testid="public-key">
            ed25519 {identity?.publicKey.slice(0, 16)}…
          </dd>
        </dl>
      </Panel>
      <Panel title="Software">
        <dl className="facts">
          <dt>Version</dt>
          <dd data-testid="app-version">{info?.appVersion}</dd>
          <dt>Build</dt>
          <dd className="mono" data-testid="app-commit">
            {info?.commit.slice(0, 12)}
          </dd>
        </dl>
        {boot && <SlotDiagram status={boot} />}
      </Panel>
      <HealthPanel />
    </div>
  );
}
