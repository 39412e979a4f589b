import { useState, type ReactNode } from 'react';
import { SETUP_LOCALES, type SetupLocale } from '../../../src/api/contract.js';
import { Button } from '../design/Button.js';
import { setFormatLocale } from '../design/format.js';

export const REGION: Record<SetupLocale, string> = { 'en-US': 'United States', 'en-GB': 'United Kingdom', 'en-IN': 'India' };
/** A fixed moment and amount, so each choice shows its own formats side by side. */
const SAMPLE_TIME = Date.UTC(2026, 11, 24, 18, 30);
const SAMPLE_NUMBER = 1234567.5;

export function localeSample(locale: SetupLocale): { date: string; number: string } {
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(SAMPLE_TIME);
  return { date, number: new Intl.NumberFormat(locale).format(SAMPLE_NUMBER) };
}

/**
 * Language: the headset's words are in English only for now, so the real choice is how dates, times
 * and numbers are written. The choice applies at once, on every screen. The step is the wizard's
 * first screen and fits the panel's 1280 × 720 and 1024 × 600 whole: the choices stand in one row.
 */
export function LanguageStep({
  chosen,
  facts,
  onNext,
  onSkip,
}: {
  chosen: SetupLocale | null;
  facts?: ReactNode;
  onNext(locale: SetupLocale): void;
  onSkip(): void;
}) {
  // The system's own region when it is one of them, else the first: Enter alone goes on with a real choice.
  const [locale, setLocale] = useState<SetupLocale>(chosen ?? SETUP_LOCALES.find((l) => l === navigator.language) ?? SETUP_LOCALES[0]);
  const choose = (next: SetupLocale) => {
    setLocale(next);
    setFormatLocale(next);
  };
  return (
    <section className="wizard-step" aria-labelledby="setup-language-title">
      <h1 id="setup-language-title">Welcome to your headset</h1>
      <p>A short setup gets the headset ready: the arrows move, Enter chooses, Escape goes back a step.</p>
      {facts}
      <h2>Language and formats</h2>
      <p>English for now. Choose how dates, times and numbers are written:</p>
      <div className="setup-choices setup-locales" role="radiogroup" aria-label="Formats">
        {SETUP_LOCALES.map((option) => (
          <Button
            key={option}
            role="radio"
            aria-checked={locale === option}
            className="setup-choice"
            onClick={() => choose(option)}
            data-testid={`locale-${option}`}
          >
            <span className="setup-choice-title">{REGION[option]}</span>
            <span className="setup-choice-note">{localeSample(option).date}</span>
            <span className="setup-choice-note">{localeSample(option).number}</span>
          </Button>
        ))}
      </div>
      <div className="actions">
        <Button onClick={onSkip}>Skip: keep the system's formats</Button>
        <Button variant="primary" onClick={() => onNext(locale)} autoFocus data-testid="setup-language-continue">
          Continue
        </Button>
      </div>
    </section>
  );
}
