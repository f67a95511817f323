/**
 * The assistant form, laid out like the Assistants Playground's left panel: name, instructions,
 * model, tools (functions with their JSON Schemas), knowledge, sampling, output. Every change is
 * sent to the host, which validates it and writes the file; problems come back and are shown at
 * their fields. Nothing typed is thrown away while it is invalid.
 */
import type { AssistantForm, Choice, EditorRequests, EditorToHost, FormError, FunctionForm, HostToEditor, ServerChoices } from '../../src/common/assistantEditorProtocol';
import { Requester } from '../../src/common/requests';
import type { ReasoningEffort } from '../../src/common/model';
import { clear, codicon, h } from '../ui/dom';

const CHANGE_DELAY_MS = 250;
const REQUEST_TIMEOUT_MS = 10_000;
const EFFORTS: ('' | ReasoningEffort)[] = ['', 'none', 'minimal', 'low', 'medium', 'high', 'xhigh'];
const FUNCTION_EXAMPLE = '{\n  "type": "object",\n  "properties": {\n    "location": { "type": "string", "description": "City and country" }\n  },\n  "required": ["location"],\n  "additionalProperties": false\n}';

export class AssistantFormView {
  private form: AssistantForm | undefined;
  private choices: ServerChoices = {};
  private readonly requests: Requester<EditorRequests>;
  private changeTimer: number | undefined;
  /** Changes sent and not answered yet. */
  private inFlight = 0;
  /** The host's revision of the form the user's edits start from (see `form/change`). */
  private baseRevision = 0;
  private readonly body = h('div', { className: 'form-body' });
  private readonly status = h('div', { className: 'form-status', attrs: { role: 'status', 'aria-live': 'polite' } });

  constructor(
    root: HTMLElement,
    private readonly post: (message: EditorToHost) => void,
  ) {
    this.requests = new Requester<EditorRequests>({ send: post, timeoutsMs: { 'form/change': REQUEST_TIMEOUT_MS, 'choices/list': REQUEST_TIMEOUT_MS } });
    const openText = h('button', { className: 'link-button', attrs: { type: 'button' } }, codicon('json'), ' Open as JSON');
    openText.addEventListener('click', () => this.post({ type: 'editor/openText' }));
    root.replaceChildren(h('div', { className: 'form-toolbar' }, this.status, openText), this.body);
    void this.loadChoices();
  }

  receive(message: HostToEditor): void {
    switch (message.type) {
      case 'document/show':
        // Typing not yet answered is kept: the host merges it with this document at its next change and shows the result.
        if (this.changeTimer !== undefined || this.inFlight > 0) return;
        this.form = message.form;
        this.baseRevision = message.revision;
        this.render(message.errors);
        return;
      case 'document/notice':
        this.status.textContent = message.message;
        this.status.classList.toggle('has-errors', message.warning);
        return;
      case 'document/saved':
        this.status.textContent = savedStatus(message.problems, this.form === undefined ? 0 : this.currentErrors().length);
        this.status.classList.toggle('has-errors', message.problems > 0 || (this.form !== undefined && this.currentErrors().length > 0));
        return;
      case 'document/saveRefused':
        this.status.textContent = message.message;
        this.status.classList.add('has-errors');
        return;
      case 'reply':
        this.requests.receive(message);
        return;
      default: {
        const exhaustive: never = message;
        return exhaustive;
      }
    }
  }

  private async loadChoices(): Promise<void> {
    try {
      this.choices = await this.requests.request('choices/list', {});
    } catch (error) {
      this.choices = { problem: error instanceof Error ? error.message : String(error) };
    }
    if (this.form) this.render(this.currentErrors());
  }

  /** The page for the current form; a file that cannot be shown as a form shows its problems. */
  private render(errors: FormError[]): void {
    const focused = document.activeElement instanceof HTMLInputElement || document.activeElement instanceof HTMLTextAreaElement ? document.activeElement : undefined;
    const caret = focused && { id: focused.id, start: focused.selectionStart, end: focused.selectionEnd };
    this.renderFields(errors);
    // A document shown while the user is in a field (a change merged in) leaves them where they were.
    const again = caret?.id ? document.getElementById(caret.id) : null;
    if (caret && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) {
      again.focus();
      // Number and range inputs have no selection (their selectionStart is null).
      if (caret.start !== null && caret.end !== null) again.setSelectionRange(caret.start, caret.end);
    }
  }

