/** A run's steps under its answer: tool calls, file searches, code interpreter calls, reasoning. */
import type { CodeInterpreterOutput, FileSearchResult, RunStep, RunStepStatus, ToolCall } from '../../src/common/model';
import { isStoredImage } from '../../src/common/model';
import type { HostCommand, RunView } from '../../src/common/protocol';
import type { Awaiting, RunNotices } from '../state';
import { isRasterDataImage } from '../links';
import { isRunning, runOutcome } from '../status';
import { codicon, h } from '../ui/dom';
import { button, collapsible } from '../ui/kit';
import type { OpenText } from './callArguments';
import { renderArguments } from './callArguments';
import type { Figures } from './figure';
import { ansiNodes, stripAnsi } from './ansi';
import { highlightedCode } from './highlight';
import { renderMarkdown } from './markdown';
import { hasTerminalControls, withoutEscapes } from '../../src/common/terminal';
import { chip } from './message';

/** Which panels the user opened or closed, kept across re-renders of the same run. */
export interface OpenState {
  runs: Map<string, boolean>;
  items: Map<string, boolean>;
}

/** Set on the thread's latest run when it ended without a full answer: the user may run it again. */
export interface RunRetry {
  retry(): void;
}

/** The card waiting on a function call (an approval, or a field for its output), by call id. */
export type PendingCard = (callId: string) => HTMLElement | undefined;

/** What else a run's steps show: `openText` opens a long function argument in an editor; `awaiting`, what the run waits on the user for. */
export interface RunBlockExtras {
  openText?: OpenText;
  awaiting?: Awaiting;
  /** Runs the host command an outcome offers as its fix (Set API Key). */
  runCommand?: (command: HostCommand) => void;
}

export function renderRunBlock(view: RunView, notices: RunNotices | undefined, open: OpenState, figures: Figures, retry?: RunRetry, pendingCard?: PendingCard, extras: RunBlockExtras = {}): HTMLElement {
  const block = h('section', { className: 'run-block', attrs: { 'data-run-id': view.run.id, 'aria-label': 'Run steps' } });
  const items = view.steps.flatMap((step) => stepItems(step, pendingCard, extras.openText));
  const waiting = items.some((item) => item.pending);
  const live = isRunning(view.run, notices);
  const outcome = runOutcome(view.run, notices, extras.awaiting);
  // What the code interpreter drew belongs to the answer: shown under it, not inside a closed step.
  const drawn = view.steps.flatMap((step) => codeImages(step));
  if (drawn.length) block.append(h('div', { className: 'run-figures' }, ...drawn.map((output, i) => figureFor(view.run.id, output, i + 1, figures))));
  // One sentence says how the run ended (a failure in the server's words); Retry where it helps.
  if (!live && outcome.sentence) {
    const runCommand = extras.runCommand;
    const fix = outcome.fix && runCommand ? { label: outcome.fix.label, run: () => runCommand(outcome.fix!.command) } : undefined;
    block.append(outcomeLine(outcome.kind, outcome.icon, outcome.sentence, outcome.retry ? retry : undefined, fix));
  }
  if (!items.length) {
    block.classList.add('run-block-empty');
    return block;
  }
  const tools = items.length === 1 ? '1 step' : `${items.length} steps`;
  const panel = collapsible({
    heading: live ? 'Working' : 'Steps',
    description: `${tools} · ${outcome.label.toLowerCase()}`,
    // Open while the run works so the user sees each call land; closed in history unless chosen.
    // A call waiting on the user is always in sight.
    open: waiting || (open.runs.get(view.run.id) ?? live),
    onToggle: (isOpen) => open.runs.set(view.run.id, isOpen),
  });
  for (const item of items) panel.append(renderItem(item, open));
  block.append(panel);
  return block;
}

/**
 * One sentence saying how a question's run ended (`kind` marks it for styling: a run status,
 * `interrupted`, or `unanswered` for a question no run answers), with Retry when `retry` is given
 * and the button of `fix` (Set API Key) when given.
 */
