import { RecoveryScreen } from './RecoveryScreen.js';
import { SetupScreen } from './SetupScreen.js';
import { useBootStore } from '../boot/bootStore.js';
import { useConnectionStore } from '../api/connectionStore.js';
import { useModeStore } from '../mode/modeStore.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { usePowerStore } from '../power/powerStore.js';
import { SettingsShell } from './SettingsShell.js';

/**
 * One face per mode; the mode is the headset's, pushed by headsetd. A lost connection puts a banner
 * over the face instead of replacing it: the screen and its state are there when the connection
 * comes back (the stores are bound again, see api/connectHeadset.ts).
 */
export function App() {
  const connection = useConnectionStore();
  const mode = useModeStore((s) => s.state?.mode);
  // A new boot is a new screen: a restart that lands in recovery again must not keep "Restarting…".
  const bootId = useBootStore((s) => s.status?.bootId);
  const offline = connection.status === 'disconnected';
  // Switched off from here: the connection is gone because the headset is off, not broken.
  const switchedOff = usePowerStore((s) => s.switchedOff);
  if (offline && switchedOff) return <Notice title="The headset is off" text="Switch it on again to use it." />;
  let face;
  if (mode === 'recovery') face = <RecoveryScreen key={bootId} />;
  else if (mode === 'setup') face = <SetupScreen />;
  else if (mode) face = <SettingsShell />;
  else if (!offline) face = <Notice title="Connecting to the headset…" progress />;
  return (
    <>
      {offline && <ConnectionBanner reason={connection.reason} />}
      <div className="face" inert={offline}>
        {face}
      </div>
    </>
  );
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
