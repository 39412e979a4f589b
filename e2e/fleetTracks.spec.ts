import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { OPERATOR_API } from '../src/fleet/operatorApi.js';
import type { TrackProposalResult, TrackSyncResult } from '../src/fleet/trackApi.js';
import { placedAt, registryTestSignature, withChicane } from '../src/tracks/registryTestSignatures.js';
import { fetchSender } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { TestHeadset } from '../test-support/fleet/TestHeadset.js';
import { proposeTrack, syncTracks } from '../test-support/fleet/trackRegistryClient.js';
import { startBuiltFleetServer } from './fleetServer.js';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PASSWORD = 'three blue headsets dancing';

/**
 * The track registry in the dashboard against the built fleet server on PGlite: signed headsets
 * send the tracks they learned (one joins another's under its own name, one drives a revised
 * layout, one brings a third layout under a name taken twice at its venue); an operator sees both
 * conflicts with their outlines, revises the layout, names the new track and renames one, and a
 * headset's next sync brings exactly those changes.
 */
test.describe('Fleet dashboard: tracks', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('conflict queue: revise a layout, name a new track, rename; headsets sync the changes', async ({ page }) => {
    test.setTimeout(240_000);
    const server = await startBuiltFleetServer();
    try {
      const send = fetchSender(server.url);
      const admin = new OperatorClient(send);
      await admin.login('admin', server.oneTimePassword!);
      expect((await admin.changePassword(server.oneTimePassword!, PASSWORD)).status).toBe(200);
      const [a, b, c] = [new TestHeadset(send), new TestHeadset(send), new TestHeadset(send)];
      for (const headset of [a, b, c]) {
        await headset.register();
        expect((await admin.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {})).status).toBe(200);
      }
      const propose = async (headset: TestHeadset, name: string, signature: Parameters<typeof proposeTrack>[3]) => {
        const answer = await proposeTrack(send, headset, name, signature);
        expect(answer.status, answer.text).toBe(200);
        return answer.json<TrackProposalResult>();
      };
      const gp = registryTestSignature('hollowmere-gp', 1);
      const moor = registryTestSignature('brackenfield-park', 2);
      const moorByLength = `Moor (${(moor.lengthM / 1000).toFixed(1)} km)`;
      expect((await propose(a, 'Hollowmere Grand Prix', gp)).outcome).toBe('created');
      expect((await propose(b, 'Hollowmere', registryTestSignature('hollowmere-gp', 7))).outcome).toBe('joined');
      expect((await propose(c, 'Track 3 (5.2 km)', withChicane(gp, 70))).outcome).toBe('pending');
      expect((await propose(a, 'Moor', moor)).outcome).toBe('created');
      expect((await propose(a, 'Moor', placedAt(moor, moor.origin, Math.PI / 2))).outcome).toBe('created');
      expect((await propose(c, 'Moor', placedAt(moor, moor.origin, Math.PI))).outcome).toBe('pending');
      const before = (await syncTracks(send, b, 0)).json<TrackSyncResult>();
      expect(before.more).toBe(false);

      await page.goto(server.url);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      const nav = page.getByRole('navigation', { name: 'Pages' });
      await nav.getByRole('link', { name: 'Tracks' }).click();
      await expect(nav.getByRole('link', { name: 'Tracks' })).toHaveAttribute('aria-current', 'page');

      const conflicts = page.getByRole('region', { name: 'Conflicts' });
      const revised = conflicts.getByRole('article', { name: /Revised layout: “Track 3 \(5\.2 km\)” and Hollowmere Grand Prix/ });
      const nameTaken = conflicts.getByRole('article', { name: /Name taken at this venue: “Moor” and Moor/ });
      await expect(revised).toBeVisible();
      await expect(nameTaken).toBeVisible();
      await expect(revised.getByRole('img', { name: /The headset's layout/ })).toBeVisible();
      await expect(revised.getByRole('img', { name: "Hollowmere Grand Prix, the registry's track" })).toBeVisible();
      // A name-taken conflict offers no layout decisions.
      await expect(nameTaken.getByRole('button', { name: 'Revise the layout' })).toHaveCount(0);
      const tracks = page.getByRole('region', { name: 'Tracks' });
      await expect(tracks.locator('tr', { hasText: 'Hollowmere Grand Prix' }).locator('td').nth(4)).toHaveText('Hollowmere');
      await expect(tracks.locator('tr', { hasText: 'Hollowmere Grand Prix' }).locator('td').nth(5)).toHaveText('2');
      await page.screenshot({ path: `${SCREENSHOTS}fleet-tracks.png`, fullPage: true });

      await revised.getByRole('button', { name: 'Revise the layout' }).click();
      await expect(page.getByRole('status')).toHaveText('Conflict about Hollowmere Grand Prix: revised the layout.');
      await expect(tracks.locator('tr', { hasText: 'Hollowmere Grand Prix' })).toHaveCount(2);
      await expect(tracks.locator('tr', { hasText: 'retired, now layout 2' })).toHaveCount(1);

      // The name is taken at the venue: refused with the server's words, then another one.
      await nameTaken.getByLabel("New track's name").fill('moor');
      await nameTaken.getByRole('button', { name: 'New track', exact: true }).click();
      await expect(page.getByRole('alert')).toContainText('Another track of the same venue already has this name.');
      await nameTaken.getByLabel("New track's name").fill('Moor Kart');
      await nameTaken.getByRole('button', { name: 'New track', exact: true }).click();
      await expect(page.getByRole('status')).toHaveText(`Conflict about ${moorByLength}: made a new track.`);
      await expect(conflicts.getByText('No conflict waits for a decision.')).toBeVisible();
      await expect(tracks.locator('tr', { hasText: 'Moor Kart' })).toHaveCount(1);

      await tracks.getByRole('button', { name: 'Rename Moor', exact: true }).click();
      await tracks.getByLabel('New name for Moor', { exact: true }).fill('Moor Ring');
      await tracks.getByRole('button', { name: 'Save' }).click();
      await expect(page.getByRole('status')).toContainText('Renamed Moor to Moor Ring.');
      await conflicts.getByText(/Resolved \(2\)/).click();
      await expect(conflicts.locator('li')).toHaveCount(2);
      await expect(conflicts.locator('li', { hasText: 'by admin' })).toHaveCount(2);
      await page.screenshot({ path: `${SCREENSHOTS}fleet-tracks-resolved.png`, fullPage: true });

      // A headset's sync from where it was brings exactly the changes: the new layout, the retired one, the new track, the rename.
      const after = (await syncTracks(send, b, before.cursor)).json<TrackSyncResult>();
      expect(after.tracks.map((t) => [t.name, t.status, t.layout]).sort()).toEqual(
        [
          ['Hollowmere Grand Prix', 'active', 2],
          ['Hollowmere Grand Prix', 'retired', 1],
          ['Moor Kart', 'active', 1],
          ['Moor Ring', 'active', 1],
        ].sort(),
      );
    } finally {
      await server.remove();
    }
  });
});
