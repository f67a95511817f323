import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type * as ApprovalsModule from '../../../webview/render/approvals';
import type { ApprovalChoice } from '../../../src/common/protocol';

describe('approvals in the chat (DOM, happy-dom)', () => {
  let module: typeof ApprovalsModule;
  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    // happy-dom has no form-associated elements; the kit's buttons only need these calls to exist.
    const proto = HTMLElement.prototype as unknown as { attachInternals?: () => unknown };
    proto.attachInternals ??= () => ({ setFormValue: () => undefined, setValidity: () => undefined, form: null, states: new Set() });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the UI kit defines custom elements when loaded, so it loads after the DOM exists
    module = require('../../../webview/render/approvals') as typeof ApprovalsModule;
  });
  after(async () => {
    await GlobalRegistrator.unregister();
  });

  it('shows each waiting call with its arguments and answers with the button pressed', () => {
    const answers: Array<[string, ApprovalChoice]> = [];
    const approvals = new module.Approvals((callId, choice) => answers.push([callId, choice]));
    assert.equal(approvals.element.hidden, true);
    approvals.show([
      { callId: 'c1', runId: 'r', name: 'propose_edit', arguments: '{"path":"src/a.ts","content":"<img src=x onerror=alert(1)>"}', writes: true },
      { callId: 'c2', runId: 'r', name: 'read_file', arguments: 'not json', writes: false },
    ]);
    assert.equal(approvals.element.hidden, false);
    const cards = approvals.element.querySelectorAll('.approval');
    assert.equal(cards.length, 2);
    assert.match(cards[0].textContent ?? '', /propose_edit.*changes files/s);
    assert.equal(cards[0].querySelector('.approval-args')?.textContent, '{\n  "path": "src/a.ts",\n  "content": "<img src=x onerror=alert(1)>"\n}');
    assert.equal(cards[0].querySelector('img'), null, 'arguments are text, never markup');
    assert.equal(cards[1].querySelector('.approval-args')?.textContent, 'not json');
    const buttons = (card: Element) => Array.from(card.querySelectorAll('vscode-button')) as HTMLElement[];
    assert.deepEqual(buttons(cards[0]).map((b) => b.textContent), ['Allow once', 'Allow for this thread', 'Deny']);
    buttons(cards[0])[2].click();
    buttons(cards[1])[1].click();
    assert.deepEqual(answers, [['c1', 'deny'], ['c2', 'thread']]);
    approvals.show([]);
    assert.equal(approvals.element.hidden, true);
  });
});
