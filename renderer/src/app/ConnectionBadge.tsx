import { useConnectionStore } from '../api/connectionStore.js';

export function ConnectionBadge() {
  const state = useConnectionStore();
  return (
    <div className="connection" role="status" data-testid="connection">
      <span className={`dot ${state.status}`} />
      {state.status === 'connected' ? 'Live' : state.status === 'connecting' ? 'Connecting…' : 'Disconnected'}
    </div>
  );
}
