import { h } from '../ui/dom';

/**
 * Cards for tool calls waiting on the user, one per call id. The host sends the whole waiting list
 * each time it changes (`show`); a card is kept across redraws of the run step it sits under (the
 * transcript asks for it by call id, `cardFor`), and a card whose step is not drawn (not arrived
 * yet, or scrolled out of the transcript) waits in `element`, above the composer.
 */
export abstract class CallCards<T extends { callId: string }> {
  /** Where a card waits when its tool-call step is not on screen; empty (and hidden by CSS) otherwise. */
  readonly element: HTMLElement;
  /** One card per waiting call, kept across redraws of the step it sits in. */
  private readonly cards = new Map<string, HTMLElement>();

  /** `className`: the classes of `element`. */
  constructor(className: string) {
    this.element = h('div', { className, attrs: { 'aria-live': 'polite' } });
  }

  show(waiting: readonly T[]): void {
    const ids = new Set(waiting.map((item) => item.callId));
    for (const [callId, card] of this.cards) {
      if (ids.has(callId)) continue;
      card.remove();
      this.cards.delete(callId);
    }
    for (const item of waiting) {
      if (!this.cards.has(item.callId)) this.cards.set(item.callId, this.card(item));
    }
    this.placeStray();
  }

  /** The card of a waiting call, for the run step that shows the call. */
  cardFor(callId: string): HTMLElement | undefined {
    return this.cards.get(callId);
  }

  /** Puts every card whose step is not drawn above the composer. */
  placeStray(): void {
    for (const card of this.cards.values()) if (!card.isConnected) this.element.append(card);
  }

  /** Draws the card of one waiting call. */
  protected abstract card(item: T): HTMLElement;
}
