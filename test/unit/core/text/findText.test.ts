import * as assert from 'node:assert/strict';
import { check } from '../../../../src/core/assistantTests/expectations';
import { applyEdits } from '../../../../src/core/functions/proposeEdit';
import { includesText, occurrences } from '../../../../src/core/text/findText';
import { findPassage } from '../../../../src/core/text/passage';
import { functionFixture } from '../functions/fixture';

/**
 * Text and what is looked for in it, each repeating itself: V8's `indexOf` and `includes` took time
 * in the product of their lengths (the first 8 s, the second 76 s), and the extension host with them.
 */
const haystack = 'a'.repeat(2_000_000);
const repetitive: Array<[string, string]> = [
  ['a 5,000 times, b, a 5,000 times', `${'a'.repeat(5_000)}b${'a'.repeat(5_000)}`],
  ['a 50,000 times, b, a 50,000 times', `${'a'.repeat(50_000)}b${'a'.repeat(50_000)}`],
];

describe('literal text is found in time linear in the text and what is looked for', () => {
  it('finds what indexOf finds: first occurrences, overlapping ones, none, and an empty needle', () => {
    const cases: Array<[string, string]> = [
      ['abcabcab', 'cab'],
      ['aaaa', 'aa'],
      ['abababa', 'aba'],
      ['héllo wörld 👋 wörld', 'wörld'],
      ['short', 'longer than the text'],
      ['abc', ''],
      ['', 'a'],
    ];
    for (const [text, needle] of cases) {
      const expected: number[] = [];
      for (let at = text.indexOf(needle); at !== -1 && expected.length < 3; at = text.indexOf(needle, at + 1)) expected.push(at);
      assert.deepEqual(occurrences(text, needle, 3), needle === '' ? [0] : expected, `${text} / ${needle}`);
      assert.equal(includesText(text, needle), text.includes(needle), `${text} / ${needle}`);
    }
  });

  for (const [label, needle] of repetitive) {
    it(`answers ${label} in 2,000,000 a: propose_edit's snippet and a contains expectation`, async () => {
      assert.deepEqual(occurrences(haystack, needle, 2), []);
      await assert.rejects(applyEdits(haystack, [{ oldText: needle, newText: 'x' }]), /edit 1: oldText does not occur in the file/);
      // Once: around the only b, which stands 2,000,000 characters in.
      const half = (needle.length - 1) / 2;
      assert.equal(await applyEdits(`${haystack}b${'a'.repeat(needle.length)}`, [{ oldText: needle, newText: 'x' }]), `${'a'.repeat(2_000_000 - half)}x${'a'.repeat(needle.length - half)}`);
      const verdict = await check({ type: 'contains', value: needle }, { text: haystack, toolCalls: [], citations: [], latencyMs: 0 }, async () => ({ pass: true, reason: '' }));
      assert.equal(verdict.pass, false);
      assert.match(verdict.reason ?? '', /^The answer does not contain "a+ba+"\.$/);
    });
  }

  it('propose_edit through the tool handler answers such a snippet in a sentence, and finds a snippet twice in a repetitive file', async () => {
    const ws = functionFixture();
    try {
      ws.policies.propose_edit = 'allow';
      ws.write('data/zeros.txt', '0'.repeat(2_000_000));
      for (const oldText of [`${'0'.repeat(50_000)}1${'0'.repeat(50_000)}`, `1${'0'.repeat(100_000)}`]) {
        assert.equal(await ws.call('propose_edit', { path: 'data/zeros.txt', edits: [{ oldText, newText: 'x' }] }), 'Error: edit 1: oldText does not occur in the file; read the file and copy the text exactly.');
      }
      assert.match(await ws.call('propose_edit', { path: 'data/zeros.txt', edits: [{ oldText: '0'.repeat(100_000), newText: 'x' }] }), /edit 1: oldText occurs more than once/);
      assert.equal(ws.proposals.length, 0);
    } finally {
      ws.dispose();
    }
  });

  it('a cited passage whose words are comment leaders is looked for in one pass: words of ** against 100,000 *, of ## against a banner of #', () => {
    for (const leader of ['*', '#']) {
      const quote = `a ${`${leader}${leader} `.repeat(10)}b`;
      const banner = `a${leader.repeat(100_000)}c\n`;
      assert.equal(findPassage(banner, quote), undefined, quote);
      const found = findPassage(`${banner}/* a ${leader.repeat(20)} b */\n`, quote);
      assert.deepEqual(found, { start: banner.length + 3, end: banner.length + 27 }, 'the passage after the banner is found, whatever leaders stand between its words');
    }
  });
});
