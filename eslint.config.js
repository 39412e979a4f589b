// Lint enforces the layer table of the README (and ../shared/ARCHITECTURE.md): which folder may import which.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'process',
  'readline',
  'stream',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
];
const nodeImports = [
  { group: ['node:*', ...nodeBuiltins, ...nodeBuiltins.map((m) => `${m}/*`)], message: 'Environment-specific: not allowed in this layer.' },
];
const electronImport = { group: ['electron', 'electron/*'], message: 'Only main/electron/ may import electron.' };
const layer = (from, patterns) => ({ files: from, rules: { 'no-restricted-imports': ['error', { patterns }] } });
// What only tests may import. A later entry's patterns replace an earlier one's for the files both
// match, so a layer's production entry repeats the layer's patterns and adds these.
const testFiles = ['**/*.test.ts', '**/*.test.tsx'];
const testSupportImport = {
  group: ['**/test-support/**'],
  message: 'test-support/ (fake devices, rigs, fixtures) is for tests, benchmarks and e2e only.',
};
const operatorImport = {
  group: ['**/operator/**'],
  message: "main/operator/ (bundles, TUF repositories, signing keys) is the operator's: the CLI, benchmarks and tests use it, the device never does.",
};
/** A layer whose tests may import more than its code: test support, and `testOnly` patterns. */
const productionLayer = (from, patterns, testOnly = []) => [
  layer(from, patterns),
  { ...layer(from, [...patterns, testSupportImport, ...testOnly]), ignores: testFiles },
];

const srcPatterns = [
  ...nodeImports,
  electronImport,
  { group: ['react', 'react-dom', 'zustand', 'ws', 'sodium-native', 'systeminformation'], message: 'src/ holds pure logic only.' },
  { group: ['**/main/**', '**/renderer/**'], message: 'src/ imports nothing from main/ or renderer/.' },
];
const srcGlobals = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'process', 'Buffer', 'require', '__dirname'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'e2e/test-results/**', 'e2e/report/**', 'bench/results/**', '**/*.tmp.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // src/: the contract and pure logic run anywhere: no Node, no DOM, no Electron, no React.
  ...productionLayer(['src/**/*.ts'], srcPatterns),
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-globals': ['error', ...srcGlobals] },
  },
  // Node code type-checks with the DOM lib (for page.evaluate in tests); using it is still an error.
  {
    files: ['main/**/*.ts'],
    rules: { 'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'requestAnimationFrame'] },
  },
  // renderer/: the sandboxed page: src/ only.
  ...productionLayer(
    ['renderer/src/**/*.{ts,tsx}'],
    [
      ...nodeImports,
      electronImport,
      { group: ['**/main/**'], message: 'The renderer talks to services through the API only.' },
      { group: ['zod', 'ws', 'sodium-native', 'systeminformation'], message: 'Not for the renderer.' },
    ],
  ),
  // main/services and main/transports: Node, src/; never the host, Electron or the CLI.
  ...productionLayer(
    ['main/services/**/*.ts', 'main/transports/**/*.ts'],
    [electronImport, { group: ['**/host/**', '**/electron/**', '**/cli/**', '**/renderer/**'], message: 'Services know nothing of who hosts them.' }],
    [operatorImport],
  ),
  // main/host: everything in main/ but electron/ and, outside tests, operator/.
  ...productionLayer(
    ['main/host/**/*.ts'],
    [electronImport, { group: ['**/electron/**', '**/renderer/**', '**/cli/**'], message: 'The host does not import the UI host or the CLI.' }],
    [operatorImport],
  ),
  // main/operator: the operator's tools over services (bundles, TUF repositories, keys); never the host.
  ...productionLayer(
    ['main/operator/**/*.ts'],
    [
      electronImport,
      {
        group: ['**/host/**', '**/electron/**', '**/cli/**', '**/renderer/**'],
        message: 'Operator tools are a library for the CLI: no host, UI or CLI.',
      },
    ],
  ),
  // main/cli: src/ and main/.
  ...productionLayer(['main/cli/**/*.ts'], [electronImport, { group: ['**/renderer/**'], message: 'The CLI does not import the renderer.' }]),
  // main/electron: the only place importing electron; talks to headsetd through transports.
  ...productionLayer(
    ['main/electron/**/*.ts'],
    [
      {
        group: ['**/services/**', '**/host/**', '**/operator/**', '**/renderer/**'],
        message: 'Electron main is an unprivileged UI host: it reaches services over the socket only.',
      },
    ],
  ),
  // test-support/: what tests share (fake devices, rigs, fixtures); test-support/api/ is pure, as
  // src/ is, so any test may use it, the renderer's too.
  layer(['test-support/**/*.ts'], [electronImport, { group: ['**/renderer/**'], message: 'Test support does not import the renderer.' }]),
  layer(
    ['test-support/api/**/*.ts'],
    [...srcPatterns.slice(0, -1), { group: ['**/main/**', '**/renderer/**'], message: 'test-support/api/ is pure: it imports src/ only.' }],
  ),
  {
    files: ['test-support/api/**/*.ts'],
    ignores: testFiles,
    rules: { 'no-restricted-globals': ['error', ...srcGlobals] },
  },
  // Capability folders talk through ports: another capability's types only (`import type`), never
  // its classes. Shared device ports (platform/), storage, the secret registry, the user-data registry
  // with its encryption and wipe (userData/: backup and reset read it) and the logger are for all;
  // device/ is the simulated hardware (adapters the profiles pick), gps/ the receiver health owns.
  {
    files: ['main/services/*/*.ts'],
    ignores: [...testFiles, 'main/services/device/**', 'main/services/platform/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!platform/|storage/|secrets/|userData/|gps/|device/|logging/Logger\\.js$|\\.\\./)[^/]+/',
              allowTypeImports: true,
              message: 'Another capability is reached through its ports (import type), never its classes: ask for the port in your module.',
            },
          ],
        },
      ],
    },
  },
  // server/: the fleet server (Node) and its dashboard (a browser page): src/ only, never the headset's main/.
  ...productionLayer(
    ['server/**/*.{ts,tsx}'],
    [electronImport, { group: ['**/main/**', '**/renderer/**'], message: 'The fleet server shares src/ with the headset, nothing else.' }],
  ),
  ...productionLayer(
    ['server/dashboard/src/**/*.{ts,tsx}'],
    [
      ...nodeImports,
      electronImport,
      { group: ['**/main/**', '**/renderer/**'], message: 'The dashboard talks to the fleet server through its API only.' },
      {
        group: ['**/db/**', '**/devices/**', '**/operators/**', '**/http/**', '**/cli/**', '**/buildServer.js', '**/main.js'],
        message: "The dashboard is a page in the operator's browser: the server's Node code is not for it.",
      },
    ],
  ),
  // Everything else outside main/electron/.
  layer(['bench/**', 'e2e/**', 'scripts/**'], [electronImport]),
);
