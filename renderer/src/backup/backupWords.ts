import type { BackupActivity, BackupDestinationKind, BackupRecord } from '../../../src/api/contract.js';
import { formatDateTime } from '../design/format.js';

/** Plain words for the backup screen: places, phases, verification. */

export const PLACE_WORDS: Record<BackupDestinationKind, string> = {
  usb: 'USB stick',
  local: 'This headset',
  cloud: 'Cloud',
};

/** Why a place cannot be chosen now. */
export const ABSENT_WORDS: Record<BackupDestinationKind, string> = {
  usb: 'Plug in a USB stick',
  local: 'Not available',
  cloud: 'Not set up',
};

export function phaseWords(activity: Exclude<BackupActivity, { state: 'idle' }>): string {
  switch (activity.phase) {
    case 'preparing':
      return activity.state === 'restoring' ? 'Getting ready to restore' : 'Getting ready';
    case 'copying':
      return 'Copying your data';
    case 'checking':
      return 'Checking the backup reads back';
    case 'sample-restore':
      return 'Test-restoring some files';
    case 'cleaning-up':
      return 'Removing old backups';
    case 'restoring':
      return 'Restoring';
    case 'putting-back':
      return 'Putting your data back';
  }
}

/** What the verification of a backup found, in a few words. */
export function verifiedWords(record: BackupRecord): string {
  const verified = record.verified;
  if (!verified) return 'Not checked yet';
  const when = formatDateTime(verified.at);
  if (verified.result === 'ok') return `Checked ${when}`;
  const files = verified.damagedFiles.length;
  if (verified.result === 'damaged') return `Damaged (${files} ${files === 1 ? 'file' : 'files'}), found ${when}`;
  return `Test restore differed (${files} ${files === 1 ? 'file' : 'files'}), ${when}`;
}
