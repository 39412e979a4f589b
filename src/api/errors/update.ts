/** Updates: the update service's state machine, the repository check, and the checks before and after writing a slot. */
export const updateErrors = {
  UPDATE_INCOMPATIBLE: 'The bundle is for another model, or writes a partition this headset does not have.',
  UPDATE_NOT_NEWER: 'The bundle is not newer than the installed system (a rollback needs an explicit, signed choice).',
  UPDATE_BELOW_MIN_VERSION: 'The installed system is older than the lowest version the bundle may be installed over.',
  UPDATE_REQUIREMENT_UNMET: 'A component the bundle depends on is missing or outside the required version range.',
  UPDATE_NO_SPACE: 'There is not enough free space on the data partition to download the update.',
  UPDATE_TOO_LARGE: 'An image of the bundle is larger than the slot partition it targets.',
  UPDATE_NO_BOOT_SPACE: 'There is not enough free space on the boot partition for what the install writes there.',
  UPDATE_SERVICE_STOP_FAILED: 'A service that must be stopped while the slot is written would not stop; nothing was written.',
  SLOT_VERIFY_FAILED: 'An image did not read back from the slot as written; the slot stays unbootable.',
  UPDATE_NOT_CONFIGURED: 'No update repository is configured on this headset (address and trusted root).',
  UPDATE_CHECK_FAILED: 'The update repository could not be reached, or its metadata was refused (expired, rolled back, badly signed).',
  UPDATE_NOTHING_TO_DO: 'There is nothing for this action to act on (no update offered, downloaded, installed, or no slot to go back to).',
  UPDATE_ROLLBACK_NOT_ALLOWED: "The repository's signed metadata no longer lists the version to go back to (it was revoked).",
  UPDATE_IN_PROGRESS: 'Another update operation is running; wait for it or cancel it first.',
} as const;
