import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { Message } from '../../../src/common/model';
import type { WebviewToHost } from '../../../src/common/protocol';
import type { AnswerActions } from '../../../webview/render/message';
import type * as MessageModule from '../../../webview/render/message';
import type * as FigureModule from '../../../webview/render/figure';
import type * as FilesModule from '../../../webview/files';
import { chatRequester } from './chatRequests';

const answer = (status: Message['status'], text = 'The stock is low.'): Message => ({ id: 'msg_a', role: 'assistant', content: [{ type: 'text', text, annotations: [] }], createdAt: 1, status });

describe('message actions (DOM, happy-dom)', () => {
  let render: (message: Message, actions: AnswerActions) => HTMLElement;

  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    const prototype = HTMLElement.prototype as { attachInternals?: () => unknown };
    prototype.attachInternals ??= () => ({ form: null, setFormValue: () => undefined });
    /* eslint-disable @typescript-eslint/no-require-imports -- the UI kit defines custom elements when loaded, so it loads after the DOM exists */
    const { renderMessage } = require('../../../webview/render/message') as typeof MessageModule;
    const { Figures } = require('../../../webview/render/figure') as typeof FigureModule;
    const { FileRequests } = require('../../../webview/files') as typeof FilesModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const post = (_: WebviewToHost) => undefined;
    const figures = new Figures(new FileRequests(chatRequester(post)), post, () => 't1');
    render = (message, actions) => renderMessage(message, { assistantName: 'Helper', figures, actions });
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  const actions = (forwarded: string[]): AnswerActions => ({
    insertCode: () => undefined,
    openCode: () => undefined,
    openFile: () => undefined,
    editQuestion: () => undefined,
    forward: (id) => forwarded.push(id),
  });

  it('offers Send to another assistant on a finished answer, and sends its id', () => {
    const forwarded: string[] = [];
    const button = render(answer('completed'), actions(forwarded)).querySelector<HTMLElement>('.msg-forward');
    assert.ok(button, 'the action is there');
    assert.match(button.getAttribute('aria-label') ?? button.getAttribute('title') ?? '', /Send to another assistant/);
    button.click();
    assert.deepEqual(forwarded, ['msg_a']);
  });

  it('offers it on no question, no answer still streaming and no answer without text', () => {
    const question: Message = { ...answer('completed'), role: 'user' };
    assert.equal(render(question, actions([])).querySelector('.msg-forward'), null);
    assert.equal(render(answer('in_progress'), actions([])).querySelector('.msg-forward'), null);
    assert.equal(render(answer('completed', '  '), actions([])).querySelector('.msg-forward'), null);
  });
});
