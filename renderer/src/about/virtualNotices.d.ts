/** The open-source notices, generated at build time by renderer/vite.config.ts from the dependency tree. */
declare module 'virtual:open-source-notices' {
  const notices: import('./openSourceNotice.js').OpenSourceNotice[];
  export default notices;
}
