import { useEffect, useState } from 'react';
import type { RecoveryInstallState, RecoverySource } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { toProblem } from '../update/useAction.js';

/**
 * The kiosk's recovery installs: the pushed state (recovery.installChanged, read once at first),
 * and `start(source)`; a refusal the call answers at once (no stick, busy) becomes the failed state
 * of that source, so its words show where the wearer pressed.
 */
export function useRecoveryInstall() {
  const client = useClient();
  const [state, setState] = useState<RecoveryInstallState>({ status: 'idle' });
  useEffect(() => {
    const off = client.subscribe('recovery.installChanged', setState);
    client.call('recovery.installStatus').then(setState, () => undefined);
    return off;
  }, [client]);
  const start = async (source: RecoverySource) => {
    try {
      setState(await client.call(source === 'network' ? 'recovery.installFromNetwork' : 'recovery.installFromUsb'));
    } catch (e) {
      const problem = toProblem(e);
      setState({ status: 'failed', source, error: { code: problem.code ?? 'INTERNAL', message: problem.message } });
    }
  };
  return { state, start };
}
