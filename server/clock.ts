/** The server's clock, injected so that tests can move time (expiries, timestamp windows). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