export function outcomeLine(kind: string, icon: string, sentence: string, retry?: RunRetry, fix?: { label: string; run(): void }): HTMLElement {
  const line = h('div', { className: 'run-outcome', attrs: { role: 'note', 'data-outcome': kind } },
    codicon(icon),
    h('span', { className: 'run-outcome-text', text: sentence }),
  );
  if (fix) {
    const fixButton = button({ label: fix.label, onClick: () => fix.run() });
    fixButton.classList.add('run-fix');
    line.append(fixButton);
  }
  if (retry) {
    const again = button({ label: 'Retry', icon: 'refresh', secondary: true, onClick: () => retry.retry() });
    again.setAttribute('aria-label', 'Retry: ask the last question again');
    again.classList.add('run-retry');
    line.append(again);
  }
  return line;
}

type ImageOutput = Extract<CodeInterpreterOutput, { type: 'image' }>;

/** The file ids of the figures `renderRunBlock` draws for a run (its code-interpreter images). */
/**
 * The passage file search found in `filename` during the run (its best-scored result's text), for a
 * citation of that file to open at; undefined when the run searched no such passage.
 */
export function searchedPassage(view: RunView | undefined, filename: string): string | undefined {
  for (const step of view?.steps ?? []) {
    if (step.details.type !== 'tool_calls') continue;
    for (const call of step.details.toolCalls) {
      if (call.type !== 'file_search') continue;
      const found = call.results?.find((result) => result.filename === filename && result.text?.trim());
      if (found?.text) return found.text;
    }
  }
  return undefined;
}

export function runFigureIds(view: RunView | undefined): Set<string> {
  return new Set((view?.steps ?? []).flatMap((step) => codeImages(step).map((output) => output.fileId)));
}

function codeImages(step: RunStep): ImageOutput[] {
  if (step.details.type !== 'tool_calls') return [];
  return step.details.toolCalls.flatMap((call) => (call.type === 'code_interpreter' ? call.outputs.filter((o): o is ImageOutput => o.type === 'image') : []));
}

/** A code-interpreter image as a figure with Save, however the server delivered it. */
function figureFor(runId: string, output: ImageOutput, figureNumber: number, figures: Figures): HTMLElement {
  const options = { alt: `Figure ${figureNumber} made by the code interpreter`, caption: `Figure ${figureNumber}`, place: `run:${runId}#${figureNumber}` };
  const ref = { fileId: output.fileId, containerId: output.containerId };
  if (output.url === undefined) return figures.server(ref, output.kept, options);
  // An inline figure the answer also cites by name (the same bytes) is saved under that name.
  const named = output.kept?.filename;
  if (isStoredImage(output.url)) return figures.stored(output.url, { ...options, filename: named ?? `figure-${figureNumber}${output.url.slice(output.url.lastIndexOf('.'))}` });
  if (isRasterDataImage(output.url)) return figures.inline(output.url, ref, { ...options, filename: named ?? `figure-${figureNumber}${extensionOf(output.url)}` });
  // Anything else would be a fetch from the web, which the page never does.
  return chip('link-external', output.url, 'Image link (not loaded)');
}

interface StepItem {
  key: string;
  /** Function names read best in the editor font; tool names in the UI font. */
  mono?: boolean;
  status: RunStepStatus;
  icon: string;
  title: string;
  body: () => Node[];
  /** The card of a call waiting on the user, drawn in place of the call's arguments (it shows them). */
  pending?: HTMLElement;
  /** A function call the model made whose output has not come back: no check mark, whatever the step says. */
  awaitingOutput?: boolean;
}

function stepItems(step: RunStep, pendingCard?: PendingCard, openText?: OpenText): StepItem[] {
  const details = step.details;
  switch (details.type) {
    case 'message_creation':
      return [];
    case 'reasoning':
      return [{ key: step.id, status: step.status, icon: 'lightbulb', title: 'Reasoning', body: () => [reasoningBody(details.summary)] }];
    case 'tool_calls':
      return details.toolCalls.map((call) => {
        const pending = call.type === 'function' || (call.type === 'mcp' && call.approval) ? pendingCard?.(call.id) : undefined;
        const item = toolItem(step, call, pending !== undefined, openText);
        return pending ? { ...item, pending } : item;
      });
  }
}