  private renderFields(errors: FormError[]): void {
    clear(this.body);
    const form = this.form;
    if (!form) {
      this.body.append(
        h('p', { className: 'form-broken', text: 'This file cannot be shown as a form until these problems are fixed in the JSON:' }),
        h('ul', { className: 'field-errors' }, ...errors.map((e) => h('li', { text: problemLine(e) }))),
      );
      return;
    }
    const onChange = () => this.changed();
    this.body.append(
      section('Assistant',
        textField('Name', '/name', form.name, (v) => (form.name = v), onChange),
        textField('Description', '/description', form.description, (v) => (form.description = v), onChange),
        modelField(form, this.choices, onChange),
        textArea('Instructions', '/instructions', form.instructions, 'You are a helpful assistant…', 8, (v) => (form.instructions = v), onChange),
      ),
      section('Tools',
        ...fileSearchFields(form, onChange),
        checkbox('Code interpreter', '/tools/code_interpreter', form.codeInterpreter, (v) => (form.codeInterpreter = v), onChange),
        this.functionsField(form, onChange),
      ),
      section('Knowledge',
        pickList('Vector stores (file search)', '/tool_resources/file_search', this.choices.vectorStores, form.vectorStoreIds, onChange, this.choices.problem),
        pickList('Files (code interpreter)', '/tool_resources/code_interpreter', this.choices.files, form.codeFileIds, onChange, this.choices.problem),
      ),
      section('Model configuration',
        slider('Temperature', '/temperature', form.temperature, 0, 2, 1, (v) => (form.temperature = v), onChange),
        slider('Top P', '/top_p', form.topP, 0, 1, 1, (v) => (form.topP = v), onChange),
        responseFormatField(form, onChange),
        select('Reasoning effort', '/reasoning_effort', EFFORTS.map((e) => ({ id: e, label: e || 'model default' })), form.reasoningEffort, (v) => (form.reasoningEffort = v as '' | ReasoningEffort), onChange),
      ),
    );
    this.showErrors(errors);
  }

  private functionsField(form: AssistantForm, onChange: () => void): HTMLElement {
    const list = h('div', { className: 'functions' });
    const offset = () => (form.fileSearch ? 1 : 0) + (form.codeInterpreter ? 1 : 0);
    form.functions.forEach((fn, index) => list.append(functionCard(fn, `/tools/${offset() + index}/function`, () => {
      form.functions.splice(index, 1);
      this.render(this.currentErrors());
      onChange();
    }, onChange)));
    const add = h('button', { className: 'secondary-button', attrs: { type: 'button' } }, codicon('add'), ' Add function');
    add.addEventListener('click', () => {
      form.functions.push({ name: `function_${form.functions.length + 1}`, description: '', parameters: FUNCTION_EXAMPLE, strict: false });
      this.render(this.currentErrors());
      onChange();
    });
    return h('div', { className: 'field', attrs: { 'data-path': '/tools' } }, h('div', { className: 'field-label', text: 'Functions' }), list, add, errorSlot());
  }

  /** Sends the form after a pause in typing; shows what the host says about it. */
  private changed(): void {
    window.clearTimeout(this.changeTimer);
    this.status.textContent = 'Checking…';
    this.changeTimer = window.setTimeout(() => {
      this.changeTimer = undefined;
      void this.send();
    }, CHANGE_DELAY_MS);
  }

