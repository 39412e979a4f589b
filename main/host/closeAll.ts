/** One step of a shutdown: what it stops (for the log) and how. */
export type CloseStep = readonly [what: string, close: () => unknown];

/**
 * Runs shutdown steps one after another, each whatever the others did: a step that throws is
 * reported and the rest still run (the watchdog is released and the log closed after a failed stop).
 */
export async function closeAll(steps: readonly CloseStep[], onFailure: (what: string, error: unknown) => void): Promise<void> {
  for (const [what, close] of steps) {
    try {
      await close();
    } catch (error) {
      onFailure(what, error);
    }
  }
}
