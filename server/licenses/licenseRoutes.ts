import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { deviceIdSchema } from '../../src/fleet/deviceApi.js';
import { FleetError } from '../../src/fleet/errors.js';
import {
  LICENSE_API,
  LICENSE_LIST_LIMIT,
  issuedLicenseListSchema,
  issuedLicenseSchema,
  licenseIssueRequestSchema,
  revokedLicenseSchema,
  type IssuedLicenseSummary,
} from '../../src/fleet/licenseApi.js';
import { type License, encodeLicenseFile, licenseSchema, licenseSigningBytes, parseLicenseFile } from '../../src/licensing/licenseFile.js';
import { evaluateLicense } from '../../src/licensing/licenseState.js';
import { encodeRevocationList, revocationSigningBytes } from '../../src/licensing/revocationList.js';
import { appendAudit } from '../audit.js';
import type { Queryable } from '../db/Database.js';
import type { ZodTypeProvider } from '../http/zodTypeProvider.js';
import { requireOperator } from '../operators/operatorAuth.js';
import type { ServerContext } from '../serverContext.js';
import type { LicenseSigningKey } from './licenseKey.js';

const BODY_LIMIT = 16 * 1024;
const utcSeconds = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

/** Listing (viewers), issuing and revoking licences (support operators), and the signed revocation list (anyone). */
export function licenseRoutes(context: ServerContext) {
  const { db, clock } = context;
  const support = requireOperator(context, { role: 'support' });
  const viewer = requireOperator(context, { role: 'viewer' });
  const key = (): LicenseSigningKey => {
    if (!context.licenseKey) throw new FleetError('LICENSING_NOT_CONFIGURED');
    return context.licenseKey;
  };
  return async (app: FastifyInstance) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get(LICENSE_API.list, { preHandler: viewer, schema: { response: { 200: issuedLicenseListSchema } } }, async () => {
      const rows = (
        await db.query<LicenseRow>(
          `SELECT serial, device_id, file, issued_at, issued_by, revoked_at, revoked_by FROM licenses
           ORDER BY issued_at DESC, serial LIMIT $1`,
          [LICENSE_LIST_LIMIT + 1],
        )
      ).rows;
      const now = clock.now().getTime();
      return { licenses: rows.slice(0, LICENSE_LIST_LIMIT).map((row) => summaryOf(row, now)), truncated: rows.length > LICENSE_LIST_LIMIT };
    });

    routes.post(
      LICENSE_API.issue(':deviceId'),
      {
        bodyLimit: BODY_LIMIT,
        preHandler: support,
        schema: { params: z.object({ deviceId: deviceIdSchema }), body: licenseIssueRequestSchema, response: { 200: issuedLicenseSchema } },
      },
      async (request) => {
        const signer = key();
        const now = clock.now();
        const operator = request.session!.operator.username;
        const device = (
          await db.query<{ status: string; public_key: string }>('SELECT status, public_key FROM devices WHERE device_id = $1', [
            request.params.deviceId,
          ])
        ).rows[0];
        if (!device) throw new FleetError('DEVICE_NOT_FOUND');
        if (device.status !== 'accepted') throw new FleetError('LICENSE_DEVICE_NOT_ACCEPTED', undefined, { status: device.status });
        const body = request.body;
        const parsed = licenseSchema.safeParse({
          serial: `HC-${randomUUID()}`,
          licensee: body.licensee,
          binding:
            body.binding === 'device' ? { kind: 'device', deviceId: request.params.deviceId } : { kind: 'identityKey', publicKey: device.public_key },
          features: [...new Set(body.features)].sort(),
          issuedAt: utcSeconds(now),
          notBefore: utcSeconds(body.notBefore ? new Date(body.notBefore) : now),
          expiresAt: utcSeconds(new Date(body.expiresAt)),
          graceDays: body.graceDays,
        });
        if (!parsed.success) throw new FleetError('INVALID_INPUT', `The licence is not valid: ${parsed.error.issues[0]!.message}.`);
        const license: License = parsed.data;
        const file = encodeLicenseFile(license, signer.sign(licenseSigningBytes(license)));
        await db.transaction(async (tx) => {
          await tx.query(
            'INSERT INTO licenses (serial, device_id, licensee, expires_at, file, issued_at, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7)',
            [license.serial, request.params.deviceId, license.licensee, new Date(license.expiresAt), file, now, operator],
          );
          await appendAudit(tx, {
            at: now,
            actor: operator,
            action: 'license.issued',
            subject: request.params.deviceId,
            details: { serial: license.serial },
          });
        });
        return { serial: license.serial, file };
      },
    );

    routes.post(
      LICENSE_API.revoke(':serial'),
      {
        bodyLimit: BODY_LIMIT,
        preHandler: support,
        schema: { params: z.object({ serial: z.string().max(64) }), response: { 200: revokedLicenseSchema } },
      },
      async (request) => {
        const signer = key();
        const now = clock.now();
        const operator = request.session!.operator.username;
        const version = await db.transaction(async (tx) => {
          const updated = await tx.query(
            'UPDATE licenses SET revoked_at = $2, revoked_by = $3 WHERE serial = $1 AND revoked_at IS NULL RETURNING serial',
            [request.params.serial, now, operator],
          );
          if (updated.rows.length === 0) {
            const known = await tx.query('SELECT 1 FROM licenses WHERE serial = $1', [request.params.serial]);
            if (known.rows.length === 0) throw new FleetError('NOT_FOUND', 'No licence has this serial.');
          }
          await appendAudit(tx, { at: now, actor: operator, action: 'license.revoked', subject: request.params.serial });
          return signNewList(tx, signer, now);
        });
        return { serial: request.params.serial, revocationListVersion: version };
      },
    );

    routes.get(LICENSE_API.revocations, async (_request, reply) => {
      const signer = key();
      let latest = (await db.query<{ body: string }>('SELECT body FROM license_revocation_lists ORDER BY version DESC LIMIT 1')).rows[0];
      if (!latest) {
        await db.transaction((tx) => signNewList(tx, signer, clock.now()));
        latest = (await db.query<{ body: string }>('SELECT body FROM license_revocation_lists ORDER BY version DESC LIMIT 1')).rows[0]!;
      }
      return reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-cache').send(latest.body);
    });
  };
}

