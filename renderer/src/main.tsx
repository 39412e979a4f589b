import { createRoot } from 'react-dom/client';
import { ApiClient } from '../../src/api/client.js';
import { openPort } from './api/openPort.js';
import { ClientContext } from './api/clientContext.js';
import { App, Notice } from './app/App.js';
import { bindStores } from './app/bindStores.js';
import { RendererLog, installRendererCrashHandlers } from './api/rendererLog.js';
import './design/tokens.css';
import './app/app.css';

const root = createRoot(document.getElementById('root')!);
root.render(<Notice title="Connecting to the headset…" progress />);

openPort()
  .then(async (port) => {
    const client = new ApiClient(port);
    // The renderer logs into headsetd's log, and a crash of the page leaves a crash record there.
    const log = new RendererLog((input) => client.call('logs.write', input));
    installRendererCrashHandlers(log);
    log.info('renderer started', { transport: window.headsetBridge ? 'electron' : 'web' });
    await bindStores(client);
    root.render(
      <ClientContext.Provider value={client}>
        <App />
      </ClientContext.Provider>,
    );
  })
  .catch((error: unknown) => root.render(<Notice title="Cannot reach the headset" text={error instanceof Error ? error.message : String(error)} />));
