import { signalWords } from './networkWords.js';

/** Signal as four rising bars (the lit ones solid, the others outlined), with the words for a screen reader. */
export function SignalBars({ bars }: { bars: number }) {
  return (
    <span className="signal" data-bars={bars}>
      <svg className="signal-bars" viewBox="0 0 28 24" aria-hidden="true">
        {[0, 1, 2, 3].map((i) => (
          <rect key={i} x={1 + i * 7} y={18 - i * 5} width="5" height={5 + i * 5} rx="1" className={i < bars ? 'lit' : undefined} />
        ))}
      </svg>
      <span className="sr-only">{signalWords(bars)}</span>
    </span>
  );
}
