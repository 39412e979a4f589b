import { describe, expect, it } from 'vitest';
import { updateProblemWords } from './updateProblemWords.js';

describe('updateProblemWords', () => {
  it('says a failed check in plain words: no "update failed", nothing that reads like a security rejection, no code', () => {
    const words = updateProblemWords({ code: 'UPDATE_CHECK_FAILED', message: 'metadata refused: expired timestamp' });
    expect(words.title).toBe('The update server could not be reached');
    for (const text of [words.title, words.text]) {
      expect(text).not.toMatch(/update failed|signed|signature|refused|rejected|metadata|UPDATE_/i);
    }
  });

  it('has words for the codes the wearer meets, and general words for the rest', () => {
    expect(updateProblemWords({ code: 'BUNDLE_BAD_SIGNATURE', message: '' }).title).toBe('The update could not be installed');
    expect(updateProblemWords({ code: 'UPDATE_NO_SPACE', message: '' }).title).toBe('There is not enough room for the update');
    expect(updateProblemWords({ message: 'socket closed' }).title).toBe('The update did not finish');
  });
});
