import * as assert from 'node:assert/strict';
import { MARK_CLOSE, MARK_OPEN, applyCitations } from '../../../webview/citations';

const mark = (n: number): string => `${MARK_OPEN}${n}${MARK_CLOSE}`;

describe('webview citations', () => {
  it('replaces Assistants-style citation markers with numbered marks', () => {
    const text = 'Escapes are pairs【4:0†source】 and quotes end strings【4:1†source】.';
    const cited = applyCitations(text, [
      { type: 'file_citation', text: '【4:0†source】', fileId: 'file-a', filename: 'tokenizer.ts' },
      { type: 'file_citation', text: '【4:1†source】', fileId: 'file-b', filename: 'grammar.md', quote: 'a quote' },
    ]);
    assert.equal(cited.text, `Escapes are pairs${mark(1)} and quotes end strings${mark(2)}.`);
    assert.deepEqual(cited.footnotes, [
      { number: 1, label: 'tokenizer.ts', quote: undefined },
      { number: 2, label: 'grammar.md', quote: 'a quote' },
    ]);
  });

  it('numbers the same source once and places index-only citations after the cited words', () => {
    const text = 'First claim. Second claim.';
    const cited = applyCitations(text, [
      { type: 'file_citation', fileId: 'file-a', filename: 'a.md', startIndex: 26, endIndex: 26 },
      { type: 'file_citation', fileId: 'file-a', filename: 'a.md', startIndex: 12, endIndex: 12 },
      { type: 'url_citation', url: 'https://example.com/x', title: 'Example', startIndex: 0, endIndex: 5 },
    ]);
    assert.equal(cited.text, `First${mark(1)} claim.${mark(2)} Second claim.${mark(2)}`);
    assert.equal(cited.footnotes.length, 2);
    assert.deepEqual(cited.footnotes[0], { number: 1, label: 'Example', url: 'https://example.com/x' });
  });

  it('lists citations without a position as footnotes only', () => {
    const cited = applyCitations('Plain text.', [{ type: 'file_path', fileId: 'file-out', filename: 'plot.png' }]);
    assert.equal(cited.text, 'Plain text.');
    assert.deepEqual(cited.footnotes, [{ number: 1, label: 'plot.png' }]);
  });
});
