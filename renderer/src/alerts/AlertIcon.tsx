import type { AlertSeverity } from '../../../src/api/contract.js';

/** A warning triangle for critical and warning alerts, an "i" for information: told apart by shape, not only colour. */
export function AlertIcon({ severity }: { severity: AlertSeverity }) {
  return (
    <svg className={`alert-icon ${severity}`} viewBox="0 0 24 24" aria-hidden="true">
      {severity === 'info' ? (
        <>
          <circle cx="12" cy="12" r="10" />
          <path d="M12 11v6 M12 7.2v.3" />
        </>
      ) : (
        <>
          <path d="M12 3L22 20H2Z" />
          <path d="M12 9.5v5 M12 17.2v.3" />
        </>
      )}
    </svg>
  );
}
