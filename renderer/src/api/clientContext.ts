import { createContext, useContext } from 'react';
import type { ApiClient } from '../../../src/api/client.js';

export const ClientContext = createContext<ApiClient | undefined>(undefined);

export function useClient(): ApiClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientContext');
  return client;
}
