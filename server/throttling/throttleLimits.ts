/** A fixed-window limit: at most `limit` counted events per `windowMs`. */
export interface ThrottleRule {
  /** The counter's prefix in throttle_counters (also what tests and logs name it by). */
  name: string;
  limit: number;
  windowMs: number;
}

export interface ThrottleLimits {
  /** Failed logins from one address (the password is not even checked past it). */
  loginPerAddress: ThrottleRule;
  /** Failed logins for one user name, from anywhere. */
  loginPerUser: ThrottleRule;
  /** Registration challenges asked for from one address (a site's headsets behind one NAT share it). */
  challengePerAddress: ThrottleRule;
  /** Registration challenges for one device id. */
  challengePerDevice: ThrottleRule;
}

const MINUTE = 60_000;

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  loginPerAddress: { name: 'login-address', limit: 30, windowMs: 15 * MINUTE },
  loginPerUser: { name: 'login-user', limit: 10, windowMs: 15 * MINUTE },
  challengePerAddress: { name: 'challenge-address', limit: 300, windowMs: MINUTE },
  challengePerDevice: { name: 'challenge-device', limit: 20, windowMs: 10 * MINUTE },
};

export function throttleLimits(overrides: Partial<ThrottleLimits> = {}): ThrottleLimits {
  return { ...DEFAULT_THROTTLE_LIMITS, ...overrides };
}
