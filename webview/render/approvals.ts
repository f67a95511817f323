/**
 * Function calls waiting for the user's approval: each shows the function, whether it reads or
 * writes (or the VS Code command it runs), its arguments, and Allow once / Allow for this thread /
 * Deny. The host sends the whole waiting list each time it changes. A card sits under the run step
 * of its call (the transcript asks for it by call id), else above the composer.
 */
import type { ApprovalChoice, ApprovalView } from '../../src/common/protocol';
import { codicon, h } from '../ui/dom';
import { button } from '../ui/kit';

export class Approvals {
  /** Where a card waits when its tool-call step is not on screen; empty (and hidden by CSS) otherwise. */
  readonly element = h('div', { className: 'approvals', attrs: { 'aria-live': 'polite' } });
  /** One card per waiting call, kept across redraws of the step it sits in. */
  private readonly cards = new Map<string, HTMLElement>();

  constructor(private readonly answer: (callId: string, choice: ApprovalChoice) => void) {}

  show(approvals: readonly ApprovalView[]): void {
    const waiting = new Set(approvals.map((approval) => approval.callId));
    for (const [callId, card] of this.cards) {
      if (waiting.has(callId)) continue;
      card.remove();
      this.cards.delete(callId);
    }
    for (const approval of approvals) {
      if (!this.cards.has(approval.callId)) this.cards.set(approval.callId, this.card(approval));
    }
    this.placeStray();
  }

  /** The card of a waiting call, for the run step that shows the call. */
  cardFor(callId: string): HTMLElement | undefined {
    return this.cards.get(callId);
  }

  /** Cards whose step is not drawn (not yet arrived, or scrolled out of the transcript) wait above the composer. */
  placeStray(): void {
    for (const card of this.cards.values()) if (!card.isConnected) this.element.append(card);
  }

  private card(approval: ApprovalView): HTMLElement {
    const choose = (choice: ApprovalChoice) => () => {
      card.classList.add('approval-answered');
      this.answer(approval.callId, choice);
    };
    const title = approval.command
      ? [codicon('terminal'), h('span', { text: 'The assistant wants to run the VS Code command ' }), h('code', { text: approval.command }), h('span', { text: ' for ' }), h('code', { text: approval.name })]
      : [codicon(approval.writes ? 'edit' : 'eye'), h('span', { text: 'The assistant wants to call ' }), h('code', { text: approval.name }), h('span', { className: 'approval-kind', text: approval.writes ? 'changes files' : 'reads only' })];
    const card = h(
      'section',
      { className: 'approval', attrs: { 'aria-label': `Approve ${approval.name}`, 'data-call-id': approval.callId } },
      h('div', { className: 'approval-title' }, ...title),
      approval.onceOnly ? h('div', { className: 'approval-note', text: 'Set in this workspace\'s assistant file: asked every time.' }) : null,
      h('pre', { className: 'approval-args' }, h('code', { text: prettyArguments(approval.arguments) })),
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
}

/** The arguments indented when they are JSON, as the model wrote them otherwise. */
export function prettyArguments(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}
