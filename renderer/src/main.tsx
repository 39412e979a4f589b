import { createRoot } from 'react-dom/client';
import type { ApiClient } from '../../src/api/client.js';
import { connectHeadset } from './api/connectHeadset.js';
import { createPortOpener } from './api/openPort.js';
import { ClientContext } from './api/clientContext.js';
import { App, Notice } from './app/App.js';
import { bindStores } from './app/bindStores.js';
import { RendererLog, installRendererCrashHandlers } from './api/rendererLog.js';
import './design/tokens.css';
import './app/app.css';

const root = createRoot(document.getElementById('root')!);
root.render(<Notice title="Connecting to the headset…" progress />);

let open: ReturnType<typeof createPortOpener> | undefined;
try {
  open = createPortOpener();
} catch (error) {
  root.render(<Notice title="Cannot reach the headset" text={error instanceof Error ? error.message : String(error)} />);
}

if (open) {
  let client: ApiClient | undefined;
  // The renderer logs into headsetd's log over whichever connection is live (entries wait while none is),
  // and a crash of the page leaves a crash record there.
  const log = new RendererLog((input) => (client ? client.call('logs.write', input) : Promise.reject(new Error('not connected to headsetd'))));
  installRendererCrashHandlers(log);
  // App is rendered from the start (it shows the banner when the first attempt fails); each new
  // client replaces the context's value, so the screens stay mounted and load again from it.
  const render = () =>
    root.render(
      <ClientContext.Provider value={client}>
        <App />
      </ClientContext.Provider>,
    );
  render();
  connectHeadset({
    open,
    bindStores,
    onClient: (connected) => {
      client = connected;
      render();
      // Nothing is logged for a page load or a connection (every reload would add a line); what the page logs waits for one.
      void log.flush();
    },
  });
}
