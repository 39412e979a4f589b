import type { RegistrationStatus } from '../../../src/api/contract.js';
import { formatLocalTime } from '../design/format.js';

/** What About says about who manages the headset: a headline, and a plain note under it. */
export interface RegistrationWords {
  headline: string;
  note: string;
  /** Show the code and the server's words under "Details for support". */
  details: boolean;
}

/**
 * The registration in the wearer's words: managed or not, by which server, and what is happening,
 * without codes (those go under details). A headset the server accepted stays "managed" while the
 * server is out of reach: nothing about it changed.
 */
export function registrationWords(status: RegistrationStatus, now = Date.now()): RegistrationWords {
  const server = status.serverName ?? 'the fleet server';
  const retryAt = status.nextAttemptAt ? ` It tries again at ${formatLocalTime(status.nextAttemptAt, { now })}.` : '';
  const lastSeen = status.lastCheckInAt ? ` Last in touch at ${formatLocalTime(status.lastCheckInAt, { now })}.` : '';
  const joinOrManaged = status.accepted ? `Managed by ${server}` : `Joining ${server}`;
  switch (status.state) {
    case 'unmanaged':
      return { headline: 'Not managed', note: 'No organisation manages this headset: it reports to no server.', details: false };
    case 'offline':
      return {
        headline: joinOrManaged,
        note: status.accepted ? `Offline: it checks in once online.${lastSeen}` : `Offline: it asks ${server} to manage it once online.`,
        details: false,
      };
    case 'contacting':
      return { headline: joinOrManaged, note: `Asking ${server}…`, details: false };
    case 'pending':
      return { headline: `Waiting for ${server}`, note: `An administrator of ${server} must accept this headset.`, details: true };
    case 'registered':
      return { headline: `Managed by ${server}`, note: lastSeen.trim() || `It reports to ${server} regularly.`, details: false };
    case 'refused':
      return { headline: `Refused by ${server}`, note: `${server} does not manage this headset. Ask its administrator.`, details: true };
    case 'retrying': {
      const why = status.problem?.code === 'FLEET_UNREACHABLE' ? `Cannot reach ${server} right now.` : `${server} cannot answer right now.`;
      return { headline: joinOrManaged, note: `${why}${retryAt}`, details: true };
    }
  }
}
