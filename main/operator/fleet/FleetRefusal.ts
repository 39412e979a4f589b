/** The fleet server refused: its catalogue code (docs/fleet-errors.md) and message, as `headsetctl` prints them. */
export class FleetRefusal extends Error {
  constructor(
    readonly fleetCode: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'FleetRefusal';
  }
}
