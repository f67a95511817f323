import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { CompareState, CompareToHost, HostToCompare } from '../../../src/common/compareProtocol';
import type { Message, Run } from '../../../src/common/model';
import type * as AppModule from '../../../webview/compare/app';
import type * as ColumnModule from '../../../webview/compare/column';

const state: CompareState = {
  assistants: [{ id: 'workspace:helper', name: 'Helper', model: 'gpt-4.1' }, { id: 'workspace:reviewer', name: 'Reviewer', model: 'gpt-4.1-mini' }],
  efforts: ['low', 'high'],
  columns: [
    { label: 'Helper', variant: { assistantId: 'workspace:helper' }, messages: [], runs: {}, metrics: {} },
    { label: 'Reviewer', variant: { assistantId: 'workspace:reviewer' }, messages: [], runs: {}, metrics: {} },
  ],
  attachments: [],
  running: false,
};

describe('the Compare panel\'s page (DOM, happy-dom)', () => {
  let CompareApp: typeof AppModule.CompareApp;
  let metricsText: typeof ColumnModule.metricsText;

  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    // The kit's form controls report their value and validity through ElementInternals, which happy-dom lacks.
    const prototype = HTMLElement.prototype as { attachInternals?: () => unknown };
    prototype.attachInternals = () => ({ form: null, setFormValue: () => undefined, setValidity: () => undefined, checkValidity: () => true, reportValidity: () => true, validity: { valid: true } });
    document.head.append(Object.assign(document.createElement('link'), { id: 'vscode-codicon-stylesheet' }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the UI kit defines custom elements when loaded, so it loads after the DOM exists
    ({ CompareApp } = require('../../../webview/compare/app') as typeof AppModule);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
    ({ metricsText } = require('../../../webview/compare/column') as typeof ColumnModule);
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

  function open() {
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const posted: CompareToHost[] = [];
    let listener: ((message: HostToCompare) => void) | undefined;
    new CompareApp(root, { post: (message) => posted.push(message), onMessage: (l) => (listener = l) }).start();
    const receive = (message: HostToCompare) => listener?.(message);
    receive({ type: 'compare/state', state });
    const column = (i: number) => root.querySelector(`.compare-column[data-column="${i}"]`) as HTMLElement;
    const buttonIn = (el: Element, label: string) => Array.from(el.querySelectorAll('vscode-button')).find((b) => b.getAttribute('aria-label') === label) as HTMLElement;
    return { root, posted, receive, column, buttonIn };
  }

  it('asks with each column\'s assistant and what it changes, as typed', () => {
    const page = open();
    assert.equal(page.root.querySelectorAll('.compare-column').length, 2);
    const fields = page.column(1).querySelectorAll('vscode-textfield') as NodeListOf<HTMLElement & { value: string }>;
    fields[0].value = ' gpt-4o ';
    fields[0].dispatchEvent(new Event('input'));
    fields[1].value = '0.5';
    fields[1].dispatchEvent(new Event('input'));
    (page.root.querySelector('.compare-question') as HTMLElement & { value: string }).value = 'Which is faster?';
    page.buttonIn(page.root, 'Ask All').click();
    assert.deepEqual(page.posted.at(-1), { type: 'compare/ask', text: 'Which is faster?', variants: [{ assistantId: 'workspace:helper' }, { assistantId: 'workspace:reviewer', model: 'gpt-4o', temperature: 0.5 }] });
  });

  it('adds columns up to four and removes them down to two', () => {
    const page = open();
    const add = page.buttonIn(page.root, 'Add Column') as HTMLElement & { disabled: boolean };
    add.click();
    add.click();
    add.click();
    assert.equal(page.root.querySelectorAll('.compare-column').length, 4);
    assert.equal(add.disabled, true);
    (page.column(3).querySelector('vscode-icon[title="Remove column 4"]') as HTMLElement).click();
    (page.column(2).querySelector('vscode-icon[title="Remove column 3"]') as HTMLElement).click();
    assert.equal(page.root.querySelectorAll('.compare-column').length, 2);
    assert.equal(page.column(1).querySelector('vscode-icon[title^="Remove"]'), null, 'two columns is the least');
  });

  it('streams each column\'s answer with the chat\'s renderer, and shows its tokens and times when it ends', async () => {
    const page = open();
    const now = 1000;
    const question: Message = { id: 'm1', role: 'user', content: [{ type: 'text', text: 'Q?', annotations: [] }], createdAt: now, status: 'completed' };
    const run: Run = { id: 'run_a', threadId: 't0', assistantId: 'workspace:helper', status: 'in_progress', createdAt: now };
    page.receive({ type: 'compare/busy', busy: true });
    page.receive({ type: 'compare/chat', column: 0, message: { type: 'message/added', threadId: 't0', message: question } });
    page.receive({ type: 'compare/chat', column: 0, message: { type: 'run/event', threadId: 't0', runId: 'run_a', event: { type: 'run.updated', run } } });
    page.receive({ type: 'compare/chat', column: 0, message: { type: 'run/event', threadId: 't0', runId: 'run_a', event: { type: 'message.created', message: { id: 'm2', role: 'assistant', content: [], createdAt: now, status: 'in_progress', runId: 'run_a' } } } });
    for (const text of ['**Bold** ', 'start.']) page.receive({ type: 'compare/chat', column: 0, message: { type: 'run/event', threadId: 't0', runId: 'run_a', event: { type: 'message.delta', messageId: 'm2', index: 0, text } } });
    page.receive({ type: 'compare/metrics', column: 0, metrics: { firstTokenMs: 420 } });
    await frame();
    const answer = page.column(0).querySelector('.msg-assistant.msg-streaming');
    assert.ok(answer, 'the answer streams');
    assert.equal(answer.querySelector('strong')?.textContent, 'Bold', 'drawn as Markdown');
    assert.equal(page.column(1).querySelector('.msg'), null, 'the other column is untouched');
    assert.equal(page.column(0).querySelector('.column-metrics')?.textContent, 'first token 0.42 s');
    assert.equal((page.buttonIn(page.root, 'Stop') as HTMLElement).hidden, false);

    page.receive({ type: 'compare/chat', column: 0, message: { type: 'run/event', threadId: 't0', runId: 'run_a', event: { type: 'run.updated', run: { ...run, status: 'completed', completedAt: now + 2 } } } });
    page.receive({ type: 'compare/metrics', column: 0, metrics: { firstTokenMs: 420, completedMs: 2150, usage: { promptTokens: 1200, cachedTokens: 800, completionTokens: 350, totalTokens: 1550 }, cost: 0.0031 } });
    page.receive({ type: 'compare/busy', busy: false });
    await frame();
    assert.equal(page.column(0).querySelector('.msg-streaming'), null);
    assert.equal(page.column(0).querySelector('.column-metrics')?.textContent, 'first token 0.42 s · done in 2.15 s · 1,200 input (800 cached) · 350 output tokens · ≈ $0.0031');
    assert.equal((page.column(0).querySelector('.column-actions') as HTMLElement).hidden, false);
    page.buttonIn(page.column(0), 'Keep this thread').click();
    page.buttonIn(page.column(0), 'Save as Test Case').click();
    assert.deepEqual(page.posted.slice(-2), [{ type: 'compare/keep', column: 0 }, { type: 'compare/saveTest', column: 0 }]);
    assert.equal(page.column(0).querySelector('vscode-icon[title="Open in Chat"]'), null, 'nothing to open before it is kept');
    page.receive({ type: 'compare/kept', column: 0 });
    assert.match(page.column(0).querySelector('.column-label')?.textContent ?? '', /kept in Threads/);
    assert.equal((page.buttonIn(page.column(0), 'Keep this thread') as HTMLElement & { disabled: boolean }).disabled, true, 'kept once');
    (page.column(0).querySelector('vscode-icon[title="Open in Chat"]') as HTMLElement).click();
    assert.deepEqual(page.posted.at(-1), { type: 'compare/openKept', column: 0 });
  });

  it('reads each column\'s images from beside its own thread', async () => {
    const page = open();
    for (const column of [0, 1]) {
      const image: Message = { id: `img${column}`, role: 'assistant', content: [{ type: 'image_file', fileId: `file_${column}` }], createdAt: 1, status: 'completed', runId: `run_${column}` };
      page.receive({ type: 'compare/thread', column, threadId: `thread_${column}`, messages: [image], runs: {} });
    }
    await frame();
    const reads = page.posted.flatMap((m) => (m.type === 'request' && m.kind === 'file/read' ? [m.payload as { fileId: string; threadId?: string }] : []));
    assert.deepEqual(reads.map((r) => [r.fileId, r.threadId]).sort(), [['file_0', 'thread_0'], ['file_1', 'thread_1']]);
  });

  it('says a column\'s failure in a sentence with Retry, for that column alone', async () => {
    const page = open();
    page.receive({ type: 'compare/error', column: 1, message: 'No API key is set. Run "Assistants: Set API Key" first.' });
    const error = page.column(1).querySelector('.column-error') as HTMLElement;
    assert.equal(error.hidden, false);
    assert.match(error.textContent ?? '', /No API key is set/);
    assert.equal((page.column(0).querySelector('.column-error') as HTMLElement).hidden, true);
    page.buttonIn(error, 'Retry').click();
    assert.deepEqual(page.posted.at(-1), { type: 'compare/retry', column: 1 });
    page.receive({ type: 'compare/error', column: 1 });
    assert.equal(error.hidden, true);
  });

  it('words a column\'s metrics', () => {
    assert.equal(metricsText({}, true), 'waiting for the first token');
    assert.equal(metricsText({}, false), '');
    assert.equal(metricsText({ firstTokenMs: 12_345, completedMs: 61_000, usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } }, false), 'first token 12.3 s · done in 61.0 s · 10 input · 5 output tokens · no price known for this model');
  });
});
