/**
 * Function calls waiting for the user's approval: each shows the function, whether it reads or
 * writes, its arguments, and Allow once / Allow for this thread / Deny. The host sends the whole
 * waiting list each time it changes, so this part only redraws what it is given.
 */
import type { ApprovalChoice, ApprovalView } from '../../src/common/protocol';
import { codicon, h } from '../ui/dom';
import { button } from '../ui/kit';

export class Approvals {
  readonly element = h('div', { className: 'approvals', attrs: { 'aria-live': 'polite' } });

  constructor(private readonly answer: (callId: string, choice: ApprovalChoice) => void) {
    this.element.hidden = true;
  }

  show(approvals: readonly ApprovalView[]): void {
    this.element.replaceChildren(...approvals.map((approval) => this.card(approval)));
    this.element.hidden = approvals.length === 0;
  }

  private card(approval: ApprovalView): HTMLElement {
    const choose = (choice: ApprovalChoice) => () => {
      card.classList.add('approval-answered');
      this.answer(approval.callId, choice);
    };
    const card = h(
      'section',
      { className: 'approval', attrs: { 'aria-label': `Approve ${approval.name}`, 'data-call-id': approval.callId } },
      h(
        'div',
        { className: 'approval-title' },
        codicon(approval.writes ? 'edit' : 'eye'),
        h('span', { text: 'The assistant wants to call ' }),
        h('code', { text: approval.name }),
        h('span', { className: 'approval-kind', text: approval.writes ? 'changes files' : 'reads only' }),
      ),
      h('pre', { className: 'approval-args' }, h('code', { text: prettyArguments(approval.arguments) })),
      h(
        'div',
        { className: 'approval-actions' },
        button({ label: 'Allow once', onClick: choose('once') }),
        button({ label: 'Allow for this thread', secondary: true, onClick: choose('thread') }),
        button({ label: 'Deny', secondary: true, onClick: choose('deny') }),
      ),
    );
    return card;
  }
}

/** The arguments indented when they are JSON, as the model wrote them otherwise. */
export function prettyArguments(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}
