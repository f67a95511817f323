/** Who the chat talks to: provider (with a loud badge for the offline fake), assistant, model, thread. */
import type { ViewState } from '../state';
import { clear, codicon, h } from '../ui/dom';
import { badge } from '../ui/kit';

/** What the header can ask for. */
export interface HeaderActions {
  /** Opens the assistant picker (the host's Select Assistant QuickPick). */
  switchAssistant(): void;
}

export function renderHeader(target: HTMLElement, state: ViewState, actions: HeaderActions): void {
  clear(target);
  const assistant = state.assistant;
  const shown = assistant && (assistant.where ? `${assistant.name} (${assistant.where})` : assistant.name);
  const switcher = h(
    'button',
    // The name may be cut short in a narrow side bar: the tooltip gives it whole.
    { className: 'header-assistant', attrs: { type: 'button', title: `${shown ?? 'No assistant selected'}: switch assistant`, 'aria-label': `Assistant: ${shown ?? 'none'}. Switch assistant` } },
    h('span', { text: assistant?.name ?? 'No assistant selected' }),
    codicon('chevron-down'),
  );
  switcher.addEventListener('click', () => actions.switchAssistant());
  const titleRow = h(
    'div',
    { className: 'header-row' },
    codicon('hubot'),
    switcher,
    assistant ? h('span', { className: 'header-model', text: assistant.model, attrs: { title: `Model: ${assistant.model}` } }) : null,
    h('span', { className: 'header-spacer' }),
    providerBadge(state),
  );
  // Another assistant has this name: where this one lives tells them apart.
  const where = assistant?.where ? h('div', { className: 'header-where', attrs: { title: `${assistant.name}: ${assistant.where}` } }, h('span', { text: assistant.where })) : null;
  const thread = h(
    'div',
    { className: 'header-thread', attrs: { title: state.thread?.title } },
    codicon('comment-discussion'),
    h('span', { text: state.thread?.title ?? 'New thread' }),
  );
  target.append(titleRow, ...(where ? [where] : []), thread);
}

function providerBadge(state: ViewState): HTMLElement | null {
  const provider = state.provider;
  if (provider.mock) {
    const el = badge('Fake server (offline)');
    el.classList.add('badge-mock');
    el.title = 'Answers come from the built-in fake server, not from a model.';
    return el;
  }
  if (!provider.label) return null;
  return h('span', { className: 'header-provider', text: provider.label, attrs: { title: `Provider: ${provider.label}` } });
}
