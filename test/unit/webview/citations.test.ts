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
      { number: 1, label: 'tokenizer.ts', quote: undefined, filename: 'tokenizer.ts' },
      { number: 2, label: 'grammar.md', quote: 'a quote', filename: 'grammar.md' },
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

describe('webview citations: marks cannot collide, private-use markers', () => {
  it('removes control characters the model sent, so only our own marks remain', () => {
    const cited = applyCitations(`a${MARK_OPEN}1${MARK_CLOSE}b\u0000c\u0007d\te\nf`, []);
    assert.equal(cited.text, 'a1bcd\te\nf');
  });

  it('turns an OpenAI private-use citation marker into a citation when an annotation points at it', () => {
    const text = 'The limit is 40 items.\uE200cite\uE202turn0file3\uE201 Next.';
    const at = text.indexOf('\uE200');
    const cited = applyCitations(text, [{ type: 'file_citation', fileId: 'file-3', filename: 'inventory.ts', startIndex: at, endIndex: at }]);
    assert.equal(cited.text, `The limit is 40 items.${mark(1)} Next.`);
    assert.equal(cited.footnotes[0].label, 'inventory.ts');
  });

  it('takes the marker when the annotation points just after it', () => {
    const text = 'Claim\uE200cite\uE202turn0file0\uE202turn0file1\uE201.';
    const end = text.indexOf('\uE201') + 1;
    const cited = applyCitations(text, [{ type: 'file_citation', fileId: 'f', filename: 'a.md', startIndex: end, endIndex: end }]);
    assert.equal(cited.text, `Claim${mark(1)}.`);
  });

  it('drops a marker no annotation matches, and stray private-use characters, without a trace', () => {
    const cited = applyCitations('Fact\uE200cite\uE202turn0file3\uE201 and \uE203more\uE200.', []);
    assert.equal(cited.text, 'Fact and more.');
    assert.doesNotMatch(cited.text, /cite|turn0/);
  });

  it('leaves other private-use characters (icon fonts) alone', () => {
    assert.equal(applyCitations('icon \uE000\uF8FF', []).text, 'icon \uE000\uF8FF');
  });
});
