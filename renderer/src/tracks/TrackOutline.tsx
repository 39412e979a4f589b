/** A track's outline, map-free: the shape as driven, the start/finish line marked, north up. */
export function TrackOutline({ outline, label }: { outline: readonly [number, number][]; label: string }) {
  if (outline.length < 3) return null;
  const xs = outline.map(([x]) => x);
  const ys = outline.map(([, y]) => y);
  const minX = Math.min(...xs);
  const maxY = Math.max(...ys);
  const width = Math.max(1, Math.max(...xs) - minX);
  const height = Math.max(1, maxY - Math.min(...ys));
  const pad = Math.max(width, height) * 0.06;
  // North up: screen y grows downwards.
  const points = outline.map(([x, y]) => `${(x - minX + pad).toFixed(0)},${(maxY - y + pad).toFixed(0)}`).join(' ');
  const [sx, sy] = outline[0]!;
  return (
    <svg
      className="track-outline"
      viewBox={`0 0 ${(width + 2 * pad).toFixed(0)} ${(height + 2 * pad).toFixed(0)}`}
      role="img"
      aria-label={label}
      data-testid="track-outline"
    >
      <polygon points={points} />
      <circle cx={(sx - minX + pad).toFixed(0)} cy={(maxY - sy + pad).toFixed(0)} r={pad * 0.7} />
    </svg>
  );
}
