import { encode } from 'uqr';

/** A QR code as one SVG path of its dark modules (one unit a module), and its size with the quiet zone. */
export function qrPath(text: string): { path: string; size: number } {
  // M: a quarter of the symbol may be unreadable (a smudged or curved screen) and it still scans.
  // The border is the four-module quiet zone scanners need around the symbol.
  const { data, size } = encode(text, { ecc: 'M', border: 4 });
  let path = '';
  data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return { path, size };
}
