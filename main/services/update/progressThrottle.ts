/**
 * Whether a progress report goes out: at most one per interval (5 a second by default), and always
 * the last one. Every chunk would flood the UI and the log.
 */
export function progressThrottle(intervalMs = 200): (done: number, total: number) => boolean {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < intervalMs && done < total) return false;
    last = now;
    return true;
  };
}
