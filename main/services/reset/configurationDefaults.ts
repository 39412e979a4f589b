/**
 * The declared table of configuration a configuration reset restores (000 §3.3): each entry is a
 * settings file in headsetd's state folder and the value it goes back to, or `absent` when the
 * owning service's own default is "no file" (nothing dismissed, nothing allowed). What is not in
 * the table is kept on purpose, with the reason in `KEPT_CONFIGURATION`.
 */
export interface ConfigurationDefault {
  id: string;
  /** Plain words, as the report and the log say it. */
  title: string;
  /** Relative to headsetd's state folder. */
  path: string;
  value: { json: unknown } | 'absent';
  /** The owning service reads no file as this default (so an erased class's file is at its default too). */
  absentIsDefault?: boolean;
}

export const CONFIGURATION_DEFAULTS: readonly ConfigurationDefault[] = [
  {
    id: 'update-settings',
    title: 'Update preferences',
    path: 'update-settings.json',
    // The update service's DEFAULT_UPDATE_SETTINGS (configurationReset.test.ts keeps the two equal).
    value: { json: { bandwidthLimitBytesPerSecond: null, allowMetered: false, checkIntervalHours: 6 } },
    absentIsDefault: true,
  },
  { id: 'alerts-dismissed', title: 'Notices already dismissed', path: 'alerts-dismissed.json', value: 'absent' },
  // No consent recorded is the privacy default: no telemetry beyond what is always sent, until asked again.
  { id: 'privacy', title: 'Privacy choices', path: 'privacy-consent.json', value: 'absent' },
];

/** Configuration a configuration reset leaves as it is, and why. */
export const KEPT_CONFIGURATION: ReadonlyArray<{ path: string; why: string }> = [
  { path: 'update-config.json', why: "the operator's update server, not the wearer's setting" },
  { path: 'telemetry-config.json', why: "the operator's telemetry server" },
  { path: 'fleet-config.json', why: "the operator's fleet server" },
  { path: 'support-relay.json', why: "the operator's support relay" },
];
