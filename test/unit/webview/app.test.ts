import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { ChatState, HostToWebview, WebviewToHost } from '../../../src/common/protocol';
import type * as AppModule from '../../../webview/app';
import type { HostChannel, PersistedState } from '../../../webview/vscodeApi';

const chat: ChatState = {
  provider: { backend: 'responses', label: 'Test', mock: true, hasKey: true },
  thread: { id: 't1', title: 'A thread' },
  messages: [],
  runs: {},
};

/** A page's host channel in memory: what the page posts and saves, and a way to send it messages. */
function channel(saved: Partial<PersistedState>) {
  const posted: WebviewToHost[] = [];
  const states: PersistedState[] = [];
  let listener: ((message: HostToWebview) => void) | undefined;
  const host: HostChannel = {
    post: (message) => posted.push(message),
    onMessage: (l) => (listener = l),
    loadState: () => ({ draft: '', draftSeq: 0, instructions: '', instructionsSeq: 0, scrollFromBottom: 0, scrollKey: '', ...saved }),
    saveState: (state) => states.push(state),
  };
  return { host, posted, states, receive: (message: HostToWebview) => listener?.(message) };
}

describe('the chat page: what outlives a window reload (DOM, happy-dom)', () => {
  let ChatApp: typeof AppModule.ChatApp;

  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    const prototype = HTMLElement.prototype as { attachInternals?: () => unknown };
    prototype.attachInternals ??= () => ({ form: null, setFormValue: () => undefined });
    // The icons look for the page's codicon stylesheet, as the real page has it.
    document.head.append(Object.assign(document.createElement('link'), { id: 'vscode-codicon-stylesheet' }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the UI kit defines custom elements when loaded, so it loads after the DOM exists
    ({ ChatApp } = require('../../../webview/app') as typeof AppModule);
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  function open(saved: Partial<PersistedState>) {
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const page = channel(saved);
    new ChatApp(root, page.host).start();
    const instructions = root.querySelector('.composer-instructions') as HTMLElement & { value: string };
    return { ...page, root, instructions };
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
});