/** `carded`: a card waiting on the user sits under the call and shows its arguments. */
function toolItem(step: RunStep, call: ToolCall, carded: boolean, openText: OpenText | undefined): StepItem {
  const key = `${step.id}/${call.id}`;
  switch (call.type) {
    case 'function': {
      const awaitingOutput = call.output === undefined && (step.status === 'completed' || step.status === 'in_progress');
      return { key, mono: true, status: step.status, icon: 'symbol-method', title: call.name, awaitingOutput, body: () => functionBody(call, carded, openText) };
    }
    case 'file_search':
      return { key, status: step.status, icon: 'search', title: 'File search', body: () => fileSearchBody(call.queries ?? [], call.results) };
    case 'code_interpreter':
      return { key, status: step.status, icon: 'terminal', title: 'Code interpreter', body: () => codeBody(call.input, call.outputs) };
    case 'mcp_list_tools':
      return { key, status: call.error ? 'failed' : step.status, icon: 'server', title: `${call.serverLabel}: tools`, body: () => mcpToolsBody(call) };
    case 'mcp':
      return { key, mono: true, status: call.error ? 'failed' : step.status, icon: 'plug', title: `${call.serverLabel}/${call.name}`, body: () => mcpCallBody(call, carded, openText) };
  }
}

function mcpToolsBody(call: Extract<ToolCall, { type: 'mcp_list_tools' }>): Node[] {
  if (call.error) return [h('div', { className: 'step-error', text: call.error })];
  if (!call.tools.length) return [h('div', { className: 'step-muted', text: 'The server offers no tools.' })];
  return [section('Tools', h('ul', { className: 'step-queries' }, ...call.tools.map((tool) => h('li', { text: tool.description ? `${tool.name}: ${tool.description}` : tool.name }))))];
}

/** A hosted MCP server's call, or its approval request; `carded`: the request's card shows the arguments. */
function mcpCallBody(call: Extract<ToolCall, { type: 'mcp' }>, carded: boolean, openText: OpenText | undefined): Node[] {
  if (carded) return [];
  const nodes: Node[] = [section('Arguments', renderArguments(call.arguments || '{}', openText))];
  if (call.error) nodes.push(h('div', { className: 'step-error' }, ...ansiNodes(call.error)));
  else if (call.output !== undefined) nodes.push(outputSection(call.approval ? 'Answer' : 'Output', call.output));
  else nodes.push(h('div', { className: 'step-muted', text: call.approval ? 'Waiting for approval…' : 'Waiting for output…' }));
  return nodes;
}

function renderItem(item: StepItem, open: OpenState): HTMLElement {
  const details = h('details', { className: `step step-${item.pending ? 'waiting' : item.status}` });
  details.open = item.pending !== undefined || (open.items.get(item.key) ?? false);
  details.addEventListener('toggle', () => open.items.set(item.key, details.open));
  const summary = h(
    'summary',
    { className: 'step-summary' },
    codicon(item.icon),
    h('span', { className: `step-title${item.mono ? ' step-title-mono' : ''}`, text: item.title }),
    item.pending ? codicon('bell', { label: 'Waiting for you' }) : item.awaitingOutput ? codicon('clock', { label: 'Waiting for its output' }) : stepStatusIcon(item.status),
  );
  details.append(summary, h('div', { className: 'step-body' }, ...item.body(), item.pending));
  return details;
}

function stepStatusIcon(status: RunStepStatus): HTMLElement {
  switch (status) {
    case 'in_progress':
      return codicon('loading', { spin: true, label: 'In progress' });
    case 'completed':
      return codicon('check', { label: 'Completed' });
    case 'failed':
      return codicon('error', { label: 'Failed' });
    case 'cancelled':
      return codicon('circle-slash', { label: 'Cancelled' });
    case 'expired':
      return codicon('watch', { label: 'Expired' });
  }
}

function section(label: string, ...content: Node[]): HTMLElement {
  return h('div', { className: 'step-section' }, h('div', { className: 'step-label', text: label }), ...content);
}

function codePre(code: string, language: string): HTMLElement {
  return h('pre', { className: 'step-code' }, highlightedCode(code, language));
}

