/**
 * Custom function calls the user answers, the Playground's way: each shows the function and its
 * arguments, a field for the output, Submit (the text becomes the call's output for the model) and
 * Cancel run. A card sits under the run step of its call, else above the composer; it is kept
 * across redraws of that step, and what is typed goes to the host as typed, so hiding the view
 * loses nothing.
 */
import type { OutputRequestView } from '../../src/common/protocol';
import { codicon, h } from '../ui/dom';
import { button, textarea } from '../ui/kit';
import type { OpenText } from './callArguments';
import { renderArguments } from './callArguments';
import { CallCards } from './callCards';

export interface FunctionOutputActions {
  submit(callId: string, output: string): void;
  draft(callId: string, draft: string): void;
  cancelRun(): void;
  /** Opens a long argument in an editor. */
  openText?: OpenText;
}

export class FunctionOutputs extends CallCards<OutputRequestView> {
  constructor(private readonly actions: FunctionOutputActions) {
    super('approvals function-outputs');
  }

  protected card(request: OutputRequestView): HTMLElement {
    const field = textarea({ label: `Output of ${request.name}`, placeholder: 'What the function returns, e.g. JSON or text', rows: 4 });
    field.value = request.draft;
    field.classList.add('function-output-field');
    const hint = h('div', { className: 'function-output-hint', attrs: { role: 'note' } });
    field.addEventListener('input', () => {
      hint.textContent = '';
      this.actions.draft(request.callId, field.value);
    });
    const submit = () => {
      if (!field.value.trim()) {
        hint.textContent = 'Type the output first: the model reads exactly this text.';
        return;
      }
      card.classList.add('approval-answered');
      this.actions.submit(request.callId, field.value);
    };
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      }
    });
    const card = h(
      'section',
      { className: 'approval function-output', attrs: { 'aria-label': `Output of ${request.name}`, 'data-call-id': request.callId } },
      h('div', { className: 'approval-title' }, codicon('symbol-method'), h('span', { text: 'The assistant calls ' }), h('code', { text: request.name }), h('span', { text: ': you give the output' })),
      h('div', { className: 'approval-args' }, renderArguments(request.arguments, this.actions.openText)),
      field,
      hint,
      h(
        'div',
        { className: 'approval-actions' },
        button({ label: 'Submit', onClick: submit }),
        button({ label: 'Cancel run', secondary: true, onClick: () => this.actions.cancelRun() }),
      ),
    );
    return card;
  }
}
