import type { ApiClient } from '../../../src/api/client.js';
import { bindAlertsStore } from '../alerts/bindAlertsStore.js';
import { bindBackupStore } from '../backup/bindBackupStore.js';
import { bindConnectionStore } from '../api/bindConnectionStore.js';
import { bindBootStore } from '../boot/bindBootStore.js';
import { bindHealthStore } from '../health/bindHealthStore.js';
import { bindLockStore } from '../lock/bindLockStore.js';
import { bindModeStore } from '../mode/bindModeStore.js';
import { bindNetworkStore } from '../network/bindNetworkStore.js';
import { bindPowerStore } from '../power/powerStore.js';
import { bindPrivacyStore } from '../privacy/bindPrivacyStore.js';
import { bindSupportStore } from '../support/bindSupportStore.js';
import { bindRegistrationStore } from '../registration/bindRegistrationStore.js';
import { bindResetStore } from '../reset/bindResetStore.js';
import { bindRecoveryInstallStore } from '../recovery/bindRecoveryInstallStore.js';
import { bindLicenseStore } from '../license/bindLicenseStore.js';
import { bindTracksStore } from '../tracks/bindTracksStore.js';
import { bindSetupStore } from '../setup/bindSetupStore.js';
import { bindProfileStore } from '../profile/bindProfileStore.js';
import { bindDeviceStore } from '../system/bindDeviceStore.js';
import { bindUpdateStore } from '../update/bindUpdateStore.js';

/** Binds each capability's store to the client (each capability knows its own events); connected once all are. */
export function bindStores(client: ApiClient): Promise<void> {
  return bindConnectionStore(client, async () => {
    bindModeStore(client);
    // Before the screens draw dates: the formats the wearer chose (in setup, or Settings, You).
    bindProfileStore(client);
    bindSetupStore(client);
    bindBootStore(client);
    bindPrivacyStore(client);
    bindHealthStore(client);
    bindUpdateStore(client);
    // Read once with the device's facts: Home's meters colour at the thresholds from the start.
    const thresholds = bindAlertsStore(client);
    bindLockStore(client);
    bindBackupStore(client);
    bindSupportStore(client);
    bindNetworkStore(client);
    bindRegistrationStore(client);
    bindResetStore(client);
    bindRecoveryInstallStore(client);
    bindLicenseStore(client);
    bindTracksStore(client);
    bindPowerStore();
    await Promise.all([thresholds, bindDeviceStore(client)]);
  });
}
