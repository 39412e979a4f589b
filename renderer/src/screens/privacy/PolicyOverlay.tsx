import { useEffect, useRef } from 'react';
import { Button } from '../../design/Button.js';
import { useEscape } from '../../design/focus.js';
import { PolicyScroll } from './PolicyScroll.js';

/**
 * The privacy policy over the whole setup step, so reading it never pushes the choices off-screen.
 * The text takes the focus (Up and Down scroll it); Escape or Close returns to the choices.
 */
export function PolicyOverlay({ version, onClose }: { version: number; onClose: () => void }) {
  const text = useRef<HTMLDivElement>(null);
  useEscape(true, onClose);
  useEffect(() => text.current?.focus({ preventScroll: true }), []);
  return (
    <div className="policy-overlay" role="dialog" aria-modal="true" aria-labelledby="policy-overlay-title">
      <div className="policy-overlay-head">
        <h2 id="policy-overlay-title">Privacy policy, version {version}</h2>
        <Button variant="primary" onClick={onClose}>
          Back to the choices (Escape)
        </Button>
      </div>
      <PolicyScroll ref={text} className="policy-overlay-text" />
    </div>
  );
}
