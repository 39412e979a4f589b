/**
 * Poisson tail probabilities, for "is this count surprising at that rate": how many times more than
 * usual is not enough on its own (3 where 1 was usual is noise; 300 where 100 was usual is not).
 */

/** ln Γ(x) (Lanczos, g = 7): exact enough for tail probabilities. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** -log10 P(X >= observed) for X ~ Poisson(expected): 0 when nothing is surprising, 6 for one in a million. */
export function poissonSurprise(observed: number, expected: number): number {
  if (observed <= expected || observed <= 0) return 0;
  const lambda = Math.max(expected, 1e-9);
  const logTerm = (k: number) => k * Math.log(lambda) - lambda - logGamma(k + 1);
  // log-sum-exp over the upper tail; terms fall fast past the mode.
  const first = logTerm(observed);
  let sum = 0;
  for (let k = observed; k < observed + 1000; k++) {
    const r = Math.exp(logTerm(k) - first);
    sum += r;
    if (r < 1e-12) break;
  }
  const logP = first + Math.log(sum);
  return Math.max(0, -logP / Math.LN10);
}
