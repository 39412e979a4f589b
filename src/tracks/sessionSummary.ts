/** A lap as a session keeps it (no trace: positions stay out of sessions). */
export interface KeptLap {
  number: number;
  startedAt: number;
  timeMs: number;
  sectorsMs: number[] | null;
  distanceM: number;
  pit: boolean;
  valid: boolean;
  /** Milliseconds from the lap's start at each hundredth of its distance (for deltas). */
  profile: number[];
}

/** The best valid lap, the best of each sector over the valid laps, and their sum. */
export function sessionBests(laps: readonly KeptLap[]): {
  bestLap: KeptLap | null;
  bestSectorsMs: number[] | null;
  theoreticalBestMs: number | null;
} {
  const valid = laps.filter((lap) => lap.valid);
  const bestLap = valid.reduce<KeptLap | null>((best, lap) => (best === null || lap.timeMs < best.timeMs ? lap : best), null);
  const withSectors = valid.filter((lap) => lap.sectorsMs !== null);
  const count = withSectors[0]?.sectorsMs?.length ?? 0;
  if (count === 0 || withSectors.some((lap) => lap.sectorsMs!.length !== count)) return { bestLap, bestSectorsMs: null, theoreticalBestMs: null };
  const bestSectorsMs = Array.from({ length: count }, (_, i) => Math.min(...withSectors.map((lap) => lap.sectorsMs![i]!)));
  return { bestLap, bestSectorsMs, theoreticalBestMs: bestSectorsMs.reduce((sum, s) => sum + s, 0) };
}