  private async send(): Promise<void> {
    const form = this.form;
    if (!form) return;
    this.inFlight++;
    try {
      const reply = await this.requests.request('form/change', { form: structuredClone(form), baseRevision: this.baseRevision });
      if (reply.revision !== undefined) this.baseRevision = reply.revision;
      this.showErrors(reply.errors);
      const also = reply.conflicts?.length ? ` ${reply.conflicts.join(', ')} had also been changed in the file meanwhile; the form's value was kept (Undo brings the other back).` : '';
      this.status.textContent = reply.errors.length > 0 ? `Not saved to the file: ${reply.errors.length} problem${reply.errors.length === 1 ? '' : 's'} below.` : `${reply.saved ? 'Valid. Save the editor (Ctrl+S) to write it.' : 'Valid.'}${also}`;
      this.status.classList.toggle('has-errors', reply.errors.length > 0 || also !== '');
    } catch (error) {
      this.status.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      this.inFlight--;
    }
  }

  private currentErrors(): FormError[] {
    return [...this.body.querySelectorAll<HTMLElement>('.field-error[data-error-path]')].map((el) => ({ path: el.dataset.errorPath ?? '', message: el.textContent ?? '' }));
  }

  /** Puts each problem under the field whose path is the longest prefix of the problem's path. */
  private showErrors(errors: FormError[]): void {
    for (const slot of this.body.querySelectorAll<HTMLElement>('.field-error')) {
      slot.textContent = '';
      slot.hidden = true;
      delete slot.dataset.errorPath;
    }
    for (const field of this.body.querySelectorAll('.field.invalid')) field.classList.remove('invalid');
    const fields = [...this.body.querySelectorAll<HTMLElement>('.field[data-path]')];
    const general: string[] = [];
    for (const error of errors) {
      const field = fields
        .filter((f) => error.path === f.dataset.path || error.path.startsWith(`${f.dataset.path}/`))
        .sort((a, b) => (b.dataset.path?.length ?? 0) - (a.dataset.path?.length ?? 0))[0];
      const slot = field?.querySelector<HTMLElement>(':scope > .field-error');
      if (!field || !slot) {
        general.push(problemLine(error));
        continue;
      }
      field.classList.add('invalid');
      const detail = error.path === field.dataset.path ? error.message : `${error.path.slice((field.dataset.path ?? '').length + 1)}: ${error.message}`;
      slot.textContent = slot.textContent ? `${slot.textContent}\n${detail}` : detail;
      slot.dataset.errorPath = error.path;
      slot.hidden = false;
    }
    if (general.length > 0) this.status.textContent = general.join('; ');
  }
}

function section(title: string, ...children: HTMLElement[]): HTMLElement {
  return h('section', { className: 'form-section' }, h('h2', { text: title }), ...children);
}

function errorSlot(): HTMLElement {
  const slot = h('div', { className: 'field-error', attrs: { role: 'alert' } });
  slot.hidden = true;
  return slot;
}

function fieldId(path: string): string {
  return `f${path.replace(/[^A-Za-z0-9]/g, '-')}`;
}

function textField(label: string, path: string, value: string, set: (v: string) => void, changed: () => void, type = 'text'): HTMLElement {
  const input = h('input', { attrs: { id: fieldId(path), type, 'aria-label': label } });
  input.value = value;
  input.addEventListener('input', () => {
    set(input.value);
    changed();
  });
  return h('div', { className: 'field', attrs: { 'data-path': path } }, h('label', { className: 'field-label', text: label, attrs: { for: input.id } }), input, errorSlot());
}

function textArea(label: string, path: string, value: string, placeholder: string, rows: number, set: (v: string) => void, changed: () => void): HTMLElement {
  const area = h('textarea', { attrs: { id: fieldId(path), rows: String(rows), placeholder, 'aria-label': label, spellcheck: 'false' } });
  area.value = value;
  area.addEventListener('input', () => {
    set(area.value);
    changed();
  });
  return h('div', { className: 'field', attrs: { 'data-path': path } }, h('label', { className: 'field-label', text: label, attrs: { for: area.id } }), area, errorSlot());
}

function checkbox(label: string, path: string, value: boolean, set: (v: boolean) => void, changed: () => void): HTMLElement {
  const box = h('input', { attrs: { id: fieldId(path), type: 'checkbox' } });
  box.checked = value;
  box.addEventListener('change', () => {
    set(box.checked);
    changed();
  });
  return h('div', { className: 'field field-inline', attrs: { 'data-path': path } }, box, h('label', { text: label, attrs: { for: box.id } }), errorSlot());
}

