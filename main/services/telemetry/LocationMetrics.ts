import { coarsenLocation, type KnownTrack } from '../../../src/telemetry/anonymize.js';
import type { CurrentConsent } from './CurrentConsent.js';
import type { MetricRecorder } from './MetricRecorder.js';

/** The GPS's latest precise fix, as the health service keeps it. */
export type LatestFix = () => { position: { lat: number; lon: number }; at: number } | null;

/** Where the headset is, coarsened (the nearest point of a known track, or a 5 km cell) before it is recorded. */
export class LocationMetrics {
  constructor(
    private readonly latestFix: LatestFix,
    private readonly recorder: MetricRecorder,
    private readonly consent: CurrentConsent,
    private readonly knownTracks?: readonly KnownTrack[],
  ) {}

  async recordLatest(): Promise<void> {
    const fix = this.latestFix();
    // record() checks the grant too; checked here, a fix that may not be sent is not even coarsened.
    if (!fix || !this.consent.isGranted('location')) return;
    await this.recorder.record(
      'location.coarse',
      null,
      coarsenLocation({ latitude: fix.position.lat, longitude: fix.position.lon }, this.knownTracks),
      new Date(fix.at),
    );
  }
}
