import { useCallback, useEffect, useRef, useState, type ComponentType } from 'react';
import { useKeyboardNavigation } from '../design/useKeyboardNavigation.js';
import { HomeScreen } from './HomeScreen.js';
import { UpdatesScreen } from '../update/UpdatesScreen.js';
import { LogsScreen } from '../logs/LogsScreen.js';
import { PrivacyScreen } from '../privacy/PrivacyScreen.js';
import { LockScreen } from '../lock/LockScreen.js';
import { ProfileScreen } from '../profile/ProfileScreen.js';
import { BackupScreen } from '../backup/BackupScreen.js';
import { PowerScreen } from '../power/PowerScreen.js';
import { AboutScreen } from '../about/AboutScreen.js';
import { LicenseScreen } from '../license/LicenseScreen.js';
import { SessionsScreen } from '../tracks/SessionsScreen.js';
import { SupportScreen } from '../support/SupportScreen.js';
import { SupportBanner } from '../support/SupportBanner.js';
import { NetworkStatus } from '../network/NetworkStatus.js';
import { NetworkScreen } from '../network/NetworkScreen.js';
import { useScreenViews } from '../privacy/useScreenViews.js';
import { UpdatesBadge } from '../update/UpdatesBadge.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { AlertBanner, type AlertScreen } from '../alerts/AlertBanner.js';
import { AlertsBadge } from '../alerts/AlertsBadge.js';

/** The screens in navigation. A screen is listed only once the feature it drives works. */
const SCREENS: { id: string; title: string; component: ComponentType; Badge?: ComponentType }[] = [
  { id: 'home', title: 'Home', component: HomeScreen },
  { id: 'updates', title: 'Updates', component: UpdatesScreen, Badge: UpdatesBadge },
  { id: 'privacy', title: 'Privacy', component: PrivacyScreen },
  { id: 'network', title: 'Network', component: NetworkScreen },
  { id: 'sessions', title: 'Sessions', component: SessionsScreen },
  { id: 'you', title: 'You', component: ProfileScreen },
  { id: 'lock', title: 'Lock', component: LockScreen },
  { id: 'backup', title: 'Backup & reset', component: BackupScreen },
  { id: 'logs', title: 'Logs & Diagnostics', component: LogsScreen },
  { id: 'support', title: 'Remote support', component: SupportScreen },
  { id: 'power', title: 'Power', component: PowerScreen },
  { id: 'license', title: 'License', component: LicenseScreen },
  { id: 'about', title: 'About', component: AboutScreen },
];

export function SettingsShell() {
  const [current, setCurrent] = useState(SCREENS[0]!.id);
  const scope = useRef<HTMLDivElement>(null);
  const nav = useRef<HTMLElement>(null);
  // Escape always leads back: to Home, then to the navigation rail.
  const back = useCallback(() => {
    if (current !== 'home') setCurrent('home');
    else nav.current?.querySelector<HTMLElement>('[aria-current="page"]')?.focus();
  }, [current]);
  // Focus that went away (a restart re-renders the shell) lands on the current screen's entry.
  const currentEntry = useCallback(() => nav.current?.querySelector<HTMLElement>('[aria-current="page"]'), []);
  useKeyboardNavigation(scope, back, currentEntry);
  // On a short panel the entries scroll: the current one is kept in sight.
  useEffect(() => {
    currentEntry()?.scrollIntoView({ block: 'nearest' });
  }, [current, currentEntry]);
  const Screen = SCREENS.find((s) => s.id === current)!.component;
  useScreenViews(current);
  const openFromAlert = useCallback((screen: AlertScreen) => setCurrent(screen), []);
  return (
    <div className="shell" ref={scope} data-mode="settings">
      <SupportBanner />
      <nav className="rail" ref={nav} aria-label="Settings">
        <div className="brand">Headset Control</div>
        {/* The entries scroll on a short panel; the alerts, the network and the connection below them stay in sight. */}
        <div className="rail-items">
          {SCREENS.map((screen) => (
            <button
              key={screen.id}
              type="button"
              className="rail-item"
              aria-current={screen.id === current ? 'page' : undefined}
              onClick={() => setCurrent(screen.id)}
            >
              {screen.title}
              {screen.Badge && <screen.Badge />}
            </button>
          ))}
        </div>
        <AlertsBadge />
        <NetworkStatus />
        <ConnectionBadge />
      </nav>
      {/* A new element per screen: each screen opens at its top, not at the last one's scroll position. */}
      <main key={current} className="content" aria-label={SCREENS.find((s) => s.id === current)!.title}>
        <AlertBanner current={current} onOpen={openFromAlert} />
        <Screen />
      </main>
    </div>
  );
}
