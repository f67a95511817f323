/**
 * The composer. Enter sends, Shift+Enter breaks the line, and an IME composition is never cut short.
 * The text stays until the host confirms the send, so a refused message is never lost.
 */
import { h } from '../ui/dom';
import type { Button, Textarea } from '../ui/kit';
import { button, textarea } from '../ui/kit';

export interface ComposerEvents {
  send(text: string): void;
  stop(): void;
  draftChanged(text: string): void;
}

export class Composer {
  readonly element: HTMLElement;
  private readonly input: Textarea;
  private readonly sendButton: Button;
  private readonly stopButton: Button;
  private readonly error: HTMLElement;
  private pending = false;
  private runActive = false;
  private composing = false;

  constructor(private readonly events: ComposerEvents, draft: string) {
    this.input = textarea({ label: 'Message', placeholder: 'Ask the assistant… (Enter to send, Shift+Enter for a new line)', rows: 3 });
    this.input.classList.add('composer-input');
    this.input.value = draft;
    this.sendButton = button({ label: 'Send', icon: 'send', onClick: () => this.trySend() });
    this.stopButton = button({ label: 'Stop', icon: 'debug-stop', secondary: true, onClick: () => this.events.stop() });
    this.stopButton.hidden = true;
    this.error = h('div', { className: 'composer-error', attrs: { role: 'alert' } });
    this.error.hidden = true;

    this.input.addEventListener('compositionstart', () => (this.composing = true));
    this.input.addEventListener('compositionend', () => (this.composing = false));
    this.input.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.input.addEventListener('input', () => this.events.draftChanged(this.input.value));

    this.element = h(
      'div',
      { className: 'composer' },
      this.error,
      this.input,
      h('div', { className: 'composer-actions' }, this.stopButton, this.sendButton),
    );
  }

  focus(): void {
    this.input.focus();
  }

  setRunActive(active: boolean): void {
    this.runActive = active;
    this.stopButton.hidden = !active;
    this.refreshSend();
  }

  /** A send went out: keep the text, block a second send until the host answers. */
  setPending(pending: boolean): void {
    this.pending = pending;
    this.refreshSend();
  }

  text(): string {
    return this.input.value;
  }

  /** The host accepted the message: only now does the text leave the composer. */
  accepted(): void {
    this.input.value = '';
    this.events.draftChanged('');
    this.showError(undefined);
  }

  showError(message: string | undefined): void {
    this.error.textContent = message ?? '';
    this.error.hidden = !message;
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    // keyCode 229 is the IME's own Enter on some engines, reported before isComposing is set.
    if (this.composing || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    this.trySend();
  }

  private trySend(): void {
    const text = this.input.value.trim();
    if (!text || this.pending || this.runActive) return;
    this.showError(undefined);
    this.events.send(text);
  }

  private refreshSend(): void {
    this.sendButton.disabled = this.pending || this.runActive;
    this.sendButton.title = this.runActive ? 'Wait for the answer, or stop it' : 'Send (Enter)';
  }
}
