import { Panel } from '../design/Panel.js';
import { useDeviceStore } from '../system/deviceStore.js';
import { useSystemVersion } from '../system/useSystemVersion.js';
import { HealthPanel } from '../health/HealthPanel.js';
import './home.css';

/** The headset at a glance: what it is, the one system version, and its health. The rest is in About. */
export function HomeScreen() {
  const { info, identity } = useDeviceStore();
  const system = useSystemVersion();
  return (
    <div className="home">
      <Panel title="This headset" className="home-headset">
        <div className="home-system">
          <span className="home-system-version" data-testid="system-version">
            {system ? `System ${system}` : ''}
          </span>
          <span className="muted">Serial number, support code and versions are in About.</span>
        </div>
        <dl className="facts">
          <dt>Model</dt>
          <dd data-testid="model">
            {info?.model} {info?.deviceProfile === 'simulated' && <span className="badge warn">Simulated</span>}
          </dd>
          <dt>Device ID</dt>
          <dd className="mono home-wrap" data-testid="device-id">
            {identity?.deviceId}
          </dd>
        </dl>
      </Panel>
      <HealthPanel />
    </div>
  );
}
