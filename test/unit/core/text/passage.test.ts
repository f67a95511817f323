import * as assert from 'node:assert/strict';
import { findPassage } from '../../../../src/core/text/passage';

describe('finding a cited passage in a file', () => {
  const file = 'export const LOW_STOCK_THRESHOLD = 5;\n\n/** Items below the threshold are restocked\n * every Monday. */\nexport function restock(items: Item[]): Item[] {\n  return items.filter((i) => i.count < LOW_STOCK_THRESHOLD);\n}\n';

  it('finds the passage whatever its whitespace and line breaks, and says where it ends', () => {
    const found = findPassage(file, 'Items below the threshold are restocked every Monday.');
    assert.ok(found);
    assert.equal(file.slice(found.start, found.start + 11), 'Items below');
    assert.match(file.slice(found.start, found.end), /restocked\n \* every Monday\.$/);
  });

  it('takes a chunk that starts mid-word, and the quote\'s characters literally (no pattern in them)', () => {
    assert.equal(findPassage(file, 'tock(items: Item[]): Item[] {')?.start, file.indexOf('tock(items'));
    assert.equal(findPassage(file, 'i.count < LOW_STOCK_THRESHOLD);')?.start, file.indexOf('i.count'));
    assert.equal(findPassage(file, '.* anything'), undefined, 'a pattern in the quote is text');
  });

  it('finds nothing in a file without the passage, or for an empty quote; a huge quote uses its first words only', () => {
    assert.equal(findPassage(file, 'Nothing like this is in the file'), undefined);
    assert.equal(findPassage(file, '   \n '), undefined);
    assert.equal(findPassage(file, `Items below the threshold are restocked every Monday. */ export function restock(items: ${'filler '.repeat(200_000)}`)?.start, file.indexOf('Items below'));
    assert.equal(findPassage(file, `Items below the threshold ${'x'.repeat(1_000_000)}`), undefined, 'a word the file does not have is not matched');
  });
});
