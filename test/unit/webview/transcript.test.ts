import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { Message } from '../../../src/core/model';
import type { ChatState } from '../../../src/shared/protocol';
import type { Transcript } from '../../../webview/render/transcript';
import type * as TranscriptModule from '../../../webview/render/transcript';
import type * as FigureModule from '../../../webview/render/figure';
import type * as FilesModule from '../../../webview/files';
import { applyHostMessage, fromChatState } from '../../../webview/state';

function message(id: string, role: Message['role'], text: string, createdAt: number): Message {
  return { id, role, content: [{ type: 'text', text, annotations: [] }], createdAt };
}

const chat: ChatState = {
  provider: { backend: 'responses', label: 'Test', mock: true, hasKey: true },
  thread: { id: 't1', title: 'A thread' },
  messages: [message('m1', 'user', 'first question', 1), message('m2', 'assistant', 'first answer', 2)],
  runs: {},
};

describe('transcript (DOM, happy-dom)', () => {
  let newTranscript: () => Transcript;

  // A browser-like global scope only for these tests: it replaces fetch and friends, which the
  // other suites need as Node has them.
  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    /* eslint-disable @typescript-eslint/no-require-imports -- the UI kit defines custom elements when loaded, so it loads after the DOM exists */
    const { Transcript: TranscriptClass } = require('../../../webview/render/transcript') as typeof TranscriptModule;
    const { Figures } = require('../../../webview/render/figure') as typeof FigureModule;
    const { FileRequests } = require('../../../webview/files') as typeof FilesModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    newTranscript = () =>
      new TranscriptClass(() => undefined, new Figures(new FileRequests({ post: () => undefined, newRequestId: () => 'r', setTimer: () => undefined }), () => undefined));
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  function ids(t: Transcript): string[] {
    return Array.from(t.element.querySelectorAll('.msg')).map((el) => el.getAttribute('data-message-id') ?? '');
  }

  it('lists each message once, in order', () => {
    const t = newTranscript();
    t.reset(fromChatState(chat));
    assert.deepEqual(ids(t), ['m1', 'm2']);
  });

  it('leaves no stray copy when a message is redrawn in the same pass that adds another', () => {
    const t = newTranscript();
    let state = fromChatState(chat);
    t.reset(state);
    // The answer changes (a new object for the same id) and a new question arrives before any redraw.
    state = applyHostMessage(state, { type: 'message/added', threadId: 't1', message: message('m2', 'assistant', 'first answer, edited', 2) }, 0).state;
    state = applyHostMessage(state, { type: 'message/added', threadId: 't1', message: message('m3', 'user', 'second question', 3) }, 0).state;
    t.sync(state);
    assert.deepEqual(ids(t), ['m1', 'm2', 'm3']);
    assert.match(t.element.textContent ?? '', /first answer, edited/);
  });
});
