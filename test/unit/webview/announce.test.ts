import * as assert from 'node:assert/strict';
import { nextSentences } from '../../../webview/announce';

describe('webview announcer', () => {
  it('speaks only finished sentences, each once, then the rest when the answer ends', () => {
    let spoken = 0;
    const heard: string[] = [];
    for (const [text, final] of [['The parser', false], ['The parser reads tokens. Then it', false], ['The parser reads tokens. Then it builds a tree! Done', false], ['The parser reads tokens. Then it builds a tree! Done', true]] as const) {
      const next = nextSentences(text, spoken, final);
      if (next.speech) heard.push(next.speech);
      spoken = next.upTo;
    }
    assert.deepEqual(heard, ['The parser reads tokens.', 'Then it builds a tree!', 'Done']);
  });

  it('leaves Markdown marks and code out of what is spoken', () => {
    const { speech } = nextSentences('Use **`parse()`** as [the docs](https://x.y) say.\n\n```ts\nparse();\n```\n\n', 0, false);
    assert.equal(speech, 'Use parse() as the docs say. (code block)');
  });
});
