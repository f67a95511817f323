import * as assert from 'node:assert/strict';
import type { ChatState, WebviewToHost } from '../../../src/common/protocol';
import type { PersistedState } from '../../../webview/vscodeApi';
import { chatPage } from './chatPage';

const chat: ChatState = {
  provider: { backend: 'responses', label: 'Test', mock: true, hasKey: true },
  thread: { id: 't1', title: 'A thread' },
  messages: [],
  runs: {},
};

describe('the chat page: what outlives a window reload (DOM, happy-dom)', () => {
  const openPage = chatPage();

  function open(saved: Partial<PersistedState>) {
    const page = openPage(undefined, saved);
    const instructions = page.root.querySelector('.composer-instructions') as HTMLElement & { value: string };
    return { ...page, instructions };
  }

  it('takes the host\'s run instructions over an older copy in the page\'s own state', () => {
    const page = open({ instructions: 'Answer in German.', instructionsSeq: 100 });
    page.receive({ type: 'state/full', state: { ...chat, instructions: { text: 'Answer in French.', seq: 200 } } });
    assert.equal(page.instructions.value, 'Answer in French.');
    assert.equal(page.states.at(-1)?.instructions, 'Answer in French.', 'the page\'s copy follows');
    assert.equal(page.states.at(-1)?.instructionsSeq, 200);
    assert.equal(page.instructions.parentElement?.hidden, false, 'shown, since they are set');
    page.receive({ type: 'state/full', state: { ...chat, instructions: { text: '', seq: 300 } } });
    assert.equal(page.instructions.value, '', 'cleared in another page since');
    assert.equal(page.instructions.parentElement?.hidden, true, 'and folded away, as when none were set');
  });

  it('keeps its own instructions when they are newer than the host\'s, and when the host has none', () => {
    const page = open({ instructions: 'Answer in German.', instructionsSeq: 300 });
    page.receive({ type: 'state/full', state: { ...chat, instructions: { text: 'Answer in French.', seq: 200 } } });
    assert.equal(page.instructions.value, 'Answer in German.');
    page.receive({ type: 'state/full', state: chat });
    assert.equal(page.instructions.value, 'Answer in German.');
  });

  it('gives the host every change of the instructions (clearing them too), numbered above the last', () => {
    const page = open({ instructions: '', instructionsSeq: 0 });
    const ahead = Date.now() + 60_000;
    page.receive({ type: 'state/full', state: { ...chat, instructions: { text: 'Be brief.', seq: ahead } } });
    page.instructions.value = 'Be very brief.';
    page.instructions.dispatchEvent(new Event('input'));
    const saves = page.posted.filter((m): m is Extract<WebviewToHost, { type: 'instructions/save' }> => m.type === 'instructions/save');
    assert.equal(saves.length, 1);
    assert.equal(saves[0].instructions, 'Be very brief.');
    assert.ok(saves[0].seq > ahead, 'above the host\'s number, even one from a clock ahead');
    page.instructions.value = '';
    page.instructions.dispatchEvent(new Event('input'));
    assert.equal(page.posted.filter((m) => m.type === 'instructions/save').length, 2, 'clearing them is kept too');
  });

  it('shows none of its own kept texts, and sends nothing, before the host\'s copies are in: the page\'s may be stale', () => {
    for (const [saved, host, expected] of [
      // Cleared in the page just before a reload whose page state was not stored yet: the host's clearing wins, and the old text never shows.
      [{ instructions: 'Start with "Bonjour!"', instructionsSeq: 100, draft: 'Asked already', draftSeq: 100 }, { instructions: { text: '', seq: 200 }, draft: { text: '', seq: 200 } }, { instructions: '', draft: '' }],
      // The host's write of the newest change was lost: the page's copy shows once the host's older one is in.
      [{ instructions: 'Answer in German.', instructionsSeq: 300, draft: 'Half a question', draftSeq: 300 }, { instructions: { text: 'Answer in French.', seq: 200 }, draft: { text: '', seq: 200 } }, { instructions: 'Answer in German.', draft: 'Half a question' }],
    ] as const) {
      const page = open(saved);
      const input = page.root.querySelector('.composer-input') as HTMLElement & { value: string };
      const send = [...page.root.querySelectorAll('.composer vscode-button')].find((b) => b.textContent?.includes('Send')) as HTMLElement & { disabled: boolean };
      assert.equal(page.instructions.value, '', 'no instructions before the host\'s are in');
      assert.equal(page.instructions.parentElement?.hidden, true);
      assert.equal(input.value, '', 'no draft before the host\'s is in');
      assert.equal(send.disabled, true, 'Send waits for the host\'s copies');
      input.value = 'Sent too early';
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
      assert.equal(page.posted.filter((m) => m.type === 'request').length, 0, 'Enter sends nothing yet');
      input.value = '';
      page.receive({ type: 'state/full', state: { ...chat, ...host } });
      assert.equal(page.instructions.value, expected.instructions);
      assert.equal(page.instructions.parentElement?.hidden, !expected.instructions);
      assert.equal(input.value, expected.draft);
      assert.equal(send.disabled, false, 'Send is offered once they are in');
    }
  });
});