function select(label: string, path: string, options: Choice[], value: string, set: (v: string) => void, changed: () => void): HTMLElement {
  const el = h('select', { attrs: { id: fieldId(path), 'aria-label': label } }, ...options.map((o) => h('option', { text: o.label, attrs: { value: o.id } })));
  el.value = value;
  el.addEventListener('change', () => {
    set(el.value);
    changed();
  });
  return h('div', { className: 'field', attrs: { 'data-path': path } }, h('label', { className: 'field-label', text: label, attrs: { for: el.id } }), el, errorSlot());
}

/** Model: a list from the provider, and free text always (a deployment name, a model not listed). */
function modelField(form: AssistantForm, choices: ServerChoices, changed: () => void): HTMLElement {
  const field = textField('Model', '/model', form.model, (v) => (form.model = v), changed);
  const input = field.querySelector('input');
  if (input && choices.models && choices.models.length > 0) {
    const list = h('datalist', { attrs: { id: 'model-choices' } }, ...choices.models.map((m) => h('option', { attrs: { value: m.id } })));
    input.setAttribute('list', list.id);
    field.append(list);
  } else {
    field.append(h('div', { className: 'field-hint', text: 'The provider\'s models could not be listed: type the model (or deployment) name.' }));
  }
  return field;
}

/** A slider with its value; unset means the model's default, and Reset returns to it. */
function slider(label: string, path: string, value: number | undefined, min: number, max: number, fallback: number, set: (v: number | undefined) => void, changed: () => void): HTMLElement {
  const range = h('input', { attrs: { id: fieldId(path), type: 'range', min: String(min), max: String(max), step: '0.01', 'aria-label': label } });
  const shown = h('span', { className: 'slider-value' });
  const update = (v: number | undefined) => {
    range.value = String(v ?? fallback);
    shown.textContent = v === undefined ? `${fallback} (default)` : v.toFixed(2);
  };
  update(value);
  range.addEventListener('input', () => {
    const v = Number(range.value);
    set(v);
    update(v);
    changed();
  });
  const reset = h('button', { className: 'link-button', text: 'Reset', attrs: { type: 'button', title: `Use the model's default ${label.toLowerCase()}` } });
  reset.addEventListener('click', () => {
    set(undefined);
    update(undefined);
    changed();
  });
  return h('div', { className: 'field', attrs: { 'data-path': path } }, h('label', { className: 'field-label', text: label, attrs: { for: range.id } }), h('div', { className: 'slider-row' }, range, shown, reset), errorSlot());
}

/** Ids picked from the provider's list, plus any typed by hand (comma separated). */
function pickList(label: string, path: string, choices: Choice[] | undefined, selected: string[], changed: () => void, problem?: string): HTMLElement {
  const field = h('div', { className: 'field', attrs: { 'data-path': path } }, h('div', { className: 'field-label', text: label }));
  const known = new Set((choices ?? []).map((c) => c.id));
  for (const choice of choices ?? []) {
    const box = h('input', { attrs: { type: 'checkbox', id: fieldId(`${path}/${choice.id}`) } });
    box.checked = selected.includes(choice.id);
    box.addEventListener('change', () => {
      const at = selected.indexOf(choice.id);
      if (box.checked && at < 0) selected.push(choice.id);
      if (!box.checked && at >= 0) selected.splice(at, 1);
      changed();
    });
    field.append(h('div', { className: 'field-inline' }, box, h('label', { text: `${choice.label} (${choice.id})`, attrs: { for: box.id } })));
  }
  const other = h('input', { attrs: { type: 'text', placeholder: 'Other ids, comma separated', 'aria-label': `${label}: other ids` } });
  other.value = selected.filter((id) => !known.has(id)).join(', ');
  other.addEventListener('input', () => {
    const typed = other.value.split(',').map((s) => s.trim()).filter(Boolean);
    const kept = selected.filter((id) => known.has(id));
    selected.splice(0, selected.length, ...kept, ...typed);
    changed();
  });
  field.append(other);
  if (!choices) field.append(h('div', { className: 'field-hint', text: problem ?? 'Listing…' }));
  else if (choices.length === 0) field.append(h('div', { className: 'field-hint', text: 'None on the server yet.' }));
  field.append(errorSlot());
  return field;
}

