import { describe, expect, it } from 'vitest';
import { closeAll } from './closeAll.js';

describe('closeAll', () => {
  it('runs every step in order, reporting the ones that fail (thrown or rejected)', async () => {
    const ran: string[] = [];
    const failed: string[] = [];
    await closeAll(
      [
        ['health', () => ran.push('health')],
        [
          'telemetry',
          () => {
            ran.push('telemetry');
            throw new Error('stuck');
          },
        ],
        [
          'outbox',
          async () => {
            ran.push('outbox');
            await Promise.reject(new Error('EIO'));
          },
        ],
        ['watchdog', async () => void ran.push('watchdog')],
        ['log', () => ran.push('log')],
      ],
      (what, error) => failed.push(`${what}: ${(error as Error).message}`),
    );
    expect(ran).toEqual(['health', 'telemetry', 'outbox', 'watchdog', 'log']);
    expect(failed).toEqual(['telemetry: stuck', 'outbox: EIO']);
  });
});
