/**
 * Function calls waiting for the user's approval: each shows the function, whether it reads or
 * writes (or the VS Code command it runs), its arguments (once: the step it sits under leaves them
 * to the card), and Allow once / Allow for this thread / Deny; a call of a run another window
 * drives shows read-only, saying that window answers it. The host sends the whole waiting list each time it changes. A card sits under the run step
 * of its call (the transcript asks for it by call id), else above the composer.
 */
import type { ApprovalChoice, ApprovalView } from '../../src/common/protocol';
import { codicon, h } from '../ui/dom';
import { button } from '../ui/kit';
import type { OpenText } from './callArguments';
import { renderArguments } from './callArguments';
import { CallCards } from './callCards';

export class Approvals extends CallCards<ApprovalView> {
  /** `openText`: opens a long argument (a file's new text) in an editor. */
  constructor(
    private readonly answer: (callId: string, choice: ApprovalChoice) => void,
    private readonly openText?: OpenText,
  ) {
    super('approvals');
  }

  protected card(approval: ApprovalView): HTMLElement {
    if (approval.elsewhere) return this.elsewhereCard(approval);
    const choose = (choice: ApprovalChoice) => () => {
      card.classList.add('approval-answered');
      this.answer(approval.callId, choice);
    };
    const title = approval.command
      ? [codicon('terminal'), h('span', { text: 'The assistant wants to run the VS Code command ' }), h('code', { text: approval.command }), h('span', { text: ' for ' }), h('code', { text: approval.name })]
      : approval.server
        ? [codicon('plug'), h('span', { text: 'The assistant wants to call ' }), h('code', { text: approval.name }), h('span', { text: ' on the MCP server ' }), h('code', { text: approval.server }), h('span', { className: 'approval-kind', text: approval.writes ? 'may change things' : 'reads only' })]
        : approval.vscodeTool
          ? [codicon('tools'), h('span', { text: 'The assistant wants to call the VS Code tool ' }), h('code', { text: approval.vscodeTool }), h('span', { text: ', which another extension provides' }), h('span', { className: 'approval-kind', text: 'may change things' })]
          : [codicon(approval.writes ? 'edit' : 'eye'), h('span', { text: 'The assistant wants to call ' }), h('code', { text: approval.name }), h('span', { className: 'approval-kind', text: approval.writes ? 'changes files' : 'reads only' })];
    const card = h(
      'section',
      { className: 'approval', attrs: { 'aria-label': `Approve ${approval.name}`, 'data-call-id': approval.callId } },
      h('div', { className: 'approval-title' }, ...title),
      approval.onceOnly ? h('div', { className: 'approval-note', text: 'Set in this workspace\'s assistant file: asked every time.' }) : null,
      h('div', { className: 'approval-args' }, renderArguments(approval.arguments, this.openText)),
      h(
        'div',
        { className: 'approval-actions' },
        button({ label: 'Allow once', onClick: choose('once') }),
        approval.onceOnly ? null : button({ label: 'Allow for this thread', secondary: true, onClick: choose('thread') }),
        button({ label: 'Deny', secondary: true, onClick: choose('deny') }),
      ),
    );
    return card;
  }

  /** A call of a run another window drives: that window answers it; here it is shown, with no button (answering in both would run it twice). */
  private elsewhereCard(approval: ApprovalView): HTMLElement {
    return h(
      'section',
      { className: 'approval approval-elsewhere', attrs: { 'aria-label': `${approval.name}, answered in the window that asked`, 'data-call-id': approval.callId } },
      h('div', { className: 'approval-title' }, codicon('window'), h('span', { text: 'The assistant called ' }), h('code', { text: approval.name }), approval.server ? h('span', { text: ` on the MCP server ${approval.server}` }) : null),
      h('div', { className: 'approval-note', attrs: { role: 'status' }, text: 'Waiting for approval in the window that asked: allow or deny it there.' }),
      h('div', { className: 'approval-args' }, renderArguments(approval.arguments, this.openText)),
    );
  }
}
