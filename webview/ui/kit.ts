/**
 * The only file that knows which web-component kit draws our controls. Swapping
 * `@vscode-elements/elements` for another kit means rewriting these factories, nothing else.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeCollapsible } from '@vscode-elements/elements/dist/vscode-collapsible/vscode-collapsible.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { Child } from './dom';
import { append } from './dom';

export interface ButtonOptions {
  label: string;
  /** A codicon name shown before the label. */
  icon?: string;
  secondary?: boolean;
  /** Show only the icon; `label` becomes the accessible name and tooltip. */
  iconOnly?: boolean;
  onClick: () => void;
}

export type Button = VscodeButton;

export function button(options: ButtonOptions): Button {
  const el = document.createElement('vscode-button');
  if (options.icon) el.icon = options.icon;
  el.secondary = options.secondary ?? false;
  el.setAttribute('aria-label', options.label);
  el.title = options.label;
  if (options.iconOnly) el.iconOnly = true;
  else el.textContent = options.label;
  el.addEventListener('click', () => {
    if (!el.disabled) options.onClick();
  });
  return el;
}

export interface ActionIconOptions {
  /** A codicon name. */
  icon: string;
  /** Accessible name and tooltip. */
  label: string;
  onClick: () => void;
}

/** A toolbar-style icon button, as on VS Code's view and editor toolbars. */
export function actionIcon(options: ActionIconOptions): HTMLElement {
  const el = document.createElement('vscode-icon');
  el.name = options.icon;
  el.label = options.label;
  el.title = options.label;
  el.actionIcon = true;
  el.addEventListener('click', () => options.onClick());
  return el;
}

export function badge(text: string, variant: 'default' | 'counter' = 'default'): HTMLElement {
  const el = document.createElement('vscode-badge');
  el.variant = variant;
  el.textContent = text;
  return el;
}

export interface CollapsibleOptions {
  heading: string;
  description?: string;
  open?: boolean;
  onToggle?: (open: boolean) => void;
}

export type Collapsible = VscodeCollapsible;

export function collapsible(options: CollapsibleOptions, ...children: Child[]): Collapsible {
  const el = document.createElement('vscode-collapsible');
  el.heading = options.heading;
  if (options.description) el.description = options.description;
  el.open = options.open ?? false;
  if (options.onToggle) {
    const onToggle = options.onToggle;
    el.addEventListener('vsc-collapsible-toggle', (event) => onToggle(event.detail.open));
  }
  append(el, ...children);
  return el;
}

export interface TextareaOptions {
  label: string;
  placeholder: string;
  rows: number;
}

export type Textarea = VscodeTextarea;

export function textarea(options: TextareaOptions): Textarea {
  const el = document.createElement('vscode-textarea');
  el.label = options.label;
  el.setAttribute('aria-label', options.label);
  el.placeholder = options.placeholder;
  el.rows = options.rows;
  el.resize = 'vertical';
  // What is typed lays out in its own direction (Arabic or Hebrew right to left). The kit's element
  // takes no `dir`, and `dir="auto"` on it would read its own (empty) text: it goes on the field inside.
  // (An element not yet defined, as in a page without the kit, has no `updateComplete`.)
  void Promise.resolve(el.updateComplete as Promise<boolean> | undefined).then(() => el.shadowRoot?.querySelector('textarea')?.setAttribute('dir', 'auto'));
  return el;
}

export interface SelectOptions {
  /** Accessible name. */
  label: string;
  choices: readonly { value: string; label: string; description?: string }[];
  value: string;
  onChange(value: string): void;
}

export type Select = VscodeSingleSelect;

/** A drop-down of `choices`, as VS Code's settings editor draws one. */
export function select(options: SelectOptions): Select {
  const el = document.createElement('vscode-single-select');
  el.setAttribute('aria-label', options.label);
  el.title = options.label;
  for (const choice of options.choices) {
    const option = document.createElement('vscode-option');
    option.value = choice.value;
    option.textContent = choice.label;
    if (choice.description) option.description = choice.description;
    option.selected = choice.value === options.value;
    el.append(option);
  }
  el.value = options.value;
  el.addEventListener('change', () => options.onChange(el.value));
  return el;
}

export interface TextFieldOptions {
  /** Accessible name and tooltip. */
  label: string;
  placeholder?: string;
  value: string;
  onInput(value: string): void;
}

export type TextField = VscodeTextfield;

/** A one-line input, as VS Code's settings editor draws one. */
export function textField(options: TextFieldOptions): TextField {
  const el = document.createElement('vscode-textfield');
  el.setAttribute('aria-label', options.label);
  el.title = options.label;
  if (options.placeholder) el.placeholder = options.placeholder;
  el.value = options.value;
  el.addEventListener('input', () => options.onInput(el.value));
  return el;
}
