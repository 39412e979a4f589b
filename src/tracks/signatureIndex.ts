import { matchSignature, MATCH_FRECHET_M, type TrackSignature } from './trackSignature.js';

/**
 * Known tracks indexed by their coarse cells: a lap is compared only with the tracks that share a
 * cell with it (the same venue), so matching against a registry of thousands costs what matching
 * against one venue's few layouts does.
 */
export class SignatureIndex<T extends { signature: TrackSignature }> {
  private readonly items: T[] = [];
  private readonly byCell = new Map<string, number[]>();

  add(item: T): void {
    const index = this.items.push(item) - 1;
    for (const cell of item.signature.cells) {
      const list = this.byCell.get(cell);
      if (list) list.push(index);
      else this.byCell.set(cell, [index]);
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** The nearest known track within the threshold, or null. */
  match(signature: TrackSignature, thresholdM = MATCH_FRECHET_M): { item: T; distanceM: number; sameDirection: boolean } | null {
    const candidates = [...new Set(signature.cells.flatMap((cell) => this.byCell.get(cell) ?? []))].sort((a, b) => a - b);
    const found = matchSignature(
      signature,
      candidates.map((i) => this.items[i]!.signature),
      thresholdM,
    );
    return found && { item: this.items[candidates[found.index]!]!, distanceM: found.distanceM, sameDirection: found.sameDirection };
  }
}
