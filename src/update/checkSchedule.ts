/**
 * When to check for updates next. Healthy: every interval, spread by ±25 % so a fleet does not
 * call home in the same minute. After failed checks: sooner, backing off from a minute and doubling
 * per failure up to the interval, with full jitter (a repository coming back is not stampeded).
 */
export const FIRST_RETRY_MS = 60_000;

export function nextCheckDelay(intervalMs: number, consecutiveFailures: number, random: () => number = Math.random): number {
  if (consecutiveFailures <= 0) return intervalMs * (0.75 + random() / 2);
  const ceiling = Math.min(intervalMs, FIRST_RETRY_MS * 2 ** (consecutiveFailures - 1));
  return Math.max(1000, ceiling * random());
}
