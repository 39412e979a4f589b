import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateTestRepository, downloadAndInstall } from '../../test-support/host/updateTestRepository.js';

// The last check of a trial boot: headsetd must be up and its API reachable (headsetd pings
// its own socket). A trial whose API cannot be reached is not committed, and once the
// bootloader's tries run out the old slot comes back.

const repository = new UpdateTestRepository();
beforeAll(() => repository.open([{ version: '1.1.0' }]));
afterAll(() => repository.close());

describe('confirming a trial boot over the API', () => {
  it('a trial whose API cannot be reached is not committed and falls back after its tries', async () => {
    const lines: string[] = [];
    const root = repository.newDevice();
    const { headset, client } = await repository.start(root, { confirmBootOverTransport: true, log: (line) => lines.push(line) });
    let checks = 0;
    // Not a trial boot: nothing to confirm, the check is kept for the boots to come.
    expect(
      await headset.confirmBoot(async () => {
        checks++;
        throw new Error('connect ECONNREFUSED headsetd.sock');
      }),
    ).toBe('none');
    await downloadAndInstall(client);
    await client.call('update.restart');
    await expect.poll(async () => (await client.call('update.history'))[0]?.outcome, { timeout: 20_000, interval: 200 }).toBe('rolled-back');
    expect(checks).toBeGreaterThanOrEqual(1);
    expect(lines).toContain(
      'WARN update: trial boot is not healthy (headsetd not reachable): not committing {"reason":"connect ECONNREFUSED headsetd.sock"}',
    );
    expect(lines.join('\n')).not.toMatch(/-> 1\.1\.0: committed/);
    expect(headset.services.boot.bootedSystemFacts().slot).toBe('A');
  }, 30_000);

  it('a trial whose API answers commits once headsetd confirms it', async () => {
    const root = repository.newDevice();
    const { headset, client } = await repository.start(root, { confirmBootOverTransport: true });
    let checks = 0;
    await headset.confirmBoot(async () => {
      checks++;
    });
    await downloadAndInstall(client);
    await client.call('update.restart');
    await expect.poll(async () => (await client.call('update.history'))[0]?.outcome, { timeout: 10_000 }).toBe('committed');
    expect(checks).toBe(1);
    expect(headset.services.boot.bootedSystemFacts().slot).toBe('B');
  });
});
