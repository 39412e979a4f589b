import { createRoot } from 'react-dom/client';
import { ApiClient } from '../../src/api/client.js';
import { openPort } from './api/openPort.js';
import { ClientContext } from './api/clientContext.js';
import { App, Notice } from './app/App.js';
import { bindStores } from './stores/bindStores.js';
import './design/tokens.css';
import './app/app.css';

const root = createRoot(document.getElementById('root')!);
root.render(<Notice title="Connecting to the headset…" progress />);

openPort()
  .then(async (port) => {
    const client = new ApiClient(port);
    await bindStores(client);
    root.render(
      <ClientContext.Provider value={client}>
        <App />
      </ClientContext.Provider>,
    );
  })
  .catch((error: unknown) => root.render(<Notice title="Cannot reach the headset" text={error instanceof Error ? error.message : String(error)} />));
