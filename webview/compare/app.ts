/**
 * The Compare panel's page: the question bar (question, attachments, Ask or Stop, Add Column),
 * then 2-4 columns side by side, each set up with an assistant and what it changes (model,
 * temperature, reasoning effort) and drawing its own thread as it streams.
 */
import type { CompareAssistantOption, CompareRequests, CompareState, CompareToHost, CompareVariant, HostToCompare } from '../../src/common/compareProtocol';
import { Requester } from '../../src/common/requests';
import type { ReasoningEffort } from '../../src/common/model';
import { FILE_TIMEOUT_MS, FileRequests } from '../files';
import { Figures } from '../render/figure';
import { clear, codicon, h } from '../ui/dom';
import type { Button, Textarea, TextField } from '../ui/kit';
import { actionIcon, button, select, textarea, textField } from '../ui/kit';
import { Column, Painter } from './column';

const MIN_COLUMNS = 2;
const MAX_COLUMNS = 4;

/** How the page talks to the host. */
export interface CompareChannel {
  post(message: CompareToHost): void;
  onMessage(listener: (message: HostToCompare) => void): void;
}

/** A column's setup as the user edits it: the model and temperature as typed. */
interface Setup {
  assistantId: string;
  model: string;
  temperature: string;
  reasoningEffort: ReasoningEffort | '';
}

export class CompareApp {
  private assistants: CompareAssistantOption[] = [];
  private efforts: readonly ReasoningEffort[] = [];
  private setups: Setup[] = [];
  private columns: Column[] = [];
  private running = false;
  /** The requests to the host, each answered once. */
  private readonly requests: Requester<CompareRequests>;
  private readonly files: FileRequests;
  private readonly question: Textarea;
  private readonly ask: Button;
  private readonly stop: Button;
  private readonly addColumn: Button;
  private readonly chips: HTMLElement;
  private readonly noticeEl: HTMLElement;
  private readonly grid: HTMLElement;
  private threadIds: (string | undefined)[] = [];
  private readonly painter = new Painter();

