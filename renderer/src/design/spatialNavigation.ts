/**
 * Arrow-key (and controller d-pad) focus movement: the nearest focusable control in the pressed
 * direction: first in the same row or column, then weighing sideways distance double so focus
 * moves in straight lines across grids.
 */
export type Direction = 'up' | 'down' | 'left' | 'right';

const FOCUSABLE =
  'button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export const ARROW_KEYS: Record<string, Direction> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

export function focusableIn(scope: ParentNode): HTMLElement[] {
  return [...scope.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
}

export function moveFocus(scope: HTMLElement, direction: Direction): boolean {
  const candidates = focusableIn(scope);
  const from = document.activeElement instanceof HTMLElement && scope.contains(document.activeElement) ? document.activeElement : undefined;
  if (!from) {
    candidates[0]?.focus();
    return candidates.length > 0;
  }
  const fromRect = from.getBoundingClientRect();
  const origin = center(fromRect);
  let best: HTMLElement | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    if (candidate === from) continue;
    const rect = candidate.getBoundingClientRect();
    const c = center(rect);
    const dx = c.x - origin.x;
    const dy = c.y - origin.y;
    const [along, across] = direction === 'left' ? [-dx, dy] : direction === 'right' ? [dx, dy] : direction === 'up' ? [-dy, dx] : [dy, dx];
    if (along <= 1) continue;
    // A control in the same row (or column) comes before one slightly ahead in the next: the
    // neighbour straight ahead is what a person expects, however the grid's columns are sized.
    const inLine =
      direction === 'left' || direction === 'right'
        ? overlap(fromRect.top, fromRect.bottom, rect.top, rect.bottom)
        : overlap(fromRect.left, fromRect.right, rect.left, rect.right);
    const score = (inLine ? 0 : OUT_OF_LINE) + along + 2 * Math.abs(across);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  best?.focus();
  return best !== undefined;
}

/** Added to the score of controls outside the current row or column: larger than any screen. */
const OUT_OF_LINE = 100_000;

function overlap(startA: number, endA: number, startB: number, endB: number): boolean {
  return Math.min(endA, endB) - Math.max(startA, startB) > 1;
}

function center(rect: DOMRect): { x: number; y: number } {
  return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
}
