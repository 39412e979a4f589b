import './problemDetails.css';

/**
 * What support needs and the wearer does not: the error's code and the service's own words, folded
 * away under "Details" so the screen itself speaks plainly.
 */
export function ProblemDetails({ code, message }: { code?: string; message?: string }) {
  if (!code && !message) return null;
  return (
    <details className="problem-details">
      <summary>Details for support</summary>
      {code && (
        <p>
          Code <span className="mono">{code}</span>
        </p>
      )}
      {message && <p className="problem-details-message">{message}</p>}
    </details>
  );
}