  constructor(
    private readonly root: HTMLElement,
    private readonly host: CompareChannel,
  ) {
    this.requests = new Requester<CompareRequests>({ send: (message) => this.host.post(message), timeoutsMs: { 'file/read': FILE_TIMEOUT_MS } });
    this.files = new FileRequests(this.requests);
    this.question = textarea({ label: 'Question', placeholder: 'Ask every column the same question (Ctrl+Enter)', rows: 3 });
    this.question.classList.add('compare-question');
    this.question.addEventListener('keydown', (event: KeyboardEvent) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.send();
      }
    });
    this.ask = button({ label: 'Ask All', icon: 'send', onClick: () => this.send() });
    this.stop = button({ label: 'Stop', icon: 'debug-stop', secondary: true, onClick: () => this.host.post({ type: 'compare/stop' }) });
    this.addColumn = button({ label: 'Add Column', icon: 'add', secondary: true, onClick: () => this.add() });
    const attach = button({ label: 'Attach Files…', icon: 'attach', secondary: true, onClick: () => this.host.post({ type: 'compare/attach' }) });
    this.chips = h('div', { className: 'compare-chips' });
    this.noticeEl = h('div', { className: 'compare-notice', attrs: { role: 'status' } });
    this.grid = h('div', { className: 'compare-columns' });
    const bar = h('div', { className: 'compare-bar' }, this.question, h('div', { className: 'compare-buttons' }, this.ask, this.stop, attach, this.addColumn));
    root.append(h('header', { className: 'compare-header' }, bar, this.chips, this.noticeEl), this.grid);
  }

  start(): void {
    this.host.onMessage((message) => this.receive(message));
    this.host.post({ type: 'ready' });
  }

  private receive(message: HostToCompare): void {
    switch (message.type) {
      case 'compare/state':
        return this.load(message.state);
      case 'compare/chat':
        this.threadIds[message.column] = message.message.threadId;
        return this.columns[message.column]?.chat(message.message);
      case 'compare/thread':
        this.threadIds[message.column] = message.threadId;
        return this.columns[message.column]?.thread(message.threadId, message.messages, message.runs);
      case 'compare/metrics':
        return this.columns[message.column]?.setMetrics(message.metrics);
      case 'compare/error':
        return this.columns[message.column]?.setError(message.message);
      case 'compare/kept':
        return this.columns[message.column]?.setKept();
      case 'compare/busy':
        this.running = message.busy;
        if (!message.busy) for (const column of this.columns) column.idle();
        return this.paintBar();
      case 'compare/attachments':
        return this.paintChips(message.attachments);
      case 'compare/notice':
        this.noticeEl.replaceChildren(...(message.notice ? [codicon(message.notice.severity === 'error' ? 'error' : 'info'), h('span', { text: message.notice.message })] : []));
        this.noticeEl.dataset.severity = message.notice?.severity ?? '';
        return;
      case 'reply':
        this.requests.receive(message);
        return;
    }
  }

  private load(state: CompareState): void {
    this.assistants = state.assistants;
    this.efforts = state.efforts;
    this.running = state.running;
    this.setups = state.columns.map((column) => ({
      assistantId: column.variant.assistantId,
      model: column.variant.model ?? '',
      temperature: column.variant.temperature === undefined ? '' : String(column.variant.temperature),
      reasoningEffort: column.variant.reasoningEffort ?? '',
    }));
    if (state.question !== undefined && !this.question.value) this.question.value = state.question;
    this.threadIds = state.columns.map((column) => column.threadId);
    this.buildColumns();
    state.columns.forEach((view, i) => this.columns[i].reset(view));
    this.paintChips(state.attachments);
    this.noticeEl.replaceChildren();
    if (state.assistants.length === 0) this.noticeEl.append(codicon('info'), h('span', { text: 'There are no valid assistants to compare yet: create one in the Assistants view.' }));
    this.paintBar();
  }

  private buildColumns(): void {
    // Each column's figures are read from beside its own thread.
    this.columns = this.setups.map((_, i) => new Column(i, this.setupRow(i), new Figures(this.files, (message) => this.host.post(message as CompareToHost), () => this.threadIds[i]), {
      retry: () => this.host.post({ type: 'compare/retry', column: i }),
      keep: () => this.host.post({ type: 'compare/keep', column: i }),
      openKept: () => this.host.post({ type: 'compare/openKept', column: i }),
      saveTest: () => this.host.post({ type: 'compare/saveTest', column: i }),
    }, this.painter));
    clear(this.grid);
    this.grid.style.setProperty('--columns', String(this.columns.length));
    this.grid.append(...this.columns.map((column) => column.el));
  }

  /** A column's setup: its assistant, and the model, temperature and reasoning effort it changes. */
  private setupRow(i: number): HTMLElement {
    const setup = this.setups[i];
    const assistant = this.assistants.find((a) => a.id === setup.assistantId);
    const choices = this.assistants.map((a) => ({ value: a.id, label: a.name, description: a.model }));
    const model = textField({ label: `Column ${i + 1} model`, placeholder: assistant ? `${assistant.model} (its own)` : 'model', value: setup.model, onInput: (value) => (setup.model = value) });
    sizeToPlaceholder(model);
    const assistantSelect = select({ label: `Column ${i + 1} assistant`, choices, value: setup.assistantId, onChange: (value) => {
      setup.assistantId = value;
      model.placeholder = `${this.assistants.find((a) => a.id === value)?.model ?? 'model'} (its own)`;
      sizeToPlaceholder(model);
    } });
    // Its list is as wide as the field: two of one name differ at the end ("Helper (workspace · a.assistant.json)"), so the field asks for its longest name's width (the row wraps first).
    assistantSelect.style.flexBasis = `min(100%, ${Math.max(0, ...choices.map((c) => c.label.length)) + 4}ch)`;
    const row = h('div', { className: 'column-setup' },
      assistantSelect,
      model,
      textField({ label: `Column ${i + 1} temperature (0 to 2)`, placeholder: 'temperature', value: setup.temperature, onInput: (value) => (setup.temperature = value) }),
      select({
        label: `Column ${i + 1} reasoning effort`,
        choices: [{ value: '', label: 'effort: its own' }, ...this.efforts.map((e) => ({ value: e, label: `effort: ${e}` }))],
        value: setup.reasoningEffort,
        onChange: (value) => (setup.reasoningEffort = value as ReasoningEffort | ''),
      }),
    );
    if (this.setups.length > MIN_COLUMNS) row.append(actionIcon({ icon: 'close', label: `Remove column ${i + 1}`, onClick: () => this.remove(i) }));
    return row;
  }

  private add(): void {
    if (this.setups.length >= MAX_COLUMNS || this.running) return;
    const last = this.setups.at(-1);
    this.setups.push({ assistantId: last?.assistantId ?? this.assistants[0]?.id ?? '', model: '', temperature: '', reasoningEffort: '' });
    this.rebuild();
  }

  private remove(i: number): void {
    if (this.running) return;
    this.setups.splice(i, 1);
    this.rebuild();
  }

  /** The columns were added or removed: drawn again empty (the next question starts a new comparison). */
  private rebuild(): void {
    this.threadIds = [];
    this.buildColumns();
    this.columns.forEach((column) => column.reset(undefined));
    this.paintBar();
  }

  private send(): void {
    if (this.running) return;
    const variants: CompareVariant[] = this.setups.map((setup) => {
      const temperature = setup.temperature.trim();
      return {
        assistantId: setup.assistantId,
        ...(setup.model.trim() ? { model: setup.model.trim() } : {}),
        ...(temperature ? { temperature: Number(temperature) } : {}),
        ...(setup.reasoningEffort ? { reasoningEffort: setup.reasoningEffort } : {}),
      };
    });
    this.host.post({ type: 'compare/ask', variants, text: this.question.value });
  }

  private paintBar(): void {
    this.ask.hidden = this.running;
    this.stop.hidden = !this.running;
    this.addColumn.disabled = this.running || this.setups.length >= MAX_COLUMNS;
    this.root.classList.toggle('compare-running', this.running);
  }

  private paintChips(paths: string[]): void {
    this.chips.replaceChildren(...paths.map((path) => h('span', { className: 'chip' },
      codicon('file'),
      h('span', { className: 'chip-label', text: path }),
      actionIcon({ icon: 'close', label: `Remove ${path}`, onClick: () => this.host.post({ type: 'compare/detach', path }) }),
    )));
    this.chips.hidden = paths.length === 0;
  }
}

/**
 * Asks for room for the model field's whole placeholder ("gpt-4.1-mini (its own)": the model a column
 * runs when the field is left empty), so the row wraps its temperature and effort onto the next line
 * rather than cutting the model's name short; a column narrower than that still shrinks the field.
 * `ch` is the width of a digit, at least that of most characters of a model's name.
 */
function sizeToPlaceholder(field: TextField): void {
  field.style.flexBasis = `calc(${(field.placeholder ?? '').length}ch + 16px)`;
}
