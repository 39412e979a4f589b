import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { WIFI_SECURITIES, JOINABLE_SECURITIES } from '../../../src/api/contract/network.js';
import { SimulatedStack, type StoredProfile } from '../../../src/network/SimulatedStack.js';
import { NetworkStateFile } from '../platform/NetworkStateFile.js';
import { ensureDirectory, readFileIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { ModeLatch } from './ports.js';

const airSchema = z.array(
  z.object({
    ssid: z.string(),
    signal: z.number(),
    security: z.enum(WIFI_SECURITIES),
    password: z.string().optional(),
    metered: z.boolean().optional(),
    hidden: z.boolean().optional(),
  }),
);

const profilesSchema = z.object({
  version: z.literal(1),
  profiles: z.array(
    z.object({
      id: z.string(),
      ssidHex: z.string(),
      security: z.enum(JOINABLE_SECURITIES),
      priority: z.number().int(),
      hidden: z.boolean(),
      powerSaveOff: z.boolean(),
      psk: z.string().nullable(),
    }),
  ),
});

export interface SimulatedNetworkPaths {
  /** The air: a JSON list of networks (ssid, signal, security, password, metered, hidden) a developer or test edits. */
  air: string;
  /** The cable: `online`, `metered` or `offline` (the uplink besides Wi-Fi, as before). */
  wired: string;
  /** The saved networks' folder on the data partition (user data: "saved networks"). */
  savedDir: string;
}

/**
 * The simulated headset's NetworkManager: SimulatedStack's rules over files. The air is read at
 * every step (editing it mid-join makes a network vanish); profiles, with their keys, live in
 * `savedDir/profiles.json` (0600), replaced crash-safely (temp, fsync, rename, fsync folder) as
 * NetworkManager's keyfiles are. An unreadable air file is an empty sky, said once in the error.
 */
export class SimulatedNetworkManager extends SimulatedStack {
  constructor(paths: SimulatedNetworkPaths, options: { associateMs?: number } = {}) {
    const wired = new NetworkStateFile(paths.wired);
    const profilesFile = join(paths.savedDir, 'profiles.json');
    super({
      air: async () => {
        const text = await readFile(paths.air, 'utf8').catch(() => '[]');
        const parsed = airSchema.safeParse(safeJson(text));
        return parsed.success ? parsed.data : [];
      },
      wired: () => wired.state(),
      loadProfiles: async () => {
        const raw = await readFileIfExists(profilesFile);
        if (!raw) return [];
        return profilesSchema.parse(JSON.parse(raw.toString('utf8'))).profiles;
      },
      saveProfiles: async (profiles: StoredProfile[]) => {
        await ensureDirectory(paths.savedDir);
        await writeFileAtomic(profilesFile, `${JSON.stringify({ version: 1, profiles }, null, 2)}\n`, { mode: 0o600 });
      },
      newId: () => randomUUID(),
      associate: () => new Promise((resolve) => setTimeout(resolve, options.associateMs ?? 400)),
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The hotspot/client latch as a sysfs-style GPIO value file: `1` hotspot, anything else client. */
export class LatchValueFile implements ModeLatch {
  constructor(private readonly path: string) {}

  async read(): Promise<'client' | 'hotspot'> {
    const value = (await readFile(this.path, 'utf8').catch(() => '0')).trim();
    return value === '1' ? 'hotspot' : 'client';
  }
}
