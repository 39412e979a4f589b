import { useCallback, useState } from 'react';
import { useClient } from '../api/clientContext.js';
import { toProblem, type Problem } from '../update/useAction.js';
import { usePowerStore } from './powerStore.js';

/** `restart-into-recovery`: Settings only, one boot into the recovery system (mode.restartIntoRecovery). */
export type PowerAction = 'restart' | 'power-off' | 'restart-into-recovery';

/**
 * Restart or switch off, each only after the wearer confirmed it: `ask` opens the question,
 * `confirm` makes the call (system.* in settings, recovery.* in the recovery kiosk), `cancel` closes it.
 */
export function usePowerAction(where: 'settings' | 'recovery') {
  const client = useClient();
  const [asking, setAsking] = useState<PowerAction>();
  const [going, setGoing] = useState<PowerAction>();
  const [error, setError] = useState<Problem>();
  const confirm = useCallback(async () => {
    const action = asking;
    if (!action || going) return;
    setGoing(action);
    setError(undefined);
    try {
      if (action === 'restart') await client.call(where === 'recovery' ? 'recovery.restart' : 'system.restart');
      else if (action === 'restart-into-recovery') await client.call('mode.restartIntoRecovery');
      else {
        await client.call(where === 'recovery' ? 'recovery.powerOff' : 'system.powerOff');
        usePowerStore.setState({ switchedOff: true });
      }
      setAsking(undefined);
    } catch (e) {
      setGoing(undefined);
      setError(toProblem(e));
    }
  }, [asking, going, client, where]);
  return {
    asking,
    going,
    error,
    ask: useCallback((action: PowerAction) => {
      setError(undefined);
      setAsking(action);
    }, []),
    cancel: useCallback(() => setAsking(undefined), []),
    confirm,
  };
}
