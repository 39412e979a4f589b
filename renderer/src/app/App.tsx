import { RecoveryScreen } from './RecoveryScreen.js';
import { SetupScreen } from './SetupScreen.js';
import { useBootStore } from '../boot/bootStore.js';
import { useConnectionStore } from '../api/connectionStore.js';
import { useModeStore } from '../mode/modeStore.js';
import { SettingsShell } from './SettingsShell.js';

/** One face per mode; the mode is the headset's, pushed by headsetd. */
export function App() {
  const connection = useConnectionStore();
  const mode = useModeStore((s) => s.state?.mode);
  // A new boot is a new screen: a restart that lands in recovery again must not keep "Restarting…".
  const bootId = useBootStore((s) => s.status?.bootId);
  if (connection.status === 'disconnected') return <Notice title="Not connected" text={connection.reason} />;
  if (connection.status === 'connecting' || !mode) return <Notice title="Connecting to the headset…" progress />;
  if (mode === 'recovery') return <RecoveryScreen key={bootId} />;
  if (mode === 'setup') return <SetupScreen />;
  return <SettingsShell />;
}

export function Notice({ title, text, progress }: { title: string; text?: string; progress?: boolean }) {
  return (
    <main className="notice" role="status">
      <h1>{title}</h1>
      {text && <p>{text}</p>}
      {progress && <div className="progress indeterminate" role="progressbar" aria-label={title} />}
    </main>
  );
}
