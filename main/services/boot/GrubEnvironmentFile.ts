import { decodeGrubEnv, encodeGrubEnv } from '../../../src/boot/grubEnvCodec.js';
import { readFileIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { BootEnvironmentStore } from './ports.js';

/**
 * A GRUB environment block on a file system GRUB reads (`/boot/grub/grubenv` on a device). Replaced
 * whole with a rename, as `grub-editenv create` does, so a power cut never leaves half a block.
 */
export class GrubEnvironmentFile implements BootEnvironmentStore {
  constructor(readonly path: string) {}

  async read(): Promise<Map<string, string>> {
    const block = await readFileIfExists(this.path);
    return block === undefined ? new Map() : decodeGrubEnv(block);
  }

  async write(variables: ReadonlyMap<string, string>): Promise<void> {
    await writeFileAtomic(this.path, encodeGrubEnv(variables));
  }
}