interface LicenseRow {
  serial: string;
  device_id: string;
  file: string;
  issued_at: Date | string;
  issued_by: string;
  revoked_at: Date | string | null;
  revoked_by: string | null;
}

const iso = (value: Date | string) => new Date(value).toISOString();

/** A stored licence as the dashboard lists it: what its signed file says, and its state on the server's clock. */
function summaryOf(row: LicenseRow, nowMs: number): IssuedLicenseSummary {
  // The file was made and signed by this server: what it says is what the headset will read.
  const { license } = parseLicenseFile(row.file);
  const evaluation = evaluateLicense(license, nowMs, new Set(row.revoked_at ? [license.serial] : []));
  return {
    serial: row.serial,
    deviceId: row.device_id,
    licensee: license.licensee,
    binding: license.binding.kind,
    features: license.features,
    issuedAt: iso(row.issued_at),
    issuedBy: row.issued_by,
    notBefore: license.notBefore,
    expiresAt: license.expiresAt,
    graceDays: license.graceDays,
    revokedAt: row.revoked_at === null ? null : iso(row.revoked_at),
    revokedBy: row.revoked_by,
    state: evaluation.state === 'notLicensed' ? 'notYetValid' : evaluation.state,
    daysLeft: evaluation.state === 'expired' ? null : evaluation.daysLeft,
    file: row.file,
  };
}

/** Signs the next version of the list (every revoked serial) and stores it; a concurrent signer loses on the primary key and retries. */
async function signNewList(tx: Queryable, signer: LicenseSigningKey, now: Date): Promise<number> {
  // Serialised per list: the table lock keeps two revocations from signing the same version.
  await tx.query('LOCK TABLE license_revocation_lists IN EXCLUSIVE MODE');
  const last = (await tx.query<{ version: string }>('SELECT max(version) AS version FROM license_revocation_lists')).rows[0]?.version;
  const version = Number(last ?? 0) + 1;
  const serials = (
    await tx.query<{ serial: string }>('SELECT serial FROM licenses WHERE revoked_at IS NOT NULL ORDER BY serial COLLATE "C"')
  ).rows.map((r) => r.serial);
  const list = { version, issuedAt: utcSeconds(now), serials };
  await tx.query('INSERT INTO license_revocation_lists (version, issued_at, body) VALUES ($1, $2, $3)', [
    version,
    now,
    encodeRevocationList(list, signer.sign(revocationSigningBytes(list))),
  ]);
  return version;
}
