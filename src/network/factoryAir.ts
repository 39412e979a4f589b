import type { AirNetwork } from './SimulatedStack.js';

/** What a new simulated headset finds on the air (README: `network/air.json`). */
export const FACTORY_AIR: AirNetwork[] = [
  { ssid: 'Home', signal: 82, security: 'wpa2-personal', password: 'correct horse battery' },
  { ssid: 'Café: "free" wifi', signal: 56, security: 'open' },
  { ssid: 'Phone hotspot', signal: 64, security: 'wpa3-personal', password: 'phone-pass-42', metered: true },
  { ssid: 'Office', signal: 38, security: 'enterprise' },
  { ssid: 'Support desk', signal: 70, security: 'wpa2-personal', password: 'support-desk-2026', hidden: true },
];
