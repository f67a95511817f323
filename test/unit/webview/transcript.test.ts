import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { CodeInterpreterOutput, Message, RunStep } from '../../../src/common/model';
import type { ChatState, RunView, WebviewToHost } from '../../../src/common/protocol';
import type { Transcript, TranscriptActions } from '../../../webview/render/transcript';
import type * as TranscriptModule from '../../../webview/render/transcript';
import type * as FigureModule from '../../../webview/render/figure';
import type * as FilesModule from '../../../webview/files';
import { applyHostMessage, fromChatState } from '../../../webview/state';
import { chatRequester, fileReads } from './chatRequests';

function message(id: string, role: Message['role'], text: string, createdAt: number): Message {
  return { id, role, content: [{ type: 'text', text, annotations: [] }], createdAt };
}

const chat: ChatState = {
  provider: { backend: 'responses', label: 'Test', mock: true, hasKey: true },
  thread: { id: 't1', title: 'A thread' },
  messages: [message('m1', 'user', 'first question', 1), message('m2', 'assistant', 'first answer', 2)],
  runs: {},
};

describe('transcript (DOM, happy-dom)', () => {
  let newTranscript: (posted?: WebviewToHost[], actions?: TranscriptActions, onScroll?: (fromBottom: number) => void) => Transcript;
  /** The requests of the transcript made last: the host's replies go to it. */
  let requests: ReturnType<typeof chatRequester>;

  // A browser-like global scope only for these tests: it replaces fetch and friends, which the
  // other suites need as Node has them.
  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    // happy-dom has no form-associated elements; the kit's button (on every figure) only sets its form value.
    const prototype = HTMLElement.prototype as { attachInternals?: () => unknown };
    prototype.attachInternals ??= () => ({ form: null, setFormValue: () => undefined });
    /* eslint-disable @typescript-eslint/no-require-imports -- the UI kit defines custom elements when loaded, so it loads after the DOM exists */
    const { Transcript: TranscriptClass } = require('../../../webview/render/transcript') as typeof TranscriptModule;
    const { Figures } = require('../../../webview/render/figure') as typeof FigureModule;
    const { FileRequests } = require('../../../webview/files') as typeof FilesModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    newTranscript = (posted: WebviewToHost[] = [], actions?: TranscriptActions, onScroll: (fromBottom: number) => void = () => undefined) => {
      const post = (m: WebviewToHost) => posted.push(m);
      requests = chatRequester(post);
      return new TranscriptClass(onScroll, new Figures(new FileRequests(requests), post, () => 't1'), actions);
    };
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  function ids(t: Transcript): string[] {
    return Array.from(t.element.querySelectorAll('.msg')).map((el) => el.getAttribute('data-message-id') ?? '');
  }

  it('lists each message once, in order', () => {
    const t = newTranscript();
    t.reset(fromChatState(chat));
    assert.deepEqual(ids(t), ['m1', 'm2']);
  });

  it('leaves no stray copy when a message is redrawn in the same pass that adds another', () => {
    const t = newTranscript();
    let state = fromChatState(chat);
    t.reset(state);
    // The answer changes (a new object for the same id) and a new question arrives before any redraw.
    state = applyHostMessage(state, { type: 'message/added', threadId: 't1', message: message('m2', 'assistant', 'first answer, edited', 2) }, 0).state;
    state = applyHostMessage(state, { type: 'message/added', threadId: 't1', message: message('m3', 'user', 'second question', 3) }, 0).state;
    t.sync(state);
    assert.deepEqual(ids(t), ['m1', 'm2', 'm3']);
    assert.match(t.element.textContent ?? '', /first answer, edited/);
  });

  const step = (id: string, status: RunStep['status']): RunStep => ({
    id,
    runId: 'run_1',
    status,
    createdAt: 3,
    details: { type: 'tool_calls', toolCalls: [{ type: 'function', id: `call_${id}`, name: `tool_${id}`, arguments: '{}' }] },
  });
  const runView = (steps: RunStep[]): RunView => ({
    run: { id: 'run_1', threadId: 't1', assistantId: 'a', status: 'in_progress', createdAt: 3 },
    steps,
  });
  const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const block = (t: Transcript): Element | null => t.element.querySelector('[data-run-id="run_1"]');

  it('redraws a run’s steps once per frame, not on every update', async () => {
    const t = newTranscript();
    let state = fromChatState({ ...chat, runs: { run_1: runView([step('s1', 'in_progress')]) } });
    t.reset(state);
    const before = block(t);
    assert.ok(before, 'the run is on the page');
    for (const next of [step('s1', 'completed'), step('s2', 'in_progress')]) {
      state = applyHostMessage(state, { type: 'run/event', threadId: 't1', runId: 'run_1', event: { type: 'step.updated', step: next } }, 0).state;
      t.stepsChanged(state, 'run_1');
    }
    assert.equal(block(t), before, 'nothing is redrawn before the frame');
    assert.doesNotMatch(t.element.textContent ?? '', /tool_s2/);
    await nextFrame();
    const after = block(t);
    assert.notEqual(after, before, 'the block was redrawn');
    assert.equal(t.element.querySelectorAll('[data-run-id="run_1"]').length, 1, 'the old block is gone');
    assert.match(t.element.textContent ?? '', /tool_s2/);
  });

  it('signs each answer with the assistant that ran it, not the one active now', () => {
    const t = newTranscript();
    const run = (id: string, name?: string): RunView => ({ run: { id, threadId: 't1', assistantId: 'a', status: 'completed', createdAt: 1 }, steps: [], ...(name ? { assistant: { id: name, name } } : {}) });
    const answered = (id: string, runId: string): Message => ({ ...message(id, 'assistant', 'an answer', 3), runId });
    t.reset(fromChatState({
      ...chat,
      assistant: { id: 'workspace:reviewer-copy', name: 'Reviewer (copy)', model: 'gpt-test' },
      messages: [...chat.messages, answered('m3', 'run_pirate'), answered('m4', 'run_old')],
      runs: { run_pirate: run('run_pirate', 'Pirate Reviewer'), run_old: run('run_old') },
    }));
    const author = (id: string) => t.element.querySelector(`.msg[data-message-id="${id}"] .msg-role > span:last-child`)?.textContent;
    assert.equal(author('m3'), 'Pirate Reviewer');
    assert.equal(author('m4'), 'Reviewer (copy)', 'a run kept without its assistant falls back to the active one');
  });

  it('places a run that is new to the page at once', () => {
    const t = newTranscript();
    t.reset(fromChatState(chat));
    const state = applyHostMessage(fromChatState(chat), { type: 'run/event', threadId: 't1', runId: 'run_1', event: { type: 'step.created', step: step('s1', 'in_progress') } }, 0).state;
    t.stepsChanged(state, 'run_1');
    assert.ok(block(t), 'no frame is needed to show a new run');
  });

  it('says once how an unfinished run ended, and offers Retry only where it helps', () => {
    const actions = { insertCode: () => undefined, openCode: () => undefined, openFile: () => undefined, editQuestion: () => undefined, retry: () => undefined };
    const draw = (status: RunView['run']['status']) => {
      const t = newTranscript([], actions);
      const answer: Message = { ...message('m2', 'assistant', 'Half an ans', 2), runId: 'run_1', status: 'incomplete' };
      t.reset(fromChatState({ ...chat, messages: [chat.messages[0], answer], runs: { run_1: { run: { id: 'run_1', threadId: 't1', assistantId: 'a', status, createdAt: 2 }, steps: [] } } }));
      return t.element;
    };
    const cancelled = draw('cancelled');
    assert.match(cancelled.textContent ?? '', /stopped before it finished/);
    assert.doesNotMatch(cancelled.textContent ?? '', /cut off|did not finish/, 'a run the user stopped is not called cut off');
    assert.equal(cancelled.querySelectorAll('.run-retry').length, 0, 'no Retry after Stop');
    const failed = draw('failed');
    assert.equal(failed.querySelectorAll('.run-outcome').length, 1, 'one outcome line');
    assert.doesNotMatch(failed.textContent ?? '', /did not finish/, 'the answer carries no second note');
    assert.equal(failed.querySelectorAll('.run-retry').length, 1, 'Retry after a failure');
    const cut = draw('incomplete');
    assert.match(cut.textContent ?? '', /The answer was cut off before it finished\./);
    assert.equal(cut.querySelectorAll('.run-retry').length, 1);
  });

  it('says under a question no run answers that its answer never started, with Retry, while nothing runs', () => {
    let retried = 0;
    const actions = { insertCode: () => undefined, openCode: () => undefined, openFile: () => undefined, editQuestion: () => undefined, retry: () => void retried++ };
    const question = message('m3', 'user', 'sent just before the reload', 3);
    const state = fromChatState({ ...chat, messages: [...chat.messages, question], unanswered: 'm3' });
    const t = newTranscript([], actions);
    t.reset(state);
    const note = t.element.querySelector('[data-message-id="m3"] .run-outcome[data-outcome="unanswered"]');
    assert.ok(note, 'the note is under the question');
    assert.match(note.textContent ?? '', /This question was saved, but its answer never started/);
    assert.equal(t.element.querySelectorAll('.run-outcome').length, 1, 'under that question only');
    (note.querySelector('.run-retry') as HTMLElement).click();
    assert.equal(retried, 1, 'Retry asks it again');
    const retrying = { ...state, pendingSendId: 'r1' };
    t.sync(retrying);
    assert.equal(t.element.querySelectorAll('.run-outcome').length, 0, 'gone while the Retry is under way');
    const none = newTranscript([], actions);
    none.reset(fromChatState({ ...chat, messages: [...chat.messages, question] }));
    assert.equal(none.element.querySelectorAll('.run-outcome').length, 0, 'only when the host says so');
  });

  it('says under a question whose start this window saw fail why it failed, in place of the guess, and redraws when the reason changes', () => {
    const actions = { insertCode: () => undefined, openCode: () => undefined, openFile: () => undefined, editQuestion: () => undefined, retry: () => undefined };
    const question = message('m3', 'user', 'never started', 3);
    const t = newTranscript([], actions);
    const reasons = [
      'Gave up after 5 attempts. The server had an error (HTTP 500). Try again in a few minutes.',
      'The model "gpt-9" does not exist on this server; pick another in the assistant.',
      'The server refused the request (HTTP 400): Unknown parameter: "tools[0].foo".',
    ];
    for (const reason of reasons) {
      t.sync(fromChatState({ ...chat, messages: [...chat.messages, question], unanswered: 'm3', unansweredReason: reason }));
      const notes = t.element.querySelectorAll('.run-outcome[data-outcome="unanswered"]');
      assert.equal(notes.length, 1);
      assert.equal(notes[0].querySelector('.run-outcome-text')?.textContent, `Not started: ${reason} Retry asks it again.`);
      assert.ok(notes[0].querySelector('.run-retry'), 'with Retry');
    }
    // A reason the user can fix (a key the server refused) offers the fix beside Retry.
    const commands: string[] = [];
    const fixable = newTranscript([], { ...actions, runCommand: (command: string) => commands.push(command) });
    for (const [reason, said] of [
      ['The API key was rejected. Run "Assistants: Set API Key" to enter a valid key. Server said: Incorrect API key provided.', 'The API key was rejected. Server said: Incorrect API key provided.'],
      ['The server refused the API key (HTTP 401): invalid token.', 'The server refused the API key (HTTP 401): invalid token.'],
    ]) {
      fixable.sync(fromChatState({ ...chat, messages: [...chat.messages, question], unanswered: 'm3', unansweredReason: reason, unansweredFix: { label: 'Set API Key', command: 'assistants.setApiKey' } }));
      const note = fixable.element.querySelector('.run-outcome[data-outcome="unanswered"]');
      assert.equal(note?.querySelector('.run-outcome-text')?.textContent, `Not started: ${said} Retry asks it again.`, 'the button, not the command\'s name');
      const fix = note?.querySelector<HTMLElement>('.run-fix');
      assert.equal(fix?.textContent?.trim(), 'Set API Key');
      fix?.click();
      assert.ok(note?.querySelector('.run-retry'), 'with Retry too');
    }
    assert.deepEqual(commands, ['assistants.setApiKey', 'assistants.setApiKey'], 'the button runs Set API Key');
    // A reason without a question to carry it says nothing.
    const none = newTranscript([], actions);
    none.reset(fromChatState({ ...chat, messages: [...chat.messages, question], unansweredReason: reasons[0] }));
    assert.equal(none.element.querySelectorAll('.run-outcome').length, 0);
  });

  it('links a cited source only when its URL is a web link', () => {
    const t = newTranscript();
    const answer: Message = {
      id: 'm3',
      role: 'assistant',
      createdAt: 4,
      content: [
        {
          type: 'text',
          text: 'See a and b.',
          annotations: [
            { type: 'url_citation', url: 'https://example.com/a', title: 'Safe source', startIndex: 5, endIndex: 6 },
            { type: 'url_citation', url: 'javascript:alert(1)', title: 'Bad source', startIndex: 11, endIndex: 12 },
          ],
        },
      ],
    };
    t.reset(fromChatState({ ...chat, messages: [...chat.messages, answer] }));
    const links = Array.from(t.element.querySelectorAll('.footnotes a')).map((a) => a.getAttribute('href'));
    assert.deepEqual(links, ['https://example.com/a']);
    assert.match(t.element.querySelector('.footnotes')?.textContent ?? '', /Bad source/, 'the unsafe source still shows, as text');
  });

  // happy-dom does not give DOMPurify a DOM it can clean, so this checks the markdown-it layer;
  // DOMPurify's allow-list is the same pattern (see links.test.ts).
  it('keeps only web, mail and anchor links in Markdown', () => {
    const t = newTranscript();
    const text = '[ok](https://example.com/x) [mail](mailto:a@b.c) [bad](javascript:alert(1)) [cmd](command:workbench.action.quit)';
    const answer: Message = { id: 'm3', role: 'assistant', createdAt: 4, content: [{ type: 'text', text, annotations: [] }] };
    t.reset(fromChatState({ ...chat, messages: [...chat.messages, answer] }));
    const hrefs = Array.from(t.element.querySelectorAll('.markdown a')).map((a) => a.getAttribute('href')).filter((href) => href !== null);
    assert.deepEqual(hrefs, ['https://example.com/x', 'mailto:a@b.c']);
  });
  it('asks the host for images kept beside the thread, naming the thread', () => {
    const stored = `stored-output:${'a'.repeat(64)}.png`;
    const plot = `stored-output:${'b'.repeat(64)}.png`;
    const answer: Message = { id: 'm3', role: 'assistant', content: [{ type: 'image_url', url: stored }], createdAt: 3, runId: 'run_1' };
    const plotStep: RunStep = {
      id: 's1',
      runId: 'run_1',
      status: 'completed',
      createdAt: 3,
      details: { type: 'tool_calls', toolCalls: [{ type: 'code_interpreter', id: 'ci', input: 'plot()', outputs: [{ type: 'image', fileId: 'inline-0', url: plot }] }] },
    };
    const posted: WebviewToHost[] = [];
    const t = newTranscript(posted);
    t.reset(fromChatState({ ...chat, messages: [...chat.messages, answer], runs: { run_1: { ...runView([plotStep]), run: { ...runView([]).run, status: 'completed' } } } }));
    const requests = fileReads(posted).map(({ fileId, threadId }) => ({ fileId, threadId }));
    assert.deepEqual(requests.sort((a, b) => a.fileId.localeCompare(b.fileId)), [
      { fileId: stored, threadId: 't1' },
      { fileId: plot, threadId: 't1' },
    ]);
    assert.equal(t.element.querySelectorAll('img[src^="stored-output:"]').length, 0, 'the page never points an image at a stored-output URL');
  });

  it('draws a figure the code interpreter made once, though both its step and its answer name it (Assistants v2)', () => {
    const plotStep = (fileIds: string[]): RunStep => ({
      id: 's1',
      runId: 'run_1',
      status: 'completed',
      createdAt: 3,
      details: { type: 'tool_calls', toolCalls: [{ type: 'code_interpreter', id: 'ci', input: 'plot()', outputs: fileIds.map((fileId) => ({ type: 'image' as const, fileId })) }] },
    });
    const answer: Message = {
      id: 'm3',
      role: 'assistant',
      runId: 'run_1',
      createdAt: 4,
      content: [{ type: 'image_file', fileId: 'file-fig' }, { type: 'text', text: 'The plot above.', annotations: [] }, { type: 'image_file', fileId: 'file-other' }],
    };
    const figureIds = (t: Transcript) => Array.from(t.element.querySelectorAll('figure.file-figure')).map((f) => f.getAttribute('data-file-id')).sort();
    const done = { ...runView([]).run, status: 'completed' as const };
    // The step is known when the answer is drawn.
    const first = newTranscript();
    first.reset(fromChatState({ ...chat, messages: [...chat.messages, answer], runs: { run_1: { run: done, steps: [plotStep(['file-fig'])] } } }));
    assert.deepEqual(figureIds(first), ['file-fig', 'file-other']);
    // The answer is drawn first; the step that made two figures comes after.
    const second = newTranscript();
    second.reset(fromChatState({ ...chat, messages: [...chat.messages, answer], runs: { run_1: { run: done, steps: [] } } }));
    assert.deepEqual(figureIds(second), ['file-fig', 'file-other']);
    second.sync(fromChatState({ ...chat, messages: [...chat.messages, answer], runs: { run_1: { run: done, steps: [plotStep(['file-fig', 'file-other'])] } } }));
    assert.deepEqual(figureIds(second), ['file-fig', 'file-other']);
    assert.match(second.element.textContent ?? '', /The plot above\./);
  });

  describe('a figure drawn again from the copy kept beside the thread', () => {
    const PNG = 'data:image/png;base64,iVBORw0KGgo=';
    const OTHER_PNG = 'data:image/png;base64,iVBORw0KGgoAAAA=';
    const KEPT = `stored-output:${'c'.repeat(64)}.png`;
    const done = (): RunView['run'] => ({ ...runView([]).run, status: 'completed' });
    /** A thread whose one run drew `outputs` with the code interpreter. */
    const plotted = (outputs: CodeInterpreterOutput[], thread = chat.thread) =>
      fromChatState({ ...chat, thread, runs: { run_1: { run: done(), steps: [{ id: 's1', runId: 'run_1', status: 'completed', createdAt: 3, details: { type: 'tool_calls', toolCalls: [{ type: 'code_interpreter', id: 'ci', input: 'plot()', outputs }] } }] } } });
    /** What each of the run's figures shows: its image's source, or its sentence. */
    const shown = (t: Transcript) => Array.from(t.element.querySelectorAll('.run-figures figure'), (figure) => figure.querySelector('img')?.getAttribute('src') ?? figure.querySelector('.file-figure-status')?.textContent);
    /** The host answers the page's `file/read` of `fileId` with an image. */
    async function hostSends(posted: WebviewToHost[], fileId: string, dataUrl: string): Promise<void> {
      const request = posted.find((m) => m.type === 'request' && m.kind === 'file/read' && m.payload.fileId === fileId);
      assert.ok(request?.type === 'request', `the page asked for ${fileId}`);
      requests.receive({ type: 'reply', id: request.id, ok: true, value: { dataUrl } });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    it('keeps showing an inline image while its kept copy loads, and leaves it in place when the copy arrives (Responses)', async () => {
      const posted: WebviewToHost[] = [];
      const t = newTranscript(posted);
      t.reset(plotted([{ type: 'image', fileId: 'inline-0', url: PNG }]));
      assert.deepEqual(shown(t), [PNG]);
      // The run's end: the image is kept beside the thread, and a second figure of the same run is new.
      t.reset(plotted([{ type: 'image', fileId: 'inline-0', url: KEPT }, { type: 'image', fileId: 'inline-1', url: `stored-output:${'d'.repeat(64)}.png` }]));
      assert.deepEqual(shown(t), [PNG, 'Loading image…'], 'the figure shown before shows its image, never "Loading image…"; a figure never shown has none to show');
      assert.deepEqual(fileReads(posted).map((read) => read.fileId), [KEPT, `stored-output:${'d'.repeat(64)}.png`]);
      const image = t.element.querySelector('.run-figures img');
      await hostSends(posted, KEPT, PNG);
      assert.equal(t.element.querySelector('.run-figures img'), image, 'the same bytes are not drawn a second time');
      await hostSends(posted, `stored-output:${'d'.repeat(64)}.png`, OTHER_PNG);
      assert.deepEqual(shown(t), [PNG, OTHER_PNG]);
    });

    it('keeps showing the server\'s image while its kept copy loads (Assistants v2), for the open thread only', async () => {
      const posted: WebviewToHost[] = [];
      const t = newTranscript(posted);
      t.reset(plotted([{ type: 'image', fileId: 'file-fig' }]));
      assert.deepEqual(shown(t), ['Loading image…']);
      await hostSends(posted, 'file-fig', PNG);
      assert.deepEqual(shown(t), [PNG]);
      t.reset(plotted([{ type: 'image', fileId: 'file-fig', kept: { url: KEPT, filename: 'chart.png', bytes: 10 } }]));
      assert.deepEqual(shown(t), [PNG]);
      assert.equal(t.element.querySelector<HTMLElement>('.file-figure-save')?.hidden, false, 'the kept copy can be saved');
      // Another thread whose run has the same id has drawn nothing yet.
      t.reset(plotted([{ type: 'image', fileId: 'file-fig', kept: { url: KEPT, filename: 'chart.png', bytes: 10 } }], { id: 't2', title: 'Another thread' }));
      assert.deepEqual(shown(t), ['Loading image…']);
    });
  });

  /** Gives the transcript a viewport (happy-dom lays nothing out): its heights, and a scroll position clamped to them. */
  function fakeLayout<Size extends { clientHeight: number; scrollHeight: number }>(el: HTMLElement, size: Size): Size {
    let top = 0;
    // Like a browser, the position is clamped to the content as it is when read.
    const clamp = (value: number) => Math.max(0, Math.min(value, size.scrollHeight - size.clientHeight));
    Object.defineProperty(el, 'clientHeight', { get: () => size.clientHeight });
    Object.defineProperty(el, 'scrollHeight', { get: () => size.scrollHeight });
    Object.defineProperty(el, 'scrollTop', { get: () => (top = clamp(top)), set: (value: number) => (top = clamp(value)) });
    return size;
  }

  it('keeps following the answer when its own move to the bottom is reported after the answer grew or the view shrank', () => {
    const saved: number[] = [];
    const t = newTranscript([], undefined, (fromBottom) => saved.push(fromBottom));
    const size = fakeLayout(t.element, { clientHeight: 400, scrollHeight: 1000 });
    t.reset(fromChatState(chat));
    assert.equal(t.element.scrollTop, 600, 'a new thread opens at the bottom');
    // The scroll event of that move comes a frame later, when the content is taller than it was.
    size.scrollHeight = 1050;
    t.element.dispatchEvent(new Event('scroll'));
    t.sync(fromChatState(chat));
    assert.equal(t.element.scrollTop, 650, 'the reader is kept at the bottom');
    assert.deepEqual(saved, [0], 'the position saved for the next page is the bottom');
  });

  it('lets go of the bottom when the reader scrolls up', () => {
    const t = newTranscript();
    const size = fakeLayout(t.element, { clientHeight: 400, scrollHeight: 1000 });
    t.reset(fromChatState(chat));
    t.element.scrollTop = 100;
    t.element.dispatchEvent(new Event('scroll'));
    size.scrollHeight = 1050;
    t.sync(fromChatState(chat));
    assert.equal(t.element.scrollTop, 100, 'the reader stays where they scrolled to');
  });

  it('keeps a reader who scrolled up in place when a full state of the same thread comes (a run ended)', () => {
    const t = newTranscript();
    const messages = Array.from({ length: 12 }, (_, i) => message(`m${i}`, i % 2 ? 'assistant' : 'user', `text ${i}`, i));
    const spacers = () => Array.from(t.element.querySelectorAll<HTMLElement>('.transcript-spacer')).reduce((sum, el) => sum + (parseFloat(el.style.height) || 0), 0);
    // The content is as tall as the spacers and the entries drawn (66 px each, their estimate).
    fakeLayout(t.element, {
      clientHeight: 300,
      get scrollHeight() {
        return spacers() + 66 * t.element.querySelectorAll('.msg').length;
      },
    });
    const state = fromChatState({ ...chat, messages });
    t.reset(state);
    t.element.scrollTop = 400;
    t.element.dispatchEvent(new Event('scroll'));
    t.sync(state);
    const drawn = ids(t);
    t.reset(fromChatState({ ...chat, messages }));
    assert.equal(t.element.scrollTop, 400, 'the position is kept');
    assert.deepEqual(ids(t), drawn, 'the same messages are drawn, each once');
  });

  it('draws only the end of a 2,000-message thread, with the rest held by a spacer', () => {
    const t = newTranscript();
    const messages = Array.from({ length: 2000 }, (_, i) => message(`m${i}`, i % 2 ? 'assistant' : 'user', `text ${i}`, i));
    t.reset(fromChatState({ ...chat, messages }));
    const drawn = ids(t);
    assert.ok(drawn.length > 0 && drawn.length < 60, `${drawn.length} messages drawn`);
    assert.equal(drawn.at(-1), 'm1999', 'the newest message is drawn');
    assert.deepEqual(drawn, messages.slice(2000 - drawn.length).map((m) => m.id), 'a contiguous run of the newest messages');
  });

  it('redraws only the streamed message on a delta, in place; the others keep their nodes', async () => {
    const t = newTranscript();
    const streaming: Message = { id: 'm3', role: 'assistant', createdAt: 3, status: 'in_progress', content: [{ type: 'text', text: 'Hel', annotations: [] }] };
    let state = fromChatState({ ...chat, messages: [...chat.messages, streaming] });
    t.reset(state);
    const before = Array.from(t.element.querySelectorAll('.msg'));
    state = applyHostMessage(state, { type: 'run/event', threadId: 't1', runId: 'run_1', event: { type: 'message.delta', messageId: 'm3', index: 0, text: 'lo' } }, 0).state;
    t.messageChanged(state, 'm3');
    await nextFrame();
    const after = Array.from(t.element.querySelectorAll('.msg'));
    assert.equal(after[0], before[0]);
    assert.equal(after[1], before[1]);
    assert.equal(after[2], before[2], 'the streaming answer keeps its node');
    assert.match(after[2].textContent ?? '', /Hello/);
    assert.equal(after[2].querySelectorAll('.markdown').length, 1, 'its text is drawn once');
  });

  it('draws code unhighlighted in a first paint, and highlighted from the next frame', async () => {
    const t = newTranscript();
    const answer = message('m3', 'assistant', 'Here:\n\n```ts\nconst a = 1;\n```', 3);
    t.reset(fromChatState({ ...chat, messages: [...chat.messages, answer] }));
    assert.match(t.element.querySelector('[data-message-id="m3"] pre')?.textContent ?? '', /const a = 1;/);
    assert.equal(t.element.querySelector('[data-message-id="m3"] .hljs-keyword'), null, 'no highlighting in the first paint');
    await nextFrame();
    assert.equal(t.element.querySelector('[data-message-id="m3"] .hljs-keyword')?.textContent, 'const');
    assert.equal(t.element.querySelectorAll('[data-message-id="m3"]').length, 1, 'the answer was drawn again, not added twice');
  });

  it('moves focus between entries with the arrow keys, Home and End, drawing entries that were not drawn', () => {
    const t = newTranscript();
    const messages = Array.from({ length: 300 }, (_, i) => message(`m${i}`, i % 2 ? 'assistant' : 'user', `text ${i}`, i));
    document.body.append(t.element);
    t.reset(fromChatState({ ...chat, messages }));
    const press = (key: string) => (document.activeElement ?? t.element).dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    t.element.focus();
    press('End');
    assert.equal(document.activeElement?.getAttribute('data-message-id'), 'm299');
    press('ArrowUp');
    assert.equal(document.activeElement?.getAttribute('data-message-id'), 'm298');
    press('Home');
    assert.equal(document.activeElement?.getAttribute('data-message-id'), 'm0', 'the first message is drawn and focused');
    press('ArrowDown');
    assert.equal(document.activeElement?.getAttribute('data-message-id'), 'm1');
    t.element.remove();
  });
});
