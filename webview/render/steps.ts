/** A run's steps under its answer: tool calls, file searches, code interpreter calls, reasoning. */
import type { CodeInterpreterOutput, FileSearchResult, RunStep, RunStepStatus, ToolCall } from '../../src/core/model';
import type { RunView } from '../../src/shared/protocol';
import type { RunNotices } from '../state';
import { isRasterDataImage, isStoredOutputUrl } from '../links';
import { errorSentence, isRunning, statusLabel } from '../status';
import { codicon, h } from '../ui/dom';
import { collapsible } from '../ui/kit';
import type { Figures } from './figure';
import { highlightedCode } from './highlight';
import { renderMarkdown } from './markdown';
import { chip } from './message';

/** Which panels the user opened or closed, kept across re-renders of the same run. */
export interface OpenState {
  runs: Map<string, boolean>;
  items: Map<string, boolean>;
}

export function renderRunBlock(view: RunView, notices: RunNotices | undefined, open: OpenState, figures: Figures): HTMLElement {
  const block = h('section', { className: 'run-block', attrs: { 'data-run-id': view.run.id, 'aria-label': 'Run steps' } });
  const items = view.steps.flatMap((step) => stepItems(step, figures));
  const live = isRunning(view.run, notices);
  const error = view.run.lastError ?? notices?.error;
  if (error && !live) {
    block.append(h('div', { className: 'run-error', attrs: { role: 'note' } }, codicon('error'), h('span', { text: errorSentence(error.message) })));
  }
  if (!items.length) {
    block.classList.add('run-block-empty');
    return block;
  }
  const tools = items.length === 1 ? '1 step' : `${items.length} steps`;
  const panel = collapsible({
    heading: live ? 'Working' : 'Steps',
    description: `${tools} · ${statusLabel(view.run.status).toLowerCase()}`,
    // Open while the run works so the user sees each call land; closed in history unless chosen.
    open: open.runs.get(view.run.id) ?? live,
    onToggle: (isOpen) => open.runs.set(view.run.id, isOpen),
  });
  for (const item of items) panel.append(renderItem(item, open));
  block.append(panel);
  return block;
}

interface StepItem {
  key: string;
  /** Function names read best in the editor font; tool names in the UI font. */
  mono?: boolean;
  status: RunStepStatus;
  icon: string;
  title: string;
  body: () => Node[];
}

function stepItems(step: RunStep, figures: Figures): StepItem[] {
  const details = step.details;
  switch (details.type) {
    case 'message_creation':
      return [];
    case 'reasoning':
      return [{ key: step.id, status: step.status, icon: 'lightbulb', title: 'Reasoning', body: () => [reasoningBody(details.summary)] }];
    case 'tool_calls':
      return details.toolCalls.map((call) => toolItem(step, call, figures));
  }
}

function toolItem(step: RunStep, call: ToolCall, figures: Figures): StepItem {
  const key = `${step.id}/${call.id}`;
  switch (call.type) {
    case 'function':
      return { key, mono: true, status: step.status, icon: 'symbol-method', title: call.name, body: () => functionBody(call) };
    case 'file_search':
      return { key, status: step.status, icon: 'search', title: 'File search', body: () => fileSearchBody(call.queries ?? [], call.results) };
    case 'code_interpreter':
      return { key, status: step.status, icon: 'terminal', title: 'Code interpreter', body: () => codeBody(call.input, call.outputs, figures) };
  }
}

function renderItem(item: StepItem, open: OpenState): HTMLElement {
  const details = h('details', { className: `step step-${item.status}` });
  details.open = open.items.get(item.key) ?? false;
  details.addEventListener('toggle', () => open.items.set(item.key, details.open));
  const summary = h(
    'summary',
    { className: 'step-summary' },
    codicon(item.icon),
    h('span', { className: `step-title${item.mono ? ' step-title-mono' : ''}`, text: item.title }),
    stepStatusIcon(item.status),
  );
  details.append(summary, h('div', { className: 'step-body' }, ...item.body()));
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

/** Pretty JSON when the text is JSON, else the text as is. */
function prettyJson(text: string): { text: string; json: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(text) as unknown, null, 2), json: true };
  } catch {
    return { text, json: false };
  }
}

function functionBody(call: Extract<ToolCall, { type: 'function' }>): Node[] {
  const args = prettyJson(call.arguments || '{}');
  const nodes: Node[] = [section('Arguments', codePre(args.text, args.json ? 'json' : ''))];
  if (call.output !== undefined) {
    const output = prettyJson(call.output);
    nodes.push(section('Output', codePre(output.text, output.json ? 'json' : '')));
  } else {
    nodes.push(h('div', { className: 'step-muted', text: 'Waiting for output…' }));
  }
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

function codeBody(input: string, outputs: CodeInterpreterOutput[], figures: Figures): Node[] {
  const nodes: Node[] = [section('Input', codePre(input, 'python'))];
  let figureNumber = 0;
  for (const output of outputs) {
    if (output.type === 'logs') {
      nodes.push(section('Logs', h('pre', { className: 'step-logs', text: output.logs })));
      continue;
    }
    figureNumber++;
    const options = { alt: `Figure ${figureNumber} made by the code interpreter`, caption: `Figure ${figureNumber}` };
    const ref = { fileId: output.fileId, containerId: output.containerId };
    if (output.url === undefined) nodes.push(section('Image', figures.file(ref, options)));
    else if (isStoredOutputUrl(output.url)) nodes.push(section('Image', figures.stored(output.url, { ...options, filename: `figure-${figureNumber}${output.url.slice(output.url.lastIndexOf('.'))}` })));
    else if (isRasterDataImage(output.url)) nodes.push(section('Image', figures.inline(output.url, ref, { ...options, filename: `figure-${figureNumber}${extensionOf(output.url)}` })));
    // Anything else would be a fetch from the web, which the page never does.
    else nodes.push(section('Image', chip('link-external', output.url, 'Image link (not loaded)')));
  }
  return nodes;
}

function extensionOf(dataUrl: string): string {
  const subtype = /^data:image\/([\w.+-]+)/i.exec(dataUrl)?.[1]?.toLowerCase();
  return subtype === 'jpeg' ? '.jpg' : subtype && /^(png|gif|webp)$/.test(subtype) ? `.${subtype}` : '';
}

function reasoningBody(summary: string): Node {
  const el = h('div', { className: 'markdown step-reasoning' });
  if (summary.trim()) el.append(renderMarkdown(summary));
  else el.textContent = 'No summary.';
  return el;
}

