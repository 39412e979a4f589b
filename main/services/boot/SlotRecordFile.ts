import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { SlotRecordStore, SlotRecords } from './ports.js';

export class SlotRecordFile implements SlotRecordStore {
  constructor(private readonly path: string) {}

  async read(): Promise<SlotRecords> {
    return (await readJsonIfExists<SlotRecords>(this.path)) ?? {};
  }

  async write(records: SlotRecords): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(records, null, 2));
  }
}