/**
 * A function's or MCP tool's output: a command's coloured output (a test run, a linter, a progress
 * bar) as its terminal would show it, in its colours; else pretty JSON or the text as is.
 */
function outputSection(label: string, output: string): HTMLElement {
  if (hasTerminalControls(output)) return section(label, h('pre', { className: 'step-code step-ansi' }, ...ansiNodes(output)));
  const pretty = prettyJson(output);
  return section(label, codePre(pretty.text, pretty.json ? 'json' : ''));
}

/**
 * Pretty JSON when the text is JSON, else the text as is. A string in the JSON that holds escape
 * sequences (`"\u001b[32m12 passed"`, a command's output returned as a field) is shown as its
 * terminal would show it, without colours: JSON would write the sequence back as `\u001b[32m`.
 */
function prettyJson(text: string): { text: string; json: boolean } {
  try {
    const value = JSON.parse(text, (_key, item: unknown) => (typeof item === 'string' && hasTerminalControls(item) ? stripAnsi(item) : item)) as unknown;
    return { text: JSON.stringify(value, null, 2), json: true };
  } catch {
    return { text, json: false };
  }
}

/** A function call's arguments and output; with `carded`, the card under it has the arguments and the wait. */
function functionBody(call: Extract<ToolCall, { type: 'function' }>, carded: boolean, openText: OpenText | undefined): Node[] {
  if (carded) return [];
  const nodes: Node[] = [section('Arguments', renderArguments(call.arguments || '{}', openText))];
  nodes.push(call.output === undefined ? h('div', { className: 'step-muted', text: 'Waiting for output…' }) : outputSection('Output', call.output));
  return nodes;
}

function fileSearchBody(queries: string[], results: FileSearchResult[] | undefined): Node[] {
  const nodes: Node[] = [];
  if (queries.length) {
    nodes.push(section('Queries', h('ul', { className: 'step-queries' }, ...queries.map((q) => h('li', { text: q })))));
  }
  if (results === undefined) {
    nodes.push(h('div', { className: 'step-muted', text: 'Results not shown by the server.' }));
  } else if (!results.length) {
    nodes.push(h('div', { className: 'step-muted', text: 'No matching passages.' }));
  } else {
    const list = h('ol', { className: 'search-results' });
    for (const result of results) {
      list.append(
        h(
          'li',
          { className: 'search-result' },
          h(
            'div',
            { className: 'search-result-head' },
            codicon('file'),
            h('span', { className: 'search-file', text: result.filename ?? result.fileId }),
            result.score !== undefined ? h('span', { className: 'search-score', text: result.score.toFixed(2), attrs: { title: 'Relevance score' } }) : null,
          ),
          result.text ? h('div', { className: 'search-snippet', text: snippet(result.text) }) : null,
        ),
      );
    }
    nodes.push(section('Results', list));
  }
  return nodes;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 280 ? `${flat.slice(0, 279)}…` : flat;
}

function codeBody(input: string, outputs: CodeInterpreterOutput[]): Node[] {
  const nodes: Node[] = [section('Input', codePre(input, 'python'))];
  for (const output of outputs) {
    if (output.type === 'logs') nodes.push(section('Logs', h('pre', { className: 'step-logs' }, ...ansiNodes(output.logs))));
    else nodes.push(section('Image', h('div', { className: 'step-muted', text: 'Shown with the answer, above.' })));
  }
  return nodes;
}

function extensionOf(dataUrl: string): string {
  const subtype = /^data:image\/([\w.+-]+)/i.exec(dataUrl)?.[1]?.toLowerCase();
  return subtype === 'jpeg' ? '.jpg' : subtype && /^(png|gif|webp)$/.test(subtype) ? `.${subtype}` : '';
}

function reasoningBody(summary: string): Node {
  const el = h('div', { className: 'markdown step-reasoning' });
  // A model may copy a coloured log into its summary, as into an answer: its sequences go whole.
  if (summary.trim()) el.append(renderMarkdown(withoutEscapes(summary)));
  else el.textContent = 'No summary.';
  return el;
}

