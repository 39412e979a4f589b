import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { OPERATOR_API, type AuditPage, type DeviceDetail, type OperatorAccount } from '../src/fleet/operatorApi.js';
import { fetchSender } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { TestHeadset } from '../test-support/fleet/TestHeadset.js';
import { startBuiltFleetServer } from './fleetServer.js';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PASSWORD = 'three blue headsets dancing';

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `fleet-${name}-1280x720.png`), animations: 'disabled', caret: 'hide' });

/**
 * The dashboard's admin pages against the built fleet server on PGlite: the re-registration policy
 * and preauthorizations (one used by a headset that then registers), operators (added, role changed,
 * disabled and enabled, the last admin kept), and the audit log paged.
 */
test.describe('Fleet dashboard: registration, operators and the audit log', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('an admin sets how headsets join, manages operators and reads the audit log', async ({ page }) => {
    test.setTimeout(300_000);
    const server = await startBuiltFleetServer();
    try {
      const send = fetchSender(server.url);
      const api = new OperatorClient(send);
      await api.login('admin', server.oneTimePassword!);
      expect((await api.changePassword(server.oneTimePassword!, PASSWORD)).status).toBe(200);

      await page.goto(server.url);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      const nav = page.getByRole('navigation', { name: 'Pages' });

      // Registration: the policy, saved and read back by the API.
      await nav.getByRole('link', { name: 'Registration' }).click();
      await expect(page.getByLabel('An operator approves the new key')).toBeChecked();
      await page.getByLabel('Accept the new key at once').check();
      await page.getByRole('button', { name: 'Save the policy' }).click();
      await expect(page.getByRole('status')).toHaveText('Saved.');
      expect((await api.get(OPERATOR_API.reregistrationPolicy)).json()).toEqual({ policy: 'accept' });

      // Preauthorizations: a wrong id explained, one removed after a confirmation, one used by its headset.
      const deviceId = page.getByRole('textbox', { name: 'Device id' });
      await deviceId.fill('not-a-device-id');
      await page.getByRole('button', { name: 'Preauthorize' }).click();
      await expect(page.getByRole('alert')).toContainText('A device id looks like');
      const removed = new TestHeadset(send);
      const kept = new TestHeadset(send);
      for (const headset of [removed, kept]) {
        await deviceId.fill(headset.deviceId.toUpperCase());
        await page.getByRole('button', { name: 'Preauthorize' }).click();
        await expect(page.locator(`tr[data-preauthorized="${headset.deviceId}"]`)).toContainText('by admin');
      }
      await expect(deviceId).toHaveValue('');
      await shoot(page, 'registration');
      const removedRow = page.locator(`tr[data-preauthorized="${removed.deviceId}"]`);
      await removedRow.getByRole('button', { name: 'Remove' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Keep it' }).click();
      await expect(removedRow).toBeVisible();
      await removedRow.getByRole('button', { name: 'Remove' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Remove it' }).click();
      await expect(removedRow).toHaveCount(0);
      expect((await removed.register()).status).toBe(200);
      expect((await kept.register()).status).toBe(200);
      expect((await api.get(OPERATOR_API.device(removed.deviceId))).json<DeviceDetail>().status).toBe('pending');
      expect((await api.get(OPERATOR_API.device(kept.deviceId))).json<DeviceDetail>().status).toBe('accepted');
      await page.reload();
      await expect(page.locator(`tr[data-preauthorized="${kept.deviceId}"]`)).toHaveCount(0);
      await expect(page.getByText('No headset is preauthorized.')).toBeVisible();

      // Operators: one added, its one-time password shown once and working.
      await nav.getByRole('link', { name: 'Operators' }).click();
      await page.getByLabel('User name').fill('carol');
      await page.locator('form').getByRole('combobox').selectOption('support');
      await page.getByRole('button', { name: 'Add the operator' }).click();
      const created = page.getByTestId('operator-created');
      await expect(created).toContainText('carol can log in');
      const oneTime = (await created.locator('strong').textContent())!;
      const carol = page.locator('tr[data-operator="carol"]');
      await expect(carol.getByTestId('operator-state')).toHaveText('Has not logged in yet');
      await shoot(page, 'operators');
      await created.getByRole('button', { name: 'Done, hide it' }).click();
      await expect(created).toHaveCount(0);
      const carolApi = new OperatorClient(send);
      expect((await carolApi.login('carol', oneTime)).status).toBe(200);
      expect((await carolApi.changePassword(oneTime, `${PASSWORD} too`)).status).toBe(200);
      await page.reload();
      await expect(carol.getByTestId('operator-state')).toHaveText('Active');

      // A role changed; disabled (her session ends, her login is refused) and enabled again.
      await carol.getByLabel('Role of carol').selectOption('viewer');
      await expect
        .poll(
          async () =>
            (await api.get(OPERATOR_API.operators)).json<{ operators: OperatorAccount[] }>().operators.find((o) => o.username === 'carol')?.role,
        )
        .toBe('viewer');
      await carol.getByRole('button', { name: 'Disable' }).click();
      await expect(carol.getByTestId('operator-state')).toHaveText('Disabled');
      expect((await carolApi.get(OPERATOR_API.devices)).json()).toMatchObject({ code: 'NOT_AUTHENTICATED' });
      expect((await new OperatorClient(send).login('carol', `${PASSWORD} too`)).json()).toMatchObject({ code: 'LOGIN_FAILED' });
      await carol.getByRole('button', { name: 'Enable' }).click();
      await expect(carol.getByTestId('operator-state')).toHaveText('Active');
      expect((await new OperatorClient(send).login('carol', `${PASSWORD} too`)).status).toBe(200);

      // The only admin cannot disable themselves: the server's reason is shown, nothing changes.
      const me = page.locator('tr[data-operator="admin"]');
      await me.getByRole('button', { name: 'Disable' }).click();
      await expect(page.getByRole('alert')).toHaveText('This would leave no enabled admin.');
      await expect(me.getByTestId('operator-state')).toHaveText('Active');

      // The audit log: enough entries for two pages (each preauthorization is one), newest first.
      for (let i = 0; i < 50; i++) expect((await api.post(OPERATOR_API.preauthorizations, { deviceId: crypto.randomUUID() })).status).toBe(204);
      const total = (await api.get(`${OPERATOR_API.audit}?limit=200`)).json<AuditPage>().entries.length;
      expect(total).toBeGreaterThan(50);
      await nav.getByRole('link', { name: 'Audit log' }).click();
      const rows = page.locator('tr[data-audit-id]');
      await expect(rows).toHaveCount(50);
      await expect(rows.first()).toContainText('device.preauthorized');
      await shoot(page, 'audit');
      const pages = page.getByRole('navigation', { name: 'Audit log pages' });
      await expect(pages.getByRole('button', { name: 'Newer' })).toBeDisabled();
      await pages.getByRole('button', { name: 'Older' }).click();
      await expect(pages).toContainText('Page 2');
      await expect(rows).toHaveCount(total - 50);
      const olderText = await page.locator('tbody').textContent();
      for (const action of [
        'operator.enabled',
        'operator.disabled',
        'operator.role-changed',
        'operator.created',
        'device.preauthorization-removed',
        'settings.reregistration-policy',
      ])
        expect(olderText).toContain(action);
      await expect(page.locator('tr', { hasText: 'operator.role-changed' })).toContainText('support → viewer');
      await expect(pages.getByRole('button', { name: 'Older' })).toBeDisabled();
      await pages.getByRole('button', { name: 'Newer' }).click();
      await expect(rows).toHaveCount(50);
      await expect(pages).toContainText('Page 1');

      // A viewer sees neither page in the navigation, and reads the registration settings without controls.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByLabel('User name').fill('carol');
      await page.getByLabel('Password').fill(`${PASSWORD} too`);
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(nav.getByRole('link', { name: 'Operators' })).toHaveCount(0);
      await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
      await nav.getByRole('link', { name: 'Registration' }).click();
      await expect(page.getByLabel('Accept the new key at once')).toBeChecked();
      await expect(page.getByLabel('Accept the new key at once')).toBeDisabled();
      await expect(page.getByRole('button', { name: 'Save the policy' })).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Preauthorize' })).toHaveCount(0);
    } finally {
      await server.remove();
    }
  });
});
