/**
 * The composer. Enter sends, Shift+Enter breaks the line, and an IME composition is never cut short.
 * The text stays until the host confirms the send, so a refused message is never lost.
 */
import { codicon, h } from '../ui/dom';
import type { Button, Textarea } from '../ui/kit';
import { actionIcon, button, textarea } from '../ui/kit';

export interface ComposerEvents {
  /** `instructions`: additional instructions for this run, when the user gave some. */
  send(text: string, instructions: string | undefined): void;
  stop(): void;
  draftChanged(text: string): void;
  instructionsChanged(text: string): void;
  /** The user gave up editing the last question. */
  cancelEdit(): void;
}

export class Composer {
  readonly element: HTMLElement;
  private readonly input: Textarea;
  private readonly sendButton: Button;
  private readonly stopButton: Button;
  private readonly error: HTMLElement;
  private readonly editingBar: HTMLElement;
  private readonly instructionsInput: Textarea;
  private readonly instructionsRow: HTMLElement;
  private readonly instructionsToggle: Button;
  private pending = false;
  private runActive = false;
  /** Until the host's state is in: the kept texts are not shown yet, and nothing is sent with a copy that may be stale. */
  private loading = true;
  private composing = false;
  /** The error line says why an Enter sent nothing (the chat loading, a run going on): it goes when that no longer holds. */
  private waitHint: 'loading' | 'run' | undefined;

  /** Starts empty and loading: the kept draft and instructions come with the host's state (`loaded`, `restore`, `restoreInstructions`). */
  constructor(private readonly events: ComposerEvents) {
    this.input = textarea({ label: 'Message', placeholder: 'Ask the assistant… (Enter to send, Shift+Enter for a new line)', rows: 3 });
    this.input.classList.add('composer-input');
    this.input.value = '';
    this.sendButton = button({ label: 'Send', icon: 'send', onClick: () => this.trySend() });
    this.stopButton = button({ label: 'Stop', icon: 'debug-stop', secondary: true, onClick: () => this.events.stop() });
    this.stopButton.hidden = true;
    this.error = h('div', { className: 'composer-error', attrs: { role: 'alert' } });
    this.error.hidden = true;
    const cancelEdit = actionIcon({ label: 'Cancel editing', icon: 'close', onClick: () => this.events.cancelEdit() });
    this.editingBar = h('div', { className: 'composer-editing', attrs: { role: 'status' } },
      codicon('edit'),
      h('span', { className: 'composer-editing-text', text: 'Editing your last question: sending replaces it and its answer.' }),
      cancelEdit,
    );
    this.editingBar.hidden = true;

    // Additional instructions for the runs this composer starts; they stay until cleared.
    this.instructionsInput = textarea({ label: 'Additional instructions for this run', placeholder: 'Added to the assistant\'s instructions for the next runs, e.g. "Answer in French."', rows: 2 });
    this.instructionsInput.classList.add('composer-instructions');
    this.instructionsInput.value = '';
    this.instructionsInput.addEventListener('input', () => {
      this.events.instructionsChanged(this.instructionsInput.value);
      this.refreshInstructions();
    });
    this.instructionsRow = h('div', { className: 'composer-instructions-row' }, this.instructionsInput);
    this.instructionsRow.hidden = true;
    this.instructionsToggle = button({
      label: 'Instructions for this run',
      icon: 'note',
      secondary: true,
      iconOnly: true,
      onClick: () => {
        this.instructionsRow.hidden = !this.instructionsRow.hidden;
        this.refreshInstructions();
        if (!this.instructionsRow.hidden) this.instructionsInput.focus();
      },
    });

    this.input.addEventListener('compositionstart', () => (this.composing = true));
    this.input.addEventListener('compositionend', () => (this.composing = false));
    this.input.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.input.addEventListener('input', () => this.events.draftChanged(this.input.value));

    this.element = h(
      'div',
      { className: 'composer' },
      this.error,
      this.editingBar,
      this.instructionsRow,
      this.input,
      h('div', { className: 'composer-actions' }, this.instructionsToggle, h('span', { className: 'composer-spacer' }), this.stopButton, this.sendButton),
    );
    this.refreshInstructions();
    this.refreshSend();
  }

  focus(): void {
    this.input.focus();
  }

  setRunActive(active: boolean): void {
    this.runActive = active;
    if (!active) this.clearWaitHint('run');
    this.stopButton.hidden = !active;
    this.refreshSend();
  }

  /** Shows (or hides) that the text will replace the last question when sent. */
  setEditing(editing: boolean): void {
    this.editingBar.hidden = !editing;
  }

  /** The host's state is in (with the kept texts put back): Send is offered from now on. */
  loaded(): void {
    this.loading = false;
    this.clearWaitHint('loading');
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

  /** Puts `text` in the composer for editing (Edit and resend, a draft the host kept). */
  setText(text: string): void {
    this.input.value = text;
    this.events.draftChanged(text);
    this.input.focus();
  }

  /** Puts a kept draft back (the page or the host had a newer copy): no change of the user's, so no event. */
  restore(text: string): void {
    this.input.value = text;
  }

  /** Puts kept instructions back (the host had a newer copy): shown when set, as on opening; no change of the user's, so no event. */
  restoreInstructions(text: string): void {
    this.instructionsInput.value = text;
    this.instructionsRow.hidden = !text.trim();
    this.refreshInstructions();
  }

  /** Adds text after what is typed (a blank line between) and puts the cursor at the end; nothing is sent. */
  insert(text: string): void {
    const current = this.input.value.replace(/\s+$/, '');
    this.input.value = current ? `${current}\n\n${text}` : text;
    this.events.draftChanged(this.input.value);
    this.input.focus();
  }

  /** The host accepted the message: only now does the text leave the composer (the draft is cleared with the send). */
  accepted(): void {
    this.input.value = '';
    this.showError(undefined);
  }

  showError(message: string | undefined): void {
    this.waitHint = undefined;
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
    if (!text || this.pending) return;
    if (this.loading || this.runActive) {
      // Enter where Send is not offered: said, not ignored in silence; the text stays for when it is.
      this.showError(this.loading ? 'The chat is still loading: press Enter again in a moment.' : 'An answer is still coming: wait for it, or Stop it, then press Enter again.');
      this.waitHint = this.loading ? 'loading' : 'run';
      return;
    }
    this.showError(undefined);
    const instructions = this.instructionsInput.value.trim();
    this.events.send(text, instructions || undefined);
  }

  private clearWaitHint(held: 'loading' | 'run'): void {
    if (this.waitHint === held) this.showError(undefined);
  }

  /** The toggle shows whether instructions are set, and says so to screen readers. */
  private refreshInstructions(): void {
    const set = this.instructionsInput.value.trim() !== '';
    this.instructionsToggle.classList.toggle('composer-instructions-set', set);
    const label = set ? 'Instructions for this run (set)' : 'Instructions for this run';
    this.instructionsToggle.setAttribute('aria-label', label);
    this.instructionsToggle.title = label;
    this.instructionsToggle.setAttribute('aria-expanded', String(!this.instructionsRow.hidden));
  }

  private refreshSend(): void {
    this.sendButton.disabled = this.loading || this.pending || this.runActive;
    this.sendButton.title = this.loading ? 'Loading the chat…' : this.runActive ? 'Wait for the answer, or stop it' : 'Send (Enter)';
  }
}
