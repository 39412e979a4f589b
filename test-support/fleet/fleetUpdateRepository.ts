import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UPDATE_API, type RepositoryFiles } from '../../src/fleet/updateApi.js';
import { toHex } from '../../src/update/hex.js';
import { targetCustomFromManifest } from '../../src/update/manifest.js';
import { TOP_LEVEL_ROLES } from '../../src/update/tuf/metadata.js';
import { createBundle } from '../../main/operator/bundles/BundleWriter.js';
import { pushRepository, type PushReport, type RepositoryUploader } from '../../main/operator/fleet/repositoryPush.js';
import { generateKeys, loadSigningKey } from '../../main/operator/keys/signingKeys.js';
import { TufRepository, type RoleKeys } from '../../main/operator/tuf/TufRepository.js';
import type { Answer } from './httpSender.js';
import type { OperatorClient } from './OperatorClient.js';

/**
 * A vendor's TUF repository for the fleet server's tests: real keys, real signed bundles for a
 * model, published with the operator tools' own code, then pushed to a server as an admin.
 */
export class FleetUpdateRepository {
  readonly work = mkdtempSync(join(tmpdir(), 'fleet-update-repo-'));
  readonly repo = new TufRepository(join(this.work, 'repo'));
  private roleKeys: RoleKeys | undefined;

  static async create(): Promise<FleetUpdateRepository> {
    const repository = new FleetUpdateRepository();
    const keysDir = join(repository.work, 'keys');
    await generateKeys(keysDir);
    repository.roleKeys = Object.fromEntries(
      await Promise.all(
        TOP_LEVEL_ROLES.map(async (role) => {
          const key = await loadSigningKey(join(keysDir, `${role}.key`));
          return [role, [{ publicKeyHex: toHex(key.publicKey), signer: { keyid: key.keyId, sign: (m: Uint8Array) => key.sign(m) } }]];
        }),
      ),
    ) as RoleKeys;
    await repository.repo.init(repository.roleKeys);
    return repository;
  }

  get served(): string {
    return this.repo.served;
  }

  /** Builds a signed bundle of `version` for `model` (a small random image), adds it and publishes. */
  async addVersion(model: string, version: string, imageBytes = 20_000): Promise<void> {
    const image = join(this.work, `rootfs-${model}-${version}.img`);
    writeFileSync(image, Buffer.concat([Buffer.from(`HEADSET-OS ${version}\n`), randomBytes(imageBytes)]));
    const out = join(this.work, `headset-${model}-${version}.hcb`);
    const key = await loadSigningKey(join(this.work, 'keys', 'bundle.key'));
    const { manifest } = await createBundle({ version, compatible: model, images: [{ name: 'rootfs', path: image }], key, out });
    await this.repo.add(out, targetCustomFromManifest(manifest));
    await this.repo.publish(this.roleKeys!);
  }

  /** Pushes the repository to the server as `admin` (the same code as `headsetctl repo push`). */
  push(admin: OperatorClient): Promise<PushReport> {
    return pushRepository(this.served, operatorUploader(admin));
  }

  /** Uploads the files the server lacks without publishing the timestamp (a test publishes it itself). */
  upload(admin: OperatorClient): Promise<PushReport> {
    return pushRepository(this.served, { ...operatorUploader(admin), publish: async () => 'not published' });
  }

  close(): void {
    rmSync(this.work, { recursive: true, force: true });
  }
}

/** Uploads through an operator's session; a refusal throws with the server's answer. */
export function operatorUploader(admin: OperatorClient): RepositoryUploader {
  const ok = (answer: Answer, what: string) => {
    if (answer.status !== 200) throw new Error(`${what}: ${answer.status} ${answer.text}`);
    return answer;
  };
  return {
    listFiles: async () => ok(await admin.get(UPDATE_API.files), 'list').json<RepositoryFiles>(),
    putFile: async (name, path) => {
      ok(await admin.raw('PUT', UPDATE_API.file(name), await readFile(path), { 'content-type': 'application/octet-stream' }), `put ${name}`);
    },
    publish: async (timestampJson) =>
      ok(await admin.raw('POST', UPDATE_API.publish, timestampJson, { 'content-type': 'application/json' }), 'publish').json(),
  };
}
