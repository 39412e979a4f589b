import { useConnectionStore } from '../api/connectionStore.js';
import { useReconnectStore } from '../api/reconnectStore.js';

export function ConnectionBadge() {
  const state = useConnectionStore();
  const trying = useReconnectStore((s) => s.phase.status === 'connecting');
  const label = state.status === 'connected' ? 'Live' : state.status === 'connecting' ? 'Connecting…' : trying ? 'Reconnecting…' : 'Disconnected';
  return (
    <div className="connection" role="status" data-testid="connection">
      <span className={`dot ${state.status}`} />
      {label}
    </div>
  );
}
