import type { NetworkStatus as NetworkState } from '../../../src/api/contract.js';
import { useNetworkStore } from './networkStore.js';
import './network.css';

const WORDS: Record<NetworkState['state'], { label: string; hint?: string }> = {
  online: { label: 'Online' },
  metered: { label: 'Metered connection', hint: 'Big downloads wait' },
  offline: { label: 'Offline', hint: 'Updates wait' },
};

/** The side menu's word on the network, always there: online, a metered connection, or offline, each its own shape. */
export function NetworkStatus() {
  const state = useNetworkStore((s) => s.status?.state);
  const words = state ? WORDS[state] : { label: 'Network…' };
  return (
    <div className="network-status" role="status" data-testid="network-status" data-state={state ?? 'unknown'}>
      <NetworkIcon state={state} />
      <span className="network-words">
        <span className="sr-only">Network: </span>
        <span className="network-label">{words.label}</span>
        {words.hint && <span className="network-hint">{words.hint}</span>}
      </span>
    </div>
  );
}

function NetworkIcon({ state }: { state: NetworkState['state'] | undefined }) {
  return (
    <svg className={`network-icon ${state ?? 'unknown'}`} viewBox="0 0 24 24" aria-hidden="true">
      {/* Metered: the outer arc dashed, as a connection that is there but rationed. */}
      <path d="M2 9a15 15 0 0 1 20 0" className={state === 'metered' ? 'network-rationed' : undefined} />
      <path d="M5.5 12.5a10 10 0 0 1 13 0" />
      <path d="M9 16a5 5 0 0 1 6 0" />
      <circle cx="12" cy="19.5" r="1.6" />
      {state === 'offline' && <path className="network-slash" d="M3 3l18 18" />}
    </svg>
  );
}
