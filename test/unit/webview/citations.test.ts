import * as assert from 'node:assert/strict';
import { MARK_CLOSE, MARK_OPEN, applyCitations } from '../../../webview/citations';
import { CUT_MARKERS, UNCLOSED_MARKERS } from './renderingFaults';

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

  it('puts a citation whose words end with a line break after the words, not at the start of the next line', () => {
    // There the mark would turn a list item, a heading, a quote or a fence into text.
    const cases: [string, number, string][] = [
      ['A sentence.\n- item one\n- item two', 12, `A sentence.${mark(1)}\n- item one\n- item two`],
      ['Intro.\n\n# Heading', 8, `Intro.${mark(1)}\n\n# Heading`],
      ['Quote:\n> quoted', 7, `Quote:${mark(1)}\n> quoted`],
      ['Code follows.\n```\nx\n```', 14, `Code follows.${mark(1)}\n\`\`\`\nx\n\`\`\``],
    ];
    for (const [text, end, expected] of cases) {
      assert.equal(applyCitations(text, [{ type: 'url_citation', url: 'https://example.com/', title: 'E', startIndex: 0, endIndex: end }]).text, expected, JSON.stringify(text));
    }
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

  it('removes whole the escape sequences a model copied into its answer, not only their escape character', () => {
    const cases: [string, string][] = [
      ['Result: \u001b[32mOK\u001b[0m and \u001b[38;5;208morange\u001b[m.', 'Result: OK and orange.'],
      ['```\n\u001b[1;31mError\u001b[0m \u009b1mbold\u009b0m\n```', '```\nError bold\n```'],
      ['See \u001b]8;;https://example.com/\u0007the link\u001b]8;;\u0007 and \u009d0;title\u009cdone.', 'See the link and done.'],
    ];
    for (const [text, shown] of cases) assert.equal(applyCitations(text, []).text, shown, JSON.stringify(text));
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

describe('webview citations: private-use markers cut off or never closed', () => {
  it('drops a marker cut off at the end of a streamed text, whatever part of it came', () => {
    for (const cut of CUT_MARKERS) {
      assert.equal(applyCitations(`The limit is 40 items.${cut}`, []).text, 'The limit is 40 items.', JSON.stringify(cut));
    }
  });

  it('drops a marker that never closes, and keeps every word after it', () => {
    // A closing character further on belongs to no marker; the next marker, closed, is still one. A
    // reference ends at its last digit; one cut short of its digits, with text after it, goes whole.
    for (const [text, shown] of UNCLOSED_MARKERS) assert.equal(applyCitations(text, []).text, shown, JSON.stringify(text));
  });

  it('places a citation at a marker that never closed, and not over the text after it', () => {
    const text = 'Forty items\uE200cite\uE202turn0file3 is the limit.';
    const at = text.indexOf('\uE200');
    const cited = applyCitations(text, [{ type: 'file_citation', fileId: 'f', filename: 'a.md', startIndex: at, endIndex: at }]);
    assert.equal(cited.text, `Forty items${mark(1)} is the limit.`);
  });
});

describe('webview citations: markers inside link syntax leave the link intact', () => {
  const at = (text: string, marker = '\uE200'): number => text.indexOf(marker);
  const cite = (text: string, index: number) => applyCitations(text, [{ type: 'file_citation', fileId: 'f', filename: 'a.md', startIndex: index, endIndex: index }]);

  it('moves a citation out of an inline link destination and title, to just after the link', () => {
    const inUrl = 'Read [the guide](https://example.com/a\uE200cite\uE202turn0search0\uE201/b) first.';
    assert.equal(cite(inUrl, at(inUrl)).text, `Read [the guide](https://example.com/a/b)${mark(1)} first.`);
    const inTitle = 'Read [the guide](https://example.com/g "The (best) guide\uE200cite\uE202turn0search0\uE201") first.';
    assert.equal(cite(inTitle, at(inTitle)).text, `Read [the guide](https://example.com/g "The (best) guide")${mark(1)} first.`);
    const inAngle = 'Read [it](<https://example.com/a b\uE200cite\uE202turn0search0\uE201>) now.';
    assert.equal(cite(inAngle, at(inAngle)).text, `Read [it](<https://example.com/a b>)${mark(1)} now.`);
  });

  it('moves a citation out of an autolink, a bare URL and a reference label', () => {
    const autolink = 'See <https://example.com/x\uE200cite\uE202turn0search1\uE201> now.';
    assert.equal(cite(autolink, at(autolink)).text, `See <https://example.com/x>${mark(1)} now.`);
    const bare = 'See https://example.com/x\uE200cite\uE202turn0search1\uE201/y now.';
    assert.equal(cite(bare, at(bare)).text, `See https://example.com/x/y${mark(1)} now.`);
    const label = 'See [the docs][do\uE200cite\uE202turn0search1\uE201cs] now.\n\n[docs]: https://example.com/';
    assert.equal(cite(label, at(label)).text, `See [the docs][docs]${mark(1)} now.\n\n[docs]: https://example.com/`);
  });

  it('moves a citation out of a shortcut or collapsed reference, whose label must still name its definition', () => {
    const shortcut = 'See [the docs\uE200cite\uE202turn0search1\uE201] now.\n\n[the docs]: https://example.com/';
    assert.equal(cite(shortcut, at(shortcut)).text, `See [the docs]${mark(1)} now.\n\n[the docs]: https://example.com/`);
    const collapsed = 'See [The  Docs\uE200cite\uE202turn0search1\uE201][] now.\n\n> [the docs]: https://example.com/';
    assert.equal(cite(collapsed, at(collapsed)).text, `See [The  Docs][]${mark(1)} now.\n\n> [the docs]: https://example.com/`);
    // Brackets that name no definition are text: the citation stays where it was put.
    const plain = 'A [note\uE200cite\uE202turn0search1\uE201] here.';
    assert.equal(cite(plain, at(plain)).text, `A [note${mark(1)}] here.`);
  });

  it('keeps a reference definition whole wherever it is written: in a quote or a list, its destination or title on a line of its own', () => {
    const cases = [
      '> See [docs].\n>\n> [docs]: https://example.com/d\uE200cite\uE202turn0search2\uE201',
      '- See [docs].\n\n  [docs]: /local/path\uE200cite\uE202turn0search2\uE201 "T"',
      'See [docs].\n\n[docs]:\n  https://example.com/d\uE200cite\uE202turn0search2\uE201\n  "Title"',
      'See [docs].\n\n[docs]: https://example.com/d\n  "Ti\uE200cite\uE202turn0search2\uE201tle"',
      '1. See [docs].\n\n   > [docs]:\n   > <https://example.com/a b\uE200cite\uE202turn0search2\uE201>',
    ];
    for (const text of cases) {
      const cited = cite(text, at(text));
      assert.equal(cited.text, text.replace(/\uE200cite\uE202turn0search2\uE201/, ''), JSON.stringify(text));
      assert.equal(cited.footnotes.length, 1);
    }
  });

  it('keeps only the footnote of a citation on a line of block syntax: a closing fence, an underline, a rule, a table delimiter', () => {
    const m = '\uE200cite\uE202turn0search2\uE201';
    const cases = [
      '```js\nconst a = 1;\n```' + m + '\n\nMore text.',
      '> ~~~\n> code\n> ~~~' + m + '\n\nMore text.',
      'Title\n=====' + m + '\n\nMore.',
      'Above\n\n- - -' + m + '\n\nBelow.',
      '| a | b |\n|:---|---:|' + m + '\n| 1 | 2 |',
    ];
    for (const text of cases) {
      const cited = cite(text, at(text));
      assert.equal(cited.text, text.replace(m, ''), JSON.stringify(text));
      assert.equal(cited.footnotes.length, 1);
    }
    // An index-only citation at the end of a closing fence, too.
    const fence = '```\ncode\n```\nAfter.';
    assert.equal(cite(fence, fence.indexOf('\nAfter')).text, fence);
  });

  it('puts a citation after a bare URL before the full stop that ends the sentence, as linkify ends the URL there', () => {
    const text = 'See https://example.com/x\uE200cite\uE202turn0search1\uE201. And www.example.org/y\uE200cite\uE202turn0search1\uE201, too.';
    const cited = applyCitations(text, [
      { type: 'url_citation', url: 'https://example.com/x', title: 'X', startIndex: text.indexOf('\uE200'), endIndex: text.indexOf('\uE201') + 1 },
      { type: 'url_citation', url: 'https://example.org/y', title: 'Y', startIndex: text.lastIndexOf('\uE200'), endIndex: text.lastIndexOf('\uE201') + 1 },
    ]);
    assert.equal(cited.text, `See https://example.com/x${mark(1)}. And www.example.org/y${mark(2)}, too.`);
  });

  it('keeps only the footnote of a citation inside a reference definition, which nothing may follow', () => {
    const definition = 'See [the docs].\n\n[the docs]: https://example.com/d\uE200cite\uE202turn0search2\uE201 "Docs"';
    const cited = cite(definition, at(definition));
    assert.equal(cited.text, 'See [the docs].\n\n[the docs]: https://example.com/d "Docs"');
    assert.equal(cited.footnotes.length, 1);
    const pointedInto = 'x\n\n[a]: https://example.com/path "Title"';
    assert.equal(cite(pointedInto, pointedInto.indexOf('path')).text, pointedInto);
  });
});
