/**
 * What a secure wipe can erase, as the wearer chooses it. `everything` is the factory reset; the
 * others erase selected classes of user data (main/services/userData/userDataClasses.ts says which).
 * `decommission` also destroys the device's identity: only an operator retiring the headset asks it.
 */
export const WIPE_SCOPES = ['everything', 'networks', 'wearer', 'logs', 'backups', 'decommission'] as const;
export type WipeScope = (typeof WIPE_SCOPES)[number];

/** The scopes in plain words, for the screen and the sanitization record. */
export const WIPE_SCOPE_TITLES: Record<WipeScope, string> = {
  everything: 'Everything (factory reset)',
  networks: 'Saved networks',
  wearer: "The wearer's data",
  logs: 'Logs and diagnostics',
  backups: 'Backups kept on the headset',
  decommission: 'Everything and the device identity (decommissioning)',
};
