/** Recovery installs: network and USB recovery from the recovery system. */
export const recoveryErrors = {
  RECOVERY_NO_SYSTEM_AVAILABLE: 'The update repository lists no full system for this headset at or above its version floor.',
  RECOVERY_NO_STICK: 'No USB stick is plugged in.',
  RECOVERY_NO_BUNDLE_ON_STICK: 'The USB stick holds no update bundle (a .hcb file at its top level).',
  RECOVERY_SEVERAL_BUNDLES_ON_STICK: 'The USB stick holds more than one update bundle; leave only the one to install.',
} as const;
