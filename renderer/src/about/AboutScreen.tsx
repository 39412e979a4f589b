import { useRef, useState } from 'react';
import { useBootStore } from '../boot/bootStore.js';
import { Button } from '../design/Button.js';
import { formatDateTime } from '../design/format.js';
import { Panel } from '../design/Panel.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { PolicyOverlay } from '../privacy/PolicyOverlay.js';
import { registrationWords } from '../registration/registrationWords.js';
import { useRegistrationStore } from '../registration/registrationStore.js';
import { usePrivacyStore } from '../privacy/privacyStore.js';
import { useDeviceStore } from '../system/deviceStore.js';
import { licenseWords } from '../license/licenseWords.js';
import { useLicenseStore } from '../license/licenseStore.js';
import { useSystemVersion } from '../system/useSystemVersion.js';
import { OpenSourceNotices } from './OpenSourceNotices.js';
import { qrPath } from './qrPath.js';
import './about.css';

/**
 * About this headset: what it is (model, serial number, device id), the support code to read out
 * or show as a QR code, its system and the app's versions and build, the privacy policy, and the
 * open-source notices of everything shipped. What only support reads is under "Technical details".
 */
export function AboutScreen() {
  const { info, identity } = useDeviceStore();
  const boot = useBootStore((s) => s.status);
  const registration = useRegistrationStore((s) => s.status);
  const license = useLicenseStore((s) => s.status);
  const system = useSystemVersion();
  const policyVersion = usePrivacyStore((s) => s.status?.policyVersion);
  const [policyOpen, setPolicyOpen] = useState(false);
  const policyButton = useRef<HTMLButtonElement>(null);
  const components = Object.entries(info?.components ?? {});
  return (
    <div className="about">
      <Panel title="This headset" className="about-device">
        <dl className="facts">
          <dt>Model</dt>
          <dd data-testid="about-model">
            {info?.model} {info?.deviceProfile === 'simulated' && <span className="badge warn">Simulated</span>}
          </dd>
          <dt>Serial number</dt>
          <dd className="mono" data-testid="about-serial">
            {info ? (info.serial ?? 'Not recorded on this headset') : ''}
          </dd>
          <dt>Device ID</dt>
          <dd className="mono about-wrap" data-testid="about-device-id">
            {identity?.deviceId}
          </dd>
          <dt>Licence</dt>
          <dd data-testid="about-license">{license && `${licenseWords(license).title}. ${licenseWords(license).detail}`}</dd>
        </dl>
        {registration && <Management status={registration} />}
      </Panel>
      <Panel title="Support code" className="about-support">
        {identity && <SupportCode code={identity.supportCode} />}
      </Panel>
      <Panel title="Software" className="about-software">
        <dl className="facts">
          <dt>System</dt>
          <dd data-testid="about-system">{system ? `System ${system}` : ''}</dd>
          <dt>Settings app</dt>
          <dd data-testid="about-app-version">{info?.appVersion}</dd>
          <dt>Build</dt>
          <dd data-testid="about-build">{info && `Made ${formatDateTime(info.builtAt)}`}</dd>
        </dl>
        <details className="about-technical">
          <summary>Technical details</summary>
          <dl className="facts">
            <dt>Build commit</dt>
            <dd className="mono about-wrap" data-testid="about-commit">
              {info?.commit}
            </dd>
            <dt>Identity key</dt>
            <dd className="mono about-wrap" data-testid="about-public-key">
              ed25519 {identity?.publicKey}
            </dd>
            {boot && (
              <>
                <dt>Starts next from</dt>
                <dd data-testid="about-boot-order">
                  slot {boot.order[0]}
                  {boot.fellBack ? ' (this start fell back to the other slot)' : ''}
                </dd>
              </>
            )}
            {components.length > 0 && (
              <>
                <dt>Parts</dt>
                <dd>{components.map(([name, version]) => `${name} ${version}`).join(', ')}</dd>
              </>
            )}
          </dl>
        </details>
      </Panel>
      <Panel title="Privacy" className="about-privacy">
        <p>What the headset keeps and shares, and what you chose, is in the privacy policy.</p>
        {policyVersion !== undefined && (
          <Button ref={policyButton} onClick={() => setPolicyOpen(true)}>
            Read the privacy policy
          </Button>
        )}
      </Panel>
      <Panel title="Open-source notices" className="about-notices">
        <OpenSourceNotices />
      </Panel>
      {policyOpen && policyVersion !== undefined && (
        <PolicyOverlay
          version={policyVersion}
          backLabel="Back to About"
          onClose={() => {
            setPolicyOpen(false);
            policyButton.current?.focus();
          }}
        />
      )}
    </div>
  );
}

/** Who manages the headset (a fleet server, or nobody) and how its registration stands; the code under details. */
function Management({ status }: { status: NonNullable<ReturnType<typeof useRegistrationStore.getState>['status']> }) {
  const words = registrationWords(status);
  return (
    <div className="about-management" data-testid="about-management" data-state={status.state}>
      <p className="about-management-headline" data-testid="about-management-headline">
        {words.headline}
      </p>
      <p className="muted" data-testid="about-management-note">
        {words.note}
      </p>
      {words.details && status.problem && <ProblemDetails code={status.problem.code} message={status.problem.message} />}
    </div>
  );
}

/** The code, large, in groups a person reads out, and as a QR code a phone can scan. */
function SupportCode({ code }: { code: string }) {
  const qr = qrPath(code);
  return (
    <>
      <p className="support-code" data-testid="support-code">
        {code}
      </p>
      <div className="support-code-row">
        <svg
          className="support-qr"
          viewBox={`0 0 ${qr.size} ${qr.size}`}
          role="img"
          aria-label={`QR code of the support code ${code}`}
          data-testid="support-qr"
        >
          <rect width={qr.size} height={qr.size} fill="#fff" />
          <path d={qr.path} fill="#000" shapeRendering="crispEdges" />
        </svg>
        <p className="muted support-code-words">
          Read this code to support, or let them scan it: it tells them which headset this is, and nothing else.
        </p>
      </div>
    </>
  );
}
