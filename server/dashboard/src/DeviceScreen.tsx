import { useCallback, useState } from 'react';
import { SupportSessionsCard } from './SupportSessionsCard.js';
import { OPERATOR_API, deviceDetailSchema, type DeviceDecision, type DeviceDetail, type OperatorRole } from '../../../src/fleet/operatorApi.js';
import type { Inventory } from '../../../src/fleet/inventory.js';
import { api } from './api.js';
import { decide, mayDecide } from './decisions.js';
import { ago, bytes, shortKey } from './format.js';
import { StatusBadge } from './StatusBadge.js';
import { useLoad } from './useDevices.js';

/** One headset: its standing, the decisions open to the operator, and what it last reported. */
export function DeviceScreen({ deviceId, role, onSessionLost }: { deviceId: string; role: OperatorRole; onSessionLost: () => void }) {
  const load = useCallback(() => api('GET', OPERATOR_API.device(deviceId), deviceDetailSchema), [deviceId]);
  const { data: device, error, reload } = useLoad(load, onSessionLost);
  const [actionError, setActionError] = useState<string>();
  const [confirming, setConfirming] = useState(false);

  const act = async (decision: DeviceDecision) => {
    setActionError(undefined);
    setConfirming(false);
    try {
      await decide(deviceId, decision);
    } catch (e) {
      setActionError((e as Error).message);
    }
    await reload();
  };

  return (
    <>
      <p>
        <a href="#/devices">← All headsets</a>
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {device && (
        <>
          <section className="card">
            <h1 className="mono">{device.deviceId}</h1>
            <StatusBadge status={device.status} keyAwaitingApproval={device.keyAwaitingApproval} />
            <dl className="facts">
              <dt>Registered</dt>
              <dd>{new Date(device.registeredAt).toLocaleString()}</dd>
              <dt>Last seen</dt>
              <dd>{ago(device.lastSeenAt)}</dd>
              <dt>Decided</dt>
              <dd>
                {new Date(device.statusChangedAt).toLocaleString()}
                {device.statusChangedBy ? ` by ${device.statusChangedBy}` : ''}
              </dd>
              <dt>Identity key</dt>
              <dd className="mono">{shortKey(device.publicKey)}</dd>
              {device.pendingPublicKey && (
                <>
                  <dt>New key waiting</dt>
                  <dd className="mono">{shortKey(device.pendingPublicKey)}</dd>
                </>
              )}
              {device.previousKeys.length > 0 && (
                <>
                  <dt>Earlier keys</dt>
                  <dd className="mono">
                    {device.previousKeys.map((k) => `${shortKey(k.publicKey)} (until ${new Date(k.replacedAt).toLocaleDateString()})`).join(', ')}
                  </dd>
                </>
              )}
            </dl>
            {actionError && (
              <p className="error" role="alert">
                {actionError}
              </p>
            )}
            {mayDecide(role) && <Decisions device={device} confirming={confirming} onConfirm={setConfirming} onDecide={(d) => void act(d)} />}
          </section>
          <SupportSessionsCard deviceId={device.deviceId} accepted={device.status === 'accepted'} role={role} onSessionLost={onSessionLost} />
          <InventoryView inventory={device.inventory} reportedAt={device.inventoryAt} />
        </>
      )}
    </>
  );
}

function Decisions({
  device,
  confirming,
  onConfirm,
  onDecide,
}: {
  device: DeviceDetail;
  confirming: boolean;
  onConfirm: (on: boolean) => void;
  onDecide: (decision: DeviceDecision) => void;
}) {
  if (device.status === 'decommissioned') return null;
  const newKey = device.keyAwaitingApproval;
  return (
    <div className="row">
      {(device.status !== 'accepted' || newKey) && (
        <button type="button" onClick={() => onDecide('accept')}>
          {newKey ? 'Accept new key' : 'Accept'}
        </button>
      )}
      {(device.status === 'pending' || newKey) && (
        <button type="button" className="danger" onClick={() => onDecide('reject')}>
          {newKey ? 'Reject new key' : 'Reject'}
        </button>
      )}
      {confirming ? (
        <>
          <span className="hint">Decommissioning is final: the headset will get nothing from this server again.</span>
          <button type="button" className="danger" onClick={() => onDecide('decommission')}>
            Decommission for good
          </button>
          <button type="button" className="quiet" onClick={() => onConfirm(false)}>
            Keep it
          </button>
        </>
      ) : (
        <button type="button" className="quiet" onClick={() => onConfirm(true)}>
          Decommission…
        </button>
      )}
    </div>
  );
}

function InventoryView({ inventory, reportedAt }: { inventory: Inventory | null; reportedAt: string | null }) {
  if (!inventory) {
    return (
      <section className="card">
        <h2>Inventory</h2>
        <p className="hint">Nothing reported yet: the headset reports at its first check-in after it is accepted.</p>
      </section>
    );
  }
  const health = inventory.health;
  return (
    <section className="card" aria-labelledby="inventory-title">
      <h2 id="inventory-title">Inventory</h2>
      <p className="hint">Reported {ago(reportedAt)}.</p>
      <div className="columns">
        <div>
          <h3>Headset</h3>
          <dl className="facts">
            <dt>Model</dt>
            <dd>{inventory.model}</dd>
            <dt>App version</dt>
            <dd>{inventory.appVersion}</dd>
            <dt>Groups</dt>
            <dd>
              {inventory.groupTags.length === 0
                ? '—'
                : inventory.groupTags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
            </dd>
            {Object.entries(inventory.components)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([name, version]) => (
                <FactRow key={name} term={name} value={version} />
              ))}
          </dl>
        </div>
        <div>
          <h3>System slots</h3>
          <table>
            <thead>
              <tr>
                <th>Slot</th>
                <th>Version</th>
                <th>Bootable</th>
                <th>Tries left</th>
              </tr>
            </thead>
            <tbody>
              {inventory.slots.list.map((slot) => (
                <tr key={slot.name}>
                  <td>
                    {slot.name}
                    {slot.name === inventory.slots.active ? ' (running)' : ''}
                  </td>
                  <td>{slot.version ?? '—'}</td>
                  <td>{slot.bootable ? 'yes' : 'no'}</td>
                  <td>{slot.triesLeft}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">
            Boot order {inventory.slots.order.join(', ')}
            {inventory.slots.fellBack ? '; the last boot fell back to the other slot.' : '.'}
          </p>
        </div>
        <div>
          <h3>Health</h3>
          {health ? (
            <dl className="facts">
              <dt>CPU load</dt>
              <dd>{health.cpuLoadPercent.toFixed(0)} %</dd>
              <dt>Temperature</dt>
              <dd>{health.temperatureC === null ? '—' : `${health.temperatureC.toFixed(1)} °C`}</dd>
              <dt>Memory</dt>
              <dd>
                {bytes(health.memory.usedBytes)} of {bytes(health.memory.totalBytes)}
              </dd>
              <dt>Storage</dt>
              <dd>
                {bytes(health.disk.usedBytes)} of {bytes(health.disk.totalBytes)}
              </dd>
              <dt>Battery</dt>
              <dd>{health.battery ? `${health.battery.percent.toFixed(0)} %${health.battery.charging ? ', charging' : ''}` : '—'}</dd>
              <dt>GPS</dt>
              <dd>{health.gps ? (health.gps.locked ? `locked, ${health.gps.satellites} satellites` : 'no fix') : '—'}</dd>
              <dt>Measured</dt>
              <dd>{ago(health.takenAt)}</dd>
            </dl>
          ) : (
            <p className="hint">No health snapshot yet.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function FactRow({ term, value }: { term: string; value: string }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </>
  );
}
