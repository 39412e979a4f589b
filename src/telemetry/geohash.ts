/**
 * Geohash (Niemeyer's public-domain scheme): interleaved longitude/latitude bits in base 32.
 * Precision 5 is a cell of about 4.9 km x 4.9 km: the coarse location telemetry may send.
 */
const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

export function encodeGeohash(latitude: number, longitude: number, precision = 5): string {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
    throw new RangeError(`not a position: ${latitude}, ${longitude}`);
  }
  const lat = [-90, 90];
  const lon = [-180, 180];
  let hash = '';
  let bits = 0;
  let index = 0;
  let evenBit = true;
  while (hash.length < precision) {
    const range = evenBit ? lon : lat;
    const value = evenBit ? longitude : latitude;
    const middle = (range[0]! + range[1]!) / 2;
    index <<= 1;
    if (value >= middle) {
      index |= 1;
      range[0] = middle;
    } else {
      range[1] = middle;
    }
    evenBit = !evenBit;
    if (++bits === 5) {
      hash += BASE32[index];
      bits = 0;
      index = 0;
    }
  }
  return hash;
}

/** The cell a geohash names: its south-west and north-east corners. */
export function decodeGeohashBounds(hash: string): { south: number; west: number; north: number; east: number } {
  const lat = [-90, 90];
  const lon = [-180, 180];
  let evenBit = true;
  for (const char of hash) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new RangeError(`not a geohash: ${hash}`);
    for (let bit = 4; bit >= 0; bit--) {
      const range = evenBit ? lon : lat;
      const middle = (range[0]! + range[1]!) / 2;
      if ((index >> bit) & 1) range[0] = middle;
      else range[1] = middle;
      evenBit = !evenBit;
    }
  }
  return { south: lat[0]!, west: lon[0]!, north: lat[1]!, east: lon[1]! };
}
