import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { openSourceNotices } from '../scripts/openSourceNotices.js';

const NOTICES = 'virtual:open-source-notices';

/** The open-source notices of everything shipped, made from the installed tree at build time (About loads them on demand). */
function openSourceNoticesModule(): Plugin {
  return {
    name: 'open-source-notices',
    resolveId: (id) => (id === NOTICES ? `\0${NOTICES}` : undefined),
    load: (id) =>
      id === `\0${NOTICES}` ? `export default ${JSON.stringify(openSourceNotices(fileURLToPath(new URL('..', import.meta.url))))};` : undefined,
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react(), openSourceNoticesModule()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or styles: the CSP allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'chrome120',
  },
});
