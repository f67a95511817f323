import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type * as ApprovalsModule from '../../../webview/render/approvals';
import type * as FunctionOutputsModule from '../../../webview/render/functionOutputs';
import type * as StepsModule from '../../../webview/render/steps';
import type * as CallArgumentsModule from '../../../webview/render/callArguments';
import type { Figures } from '../../../webview/render/figure';
import type { ApprovalChoice } from '../../../src/common/protocol';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the DOM exists, as the modules it draws with
const argumentsModule = () => require('../../../webview/render/callArguments') as typeof CallArgumentsModule;

describe('approvals in the chat (DOM, happy-dom)', () => {
  let module: typeof ApprovalsModule;
  let outputsModule: typeof FunctionOutputsModule;
  let stepsModule: typeof StepsModule;
  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    // happy-dom has no form-associated elements; the kit's buttons only need these calls to exist.
    const proto = HTMLElement.prototype as unknown as { attachInternals?: () => unknown };
    proto.attachInternals ??= () => ({ setFormValue: () => undefined, setValidity: () => undefined, form: null, states: new Set() });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the UI kit defines custom elements when loaded, so it loads after the DOM exists
    module = require('../../../webview/render/approvals') as typeof ApprovalsModule;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
    outputsModule = require('../../../webview/render/functionOutputs') as typeof FunctionOutputsModule;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
    stepsModule = require('../../../webview/render/steps') as typeof StepsModule;
  });
  after(async () => {
    await GlobalRegistrator.unregister();
  });

  it('shows a call of a run another window drives read-only: one sentence, no Allow or Deny, nothing answered', () => {
    const answers: Array<[string, ApprovalChoice]> = [];
    const approvals = new module.Approvals((callId, choice) => answers.push([callId, choice]));
    approvals.show([
      { callId: 'c1', runId: 'r', name: 'propose_edit', arguments: '{"path":"src/a.ts"}', writes: false, elsewhere: true },
      { callId: 'c2', runId: 'r', name: 'lookup', arguments: '{}', writes: false, server: 'docs', elsewhere: true },
      { callId: 'c3', runId: 'r', name: 'read_file', arguments: '{"path":"b.ts"}', writes: false },
    ]);
    for (const id of ['c1', 'c2']) {
      const card = approvals.element.querySelector(`[data-call-id="${id}"]`)!;
      assert.equal(card.querySelectorAll('vscode-button').length, 0, `${id}: no button to answer with`);
      assert.match(card.textContent ?? '', /Waiting for approval in the window that asked/);
    }
    assert.match(approvals.element.querySelector('[data-call-id="c2"]')!.textContent ?? '', /docs/, 'the MCP server is named');
    const own = approvals.element.querySelector('[data-call-id="c3"]')!;
    assert.ok(own.querySelectorAll('vscode-button').length > 0, 'a call of this window\'s own run is answered here');
    assert.deepEqual(answers, []);
  });

  it('shows each waiting call with its arguments and answers with the button pressed', () => {
    const answers: Array<[string, ApprovalChoice]> = [];
    const approvals = new module.Approvals((callId, choice) => answers.push([callId, choice]));
    assert.equal(approvals.element.childElementCount, 0, 'nothing waits: the slot is empty (hidden by CSS)');
    approvals.show([
      { callId: 'c1', runId: 'r', name: 'propose_edit', arguments: '{"path":"src/a.ts","content":"<img src=x onerror=alert(1)>"}', writes: true },
      { callId: 'c2', runId: 'r', name: 'read_file', arguments: 'not json', writes: false },
    ]);
    const cards = approvals.element.querySelectorAll('.approval');
    assert.equal(cards.length, 2);
    assert.match(cards[0].textContent ?? '', /propose_edit.*changes files/s);
    const rows = (card: Element) => Array.from(card.querySelectorAll('.approval-args dt, .approval-args dd')).map((el) => el.textContent);
    assert.deepEqual(rows(cards[0]), ['path', 'src/a.ts', 'content', '<img src=x onerror=alert(1)>']);
    assert.equal(cards[0].querySelector('.call-arg-long'), null, 'a short text stays on its row');
    assert.equal(cards[0].querySelector('img'), null, 'arguments are text, never markup');
    assert.deepEqual(rows(cards[1]), ['arguments', 'not json']);
    const buttons = (card: Element) => Array.from(card.querySelectorAll('vscode-button')) as HTMLElement[];
    assert.deepEqual(buttons(cards[0]).map((b) => b.textContent), ['Allow once', 'Allow for this thread', 'Deny']);
    buttons(cards[0])[2].click();
    buttons(cards[1])[1].click();
    assert.deepEqual(answers, [['c1', 'deny'], ['c2', 'thread']]);
    approvals.show([]);
    assert.equal(approvals.element.childElementCount, 0);
  });

  const buttonsOf = (card: Element) => Array.from(card.querySelectorAll('vscode-button')) as HTMLElement[];

  it('shows the command a bound function runs; a repository binding offers no Allow for this thread', () => {
    const answers: Array<[string, ApprovalChoice]> = [];
    const approvals = new module.Approvals((callId, choice) => answers.push([callId, choice]));
    approvals.show([{ callId: 'c1', runId: 'r', name: 'fmt', arguments: '{}', writes: true, command: 'editor.action.formatDocument', onceOnly: true }]);
    const card = approvals.cardFor('c1')!;
    assert.match(card.textContent ?? '', /run the VS Code command editor\.action\.formatDocument for fmt/);
    assert.match(card.textContent ?? '', /asked every time/);
    assert.deepEqual(buttonsOf(card).map((b) => b.textContent), ['Allow once', 'Deny']);
    const again = new module.Approvals(() => undefined);
    again.show([{ callId: 'c2', runId: 'r', name: 'fmt', arguments: '{}', writes: true, command: 'my.command' }]);
    assert.deepEqual(buttonsOf(again.cardFor('c2')!).map((b) => b.textContent), ['Allow once', 'Allow for this thread', 'Deny']);
  });

  it('asks for a custom function\'s output: the typed text is kept as a draft and submitted; Cancel run stops the run', () => {
    const posted: string[] = [];
    const outputs = new outputsModule.FunctionOutputs({
      submit: (callId, output) => posted.push(`submit ${callId} ${output}`),
      draft: (callId, draft) => posted.push(`draft ${callId} ${draft}`),
      cancelRun: () => posted.push('cancel'),
    });
    outputs.show([{ callId: 'c1', runId: 'r', name: 'lookup_price', arguments: '{"sku":"A1"}', draft: 'kept from before' }]);
    const card = outputs.cardFor('c1')!;
    assert.equal(outputs.element.contains(card), true, 'with no step drawn, the card waits above the composer');
    const field = card.querySelector('vscode-textarea') as HTMLElement & { value: string };
    assert.equal(field.value, 'kept from before', 'the draft the host kept comes back');
    assert.deepEqual(Array.from(card.querySelectorAll('.approval-args dt, .approval-args dd')).map((el) => el.textContent), ['sku', 'A1']);
    field.value = '';
    buttonsOf(card)[0].click();
    assert.match(card.textContent ?? '', /Type the output first/);
    field.value = '{"price": 3}';
    field.dispatchEvent(new Event('input'));
    buttonsOf(card)[0].click();
    buttonsOf(card)[1].click();
    assert.deepEqual(posted, ['draft c1 {"price": 3}', 'submit c1 {"price": 3}', 'cancel']);
    outputs.show([{ callId: 'c1', runId: 'r', name: 'lookup_price', arguments: '{}', draft: 'other' }]);
    assert.equal(outputs.cardFor('c1'), card, 'a card is kept while its call waits (typing is not lost to a redraw)');
    outputs.show([]);
    assert.equal(outputs.cardFor('c1'), undefined);
    assert.equal(card.isConnected, false);
  });

  it('draws a waiting card under the run step of its call, with the step and the panel open', () => {
    const outputs = new outputsModule.FunctionOutputs({ submit: () => undefined, draft: () => undefined, cancelRun: () => undefined });
    outputs.show([{ callId: 'call_1', runId: 'run_1', name: 'lookup_price', arguments: '{}', draft: '' }]);
    const view = {
      run: { id: 'run_1', threadId: 't', assistantId: 'a', status: 'requires_action' as const, createdAt: 0 },
      steps: [{ id: 'step_1', runId: 'run_1', status: 'in_progress' as const, createdAt: 0, details: { type: 'tool_calls' as const, toolCalls: [{ type: 'function' as const, id: 'call_1', name: 'lookup_price', arguments: '{}' }] } }],
    };
    const open = { runs: new Map([['run_1', false]]), items: new Map<string, boolean>() };
    const block = stepsModule.renderRunBlock(view, undefined, open, {} as Figures, undefined, (id) => outputs.cardFor(id));
    document.body.append(block);
    const step = block.querySelector('details.step') as HTMLDetailsElement;
    assert.equal(step.open, true);
    assert.equal(step.querySelector('.function-output'), outputs.cardFor('call_1'));
    assert.equal((block.querySelector('vscode-collapsible') as HTMLElement & { open: boolean }).open, true, 'opened though the user had closed it');
    outputs.placeStray();
    assert.equal(outputs.element.childElementCount, 0, 'a card drawn in its step is not also above the composer');
    block.remove();
  });

  /** A run waiting on `call` in a completed step (the model is done with it; its output is not). */
  function waitingRun(args: string) {
    return {
      run: { id: 'run_1', threadId: 't', assistantId: 'a', status: 'requires_action' as const, createdAt: 0 },
      steps: [{ id: 'step_1', runId: 'run_1', status: 'completed' as const, createdAt: 0, details: { type: 'tool_calls' as const, toolCalls: [{ type: 'function' as const, id: 'call_1', name: 'propose_edit', arguments: args }] } }],
    };
  }

  it('shows a waiting call\'s arguments once, in its card, under a step that waits (a bell, no check) and says on whom', () => {
    const args = JSON.stringify({ path: 'src/inventory.ts', content: 'export const LOW = 5;\nexport const HIGH = 50;\n' });
    const approvals = new module.Approvals(() => undefined);
    approvals.show([{ callId: 'call_1', runId: 'run_1', name: 'propose_edit', arguments: args, writes: true }]);
    const open = { runs: new Map<string, boolean>(), items: new Map<string, boolean>() };
    const block = stepsModule.renderRunBlock(waitingRun(args), undefined, open, {} as Figures, undefined, (id) => approvals.cardFor(id), { awaiting: 'approval' });
    const step = block.querySelector('details.step') as HTMLDetailsElement;
    assert.equal(block.querySelectorAll('.call-args').length, 1, 'the arguments are drawn once');
    assert.equal(step.querySelector('.approval .call-args') !== null, true, 'in the card');
    assert.equal(step.querySelector('.step-summary .codicon-check'), null, 'no check while the call waits');
    assert.ok(step.querySelector('.step-summary .codicon-bell'), 'a bell says it waits on the user');
    assert.match((block.querySelector('vscode-collapsible') as HTMLElement & { description: string }).description, /waiting for your approval/);
    // Answered: the card goes, the step shows its arguments, and waits for the output without a check.
    approvals.show([]);
    const answered = stepsModule.renderRunBlock(waitingRun(args), undefined, open, {} as Figures, undefined, (id) => approvals.cardFor(id));
    assert.equal(answered.querySelectorAll('.call-args').length, 1);
    assert.equal(answered.querySelector('.step-summary .codicon-check'), null, 'still no check before the output');
    assert.ok(answered.querySelector('.step-summary .codicon-clock'));
  });

  it('lifts every long text out of the arguments as wrapping text of its own, with Open in Editor in the file\'s language', () => {
    const long = 'x'.repeat(300);
    const content = 'line one\nline two\nline three';
    const rows = argumentsModule().argumentRows(JSON.stringify({ path: 'src/a.ts', content, note: 'short', edits: [{ oldText: long, newText: 'y' }], count: 3 }));
    assert.deepEqual(rows.map((r) => r.name), ['path', 'content', 'note', 'edits', 'count']);
    assert.deepEqual(rows[1].long, [{ path: 'content', text: content }], 'a text with line breaks is a block');
    assert.equal(rows[2].value, 'short');
    assert.deepEqual(rows[3].long, [{ path: 'edits[0].oldText', text: long }], 'a long text inside a nested value is lifted out too');
    assert.match(rows[3].value ?? '', /"oldText": "‹edits\[0\]\.oldText: 300 characters, below›"/);
    assert.match(rows[3].value ?? '', /"newText": "y"/);
    assert.equal(rows[4].value, '3');
    const opened: Array<[string, string | undefined]> = [];
    const drawn = argumentsModule().renderArguments(JSON.stringify({ path: 'src/a.ts', content }), (text, language) => opened.push([text, language]));
    const block = drawn.querySelector('.call-arg-long') as HTMLElement;
    assert.equal(block.querySelector('.call-arg-text')?.textContent, content);
    (block.querySelector('vscode-icon') as HTMLElement).click();
    assert.deepEqual(opened, [[content, 'ts']]);
    assert.deepEqual(argumentsModule().argumentRows(`not json ${long}`), [{ name: 'arguments', long: [{ path: 'arguments', text: `not json ${long}` }] }], 'text that is not JSON, as written');
  });

  it('an MCP server\'s approval request shows the server and sits under its step; list and call steps show tools, output and error', () => {
    const approvals = new module.Approvals(() => undefined);
    const callId = 'mcp_approval:mcpr_1';
    approvals.show([{ callId, runId: 'run_1', name: 'write_note', server: 'notes', arguments: '{"title":"a"}', writes: true }]);
    const card = approvals.cardFor(callId)!;
    assert.match(card.textContent ?? '', /call write_note on the MCP server notes.*may change things/s);
    assert.deepEqual(buttonsOf(card).map((b) => b.textContent), ['Allow once', 'Allow for this thread', 'Deny']);
    const step = (id: string, status: 'completed' | 'failed', toolCalls: unknown[]) => ({ id, runId: 'run_1', status, createdAt: 0, details: { type: 'tool_calls' as const, toolCalls } });
    const view = {
      run: { id: 'run_1', threadId: 't', assistantId: 'a', status: 'requires_action' as const, createdAt: 0 },
      steps: [
        step('l1', 'completed', [{ type: 'mcp_list_tools', id: 'l1', serverLabel: 'notes', tools: [{ name: 'read_note', description: 'Reads a note.' }, { name: 'write_note' }] }]),
        step('c1', 'failed', [{ type: 'mcp', id: 'c1', serverLabel: 'notes', name: 'read_note', arguments: '{}', error: 'read_note on the MCP server notes failed: No note.' }]),
        step('r1', 'completed', [{ type: 'mcp', id: callId, serverLabel: 'notes', name: 'write_note', arguments: '{"title":"a"}', approval: true }]),
      ],
    } as Parameters<typeof stepsModule.renderRunBlock>[0];
    const open = { runs: new Map<string, boolean>(), items: new Map<string, boolean>() };
    const block = stepsModule.renderRunBlock(view, undefined, open, {} as Figures, undefined, (id) => approvals.cardFor(id));
    const steps = Array.from(block.querySelectorAll('details.step')) as HTMLDetailsElement[];
    assert.deepEqual(steps.map((s) => s.querySelector('.step-title')?.textContent), ['notes: tools', 'notes/read_note', 'notes/write_note']);
    assert.match(steps[0].textContent ?? '', /read_note: Reads a note\..*write_note/s);
    assert.equal(steps[1].querySelector('.step-error')?.textContent, 'read_note on the MCP server notes failed: No note.');
    assert.ok(steps[1].classList.contains('step-failed'));
    assert.equal(steps[2].open, true, 'the step of a waiting request is open');
    assert.equal(steps[2].querySelector('.approval'), card);
    assert.equal(steps[2].querySelectorAll('.call-args').length, 1, 'the arguments are drawn once, in the card');
  });

  it('a VS Code tool\'s request names the tool as VS Code lists it and what may happen, with all three answers', () => {
    const approvals = new module.Approvals(() => undefined);
    approvals.show([{ callId: 'call_v', runId: 'run_1', name: 'vscode_mcp_github_get_issue', vscodeTool: 'mcp_github_get_issue', arguments: '{"number":7}', writes: true }]);
    const card = approvals.cardFor('call_v')!;
    assert.equal(card.querySelector('.approval-title')?.textContent, 'The assistant wants to call the VS Code tool mcp_github_get_issue, which another extension providesmay change things');
    assert.ok(card.querySelector('.codicon-tools'));
    assert.deepEqual(buttonsOf(card).map((b) => b.textContent), ['Allow once', 'Allow for this thread', 'Deny']);
  });
});
