/**
 * Arrow-key (and controller d-pad) focus movement: the nearest focusable control in the pressed
 * direction, weighing sideways distance double so focus moves in straight lines across grids.
 */
export type Direction = 'up' | 'down' | 'left' | 'right';

const FOCUSABLE = 'button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

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
  const origin = center(from.getBoundingClientRect());
  let best: HTMLElement | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    if (candidate === from) continue;
    const c = center(candidate.getBoundingClientRect());
    const dx = c.x - origin.x;
    const dy = c.y - origin.y;
    const [along, across] = direction === 'left' ? [-dx, dy] : direction === 'right' ? [dx, dy] : direction === 'up' ? [-dy, dx] : [dy, dx];
    if (along <= 1) continue;
    const score = along + 2 * Math.abs(across);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  best?.focus();
  return best !== undefined;
}

function center(rect: DOMRect): { x: number; y: number } {
  return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
}
