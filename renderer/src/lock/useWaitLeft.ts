import { useEffect, useState } from 'react';
import { waitLeft } from './lockProblem.js';

/** Milliseconds left of the wait after wrong PINs, counted down once a second while it runs. */
export function useWaitLeft(waitUntil: string | null | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  const left = waitLeft(waitUntil, now);
  useEffect(() => {
    setNow(Date.now());
    if (!waitUntil) return;
    const timer = setInterval(() => {
      const at = Date.now();
      setNow(at);
      if (waitLeft(waitUntil, at) === 0) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);
  return left;
}
