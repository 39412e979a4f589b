import type { SupportRelayOffer } from '../../src/fleet/supportApi.js';

/** A relay for server tests that never dial it (the real-sshd tests make their own). */
export const TEST_SUPPORT_RELAY: SupportRelayOffer = {
  name: 'Example support',
  host: 'relay.example',
  port: 22,
  user: 'headsets',
  hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDeGugX3wQoA3Ti3twCVbSGMVLKSmVGh8NbeOXqIb7ZY',
  remotePort: 0,
  viewers: [{ name: 'Dana', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFMEnRP24AMhVp+uXHNeGfNVgMeOmTHBqbu3BLVqGBTE' }],
};