function functionCard(fn: FunctionForm, path: string, remove: () => void, changed: () => void): HTMLElement {
  const removeButton = h('button', { className: 'link-button', attrs: { type: 'button', title: `Remove ${fn.name}` } }, codicon('trash'), ' Remove');
  removeButton.addEventListener('click', remove);
  return h(
    'div',
    { className: 'function-card field', attrs: { 'data-path': path } },
    textField('Function name', `${path}/name`, fn.name, (v) => (fn.name = v), changed),
    textField('Function description', `${path}/description`, fn.description, (v) => (fn.description = v), changed),
    textArea('Parameters (JSON Schema)', `${path}/parameters`, fn.parameters, FUNCTION_EXAMPLE, 8, (v) => (fn.parameters = v), changed),
    checkbox('Strict (the model follows the schema exactly)', `${path}/strict`, fn.strict, (v) => (fn.strict = v), changed),
    removeButton,
    errorSlot(),
  );
}

/** File search, and under it (only while it is on) how many results a search returns. */
function fileSearchFields(form: AssistantForm, changed: () => void): HTMLElement[] {
  const count = textField('Results per search (1 to 50, empty for the default)', '/tools/file_search/max_num_results', form.maxNumResults, (v) => (form.maxNumResults = v), changed, 'number');
  count.classList.add('sub-field');
  count.hidden = !form.fileSearch;
  const toggle = checkbox('File search', '/tools/file_search', form.fileSearch, (v) => {
    form.fileSearch = v;
    count.hidden = !v;
  }, changed);
  return [toggle, count];
}

function responseFormatField(form: AssistantForm, changed: () => void): HTMLElement {
  const schemaFields = h(
    'div',
    { className: 'schema-fields' },
    textField('Schema name', '/response_format/json_schema/name', form.schemaName, (v) => (form.schemaName = v), changed),
    textArea('Schema (JSON Schema)', '/response_format/json_schema/schema', form.schema, '{ "type": "object", "properties": {} }', 8, (v) => (form.schema = v), changed),
    checkbox('Strict', '/response_format/json_schema/strict', form.schemaStrict, (v) => (form.schemaStrict = v), changed),
  );
  schemaFields.hidden = form.responseFormat !== 'json_schema';
  const formats: Choice[] = [
    { id: 'auto', label: 'default (text)' },
    { id: 'text', label: 'text' },
    { id: 'json_object', label: 'JSON object' },
    { id: 'json_schema', label: 'JSON schema' },
  ];
  const field = select('Response format', '/response_format', formats, form.responseFormat, (v) => {
    form.responseFormat = v as AssistantForm['responseFormat'];
    schemaFields.hidden = v !== 'json_schema';
  }, changed);
  field.insertBefore(schemaFields, field.querySelector(':scope > .field-error'));
  return field;
}

/**
 * What the status says once the file is saved: "Saved." only when nothing is wrong. A file saved with
 * problems (`inFile`) cannot run; problems at the form's fields (`inForm`) are typing the file does
 * not hold (it keeps the last valid value).
 */
export function savedStatus(inFile: number, inForm: number): string {
  const count = (n: number) => `${n} problem${n === 1 ? '' : 's'}`;
  if (inFile > 0) return `Saved with ${count(inFile)}: the assistant cannot run until ${inFile === 1 ? 'it is' : 'they are'} fixed.`;
  if (inForm > 0) return `Saved, without what has ${count(inForm)} below: the file keeps the last valid value.`;
  return 'Saved.';
}

/** A problem no field shows, named by its field as the pick lists and notifications name it ("tools.0.type: …"), not by a JSON pointer; "file: …" for the whole file. */
function problemLine(error: FormError): string {
  return `${error.path ? error.path.slice(1).replace(/\//g, '.') : 'file'}: ${error.message}`;
}
