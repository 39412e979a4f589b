import { useEffect } from 'react';
import { useClient } from '../api/clientContext.js';

/** Counts each screen opened (`ui.screen_view`); headsetd records it only when usage is granted. */
export function useScreenViews(screen: string): void {
  const client = useClient();
  useEffect(() => {
    client.call('usage.record', { event: 'ui.screen_view', name: screen }).catch(() => undefined);
  }, [client, screen]);
}

/** Counts a feature used (`ui.feature_use`, by name only); recorded only when usage is granted. */
export function useFeatureUse(): (feature: string) => void {
  const client = useClient();
  return (feature) => void client.call('usage.record', { event: 'ui.feature_use', name: feature }).catch(() => undefined);
}
