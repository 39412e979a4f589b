/**
 * What remote support needs from outside its folder: where the relay is and how the session's key
 * gets in there, the physical support switch, and what the view shows.
 */

/** A support relay: the vendor's SSH server the headset dials out to. */
export interface SupportRelay {
  /** Who is on the other side, as the wearer is told ("Acme support"). */
  name: string;
  host: string;
  port: number;
  /** The account on the relay the headset logs in as. */
  user: string;
  /** The relay's host key (`ssh-ed25519 AAAA…`): the only key the headset accepts from it. */
  hostKey: string;
  /** The port on the relay that forwards to the headset (0: the relay picks one and ssh prints it). */
  remotePort: number;
  /** Support people who may log in to the view, by name, with their public keys. */
  viewers: { name: string; key: string }[];
}

/**
 * Where the relay comes from and how the session's fresh key is let in there. Today a file in
 * headsetd's state folder (RelayConfigFile); the fleet server hands both out later (a second
 * implementation of this port, wired in main/host/wiring.ts).
 */
export interface RelayDirectory {
  /** The relay to use, or null where none is configured. */
  relay(): Promise<SupportRelay | null>;
  /**
   * Lets `publicKeyLine` in at the relay for one session, limited to forwarding the one port;
   * returns what takes it out again.
   */
  authorize(relay: SupportRelay, publicKeyLine: string, sessionId: string): Promise<() => Promise<void>>;
}

/** The physical support switch (a GPIO line; a file on the simulated headset). */
export interface SupportSwitch {
  isOn(): Promise<boolean>;
}

/** What the read-only view holds, as paths on the headset. */
export interface SupportViewSources {
  logDir: string;
  crashesDir: string;
  /** Health snapshots (JSON lines). */
  healthHistory: string;
  updateHistory: string;
  /** Configuration files shown with their secrets removed; anything not listed here is not shown. */
  configFiles: string[];
}
