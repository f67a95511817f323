import * as assert from 'node:assert/strict';
import type { ChatState } from '../../../src/common/protocol';
import type { Message, Run } from '../../../src/common/model';
import type * as FormModule from '../../../webview/assistantEditor/form';
import { chatPage } from './chatPage';

const REJECTED = 'The API key was rejected. Run "Assistants: Set API Key" to enter a valid key. Server said: Incorrect API key provided.';
const MISSING = 'No API key is set. Run "Assistants: Set API Key" first.';

const question: Message = { id: 'm1', role: 'user', content: [{ type: 'text', text: 'Hello?', annotations: [] }], createdAt: 1 };
const answer = (text: string, runId: string): Message => ({ id: 'm2', role: 'assistant', content: [{ type: 'text', text, annotations: [] }], createdAt: 2, runId, status: 'completed' });
const failedRun = (code: string, message: string): Run => ({ id: 'run_1', threadId: 't1', assistantId: 'a', status: 'failed', createdAt: 2, completedAt: 3, lastError: { code, message } });

function chatWith(messages: Message[], runs: Run[]): ChatState {
  return {
    provider: { backend: 'responses', label: 'Test', mock: true, hasKey: true },
    thread: { id: 't1', title: 'A thread' },
    messages,
    runs: Object.fromEntries(runs.map((run) => [run.id, { run, steps: [] }])),
  };
}

/** The small things a user noticed: a key failure offers its button instead of naming a command, Copy says it copied. */
describe('the chat page\'s small things (DOM, happy-dom)', () => {
  const open = chatPage();

  for (const [code, message, said] of [['auth', REJECTED, 'The API key was rejected. Server said: Incorrect API key provided.'], ['no_api_key', MISSING, 'No API key is set.']] as const) {
    it(`a run failed for its key (${code}) says so in one sentence and offers Set API Key, not its command's name`, () => {
      const page = open(chatWith([question], [failedRun(code, message)]));
      const line = page.root.querySelector('.run-outcome[data-outcome="failed"]');
      assert.ok(line);
      assert.equal(line.querySelector('.run-outcome-text')?.textContent, said);
      const fix = line.querySelector<HTMLElement>('.run-fix');
      assert.equal(fix?.textContent, 'Set API Key');
      fix.click();
      assert.deepEqual(page.posted.filter((m) => m.type === 'command/run'), [{ type: 'command/run', command: 'assistants.setApiKey' }]);
    });
  }

  it('offers no key fix for another failure, and leaves its sentence whole', () => {
    const page = open(chatWith([question], [failedRun('server', 'The server had an error (HTTP 500).')]));
    assert.equal(page.root.querySelector('.run-fix'), null);
    assert.equal(page.root.querySelector('.run-outcome-text')?.textContent, 'The server had an error (HTTP 500).');
  });

  it('a notice whose button runs the command does not also tell the user to run it', () => {
    const page = open(chatWith([], []));
    page.receive({ type: 'notice/show', notice: { severity: 'error', message: REJECTED, action: { label: 'Set API Key', command: 'assistants.setApiKey' } } });
    assert.equal(page.root.querySelector('.notice-text')?.textContent, 'The API key was rejected. Server said: Incorrect API key provided.');
    page.receive({ type: 'notice/show', notice: { severity: 'error', message: REJECTED } });
    assert.equal(page.root.querySelector('.notice-text')?.textContent, REJECTED, 'without the button, the sentence keeps its advice');
  });

  it('a file-search citation opens its file at the passage: the citation\'s quote, else what the run\'s search found in that file', () => {
    const passage = 'Items below the threshold are restocked every Monday.';
    const cited: Message = {
      id: 'm2', role: 'assistant', createdAt: 2, runId: 'run_3', status: 'completed',
      content: [{ type: 'text', text: 'They are restocked weekly.', annotations: [{ type: 'file_citation', fileId: 'file_1', filename: 'inventory.ts', startIndex: 26, endIndex: 26 }, { type: 'file_citation', fileId: 'file_2', filename: 'notes.md', quote: 'Quoted by the server', startIndex: 26, endIndex: 26 }] }],
    };
    const run: Run = { id: 'run_3', threadId: 't1', assistantId: 'a', status: 'completed', createdAt: 2, completedAt: 3 };
    const steps = [{ id: 'step_1', runId: 'run_3', status: 'completed' as const, createdAt: 2, details: { type: 'tool_calls' as const, toolCalls: [{ type: 'file_search' as const, id: 'fs_1', queries: ['restock'], results: [{ fileId: 'file_9', filename: 'other.ts', score: 0.9, text: 'Not this one' }, { fileId: 'file_1', filename: 'inventory.ts', score: 0.8, text: passage }] }] } }];
    // The search's results reach the run after its answer was drawn (as a stream's final state brings them).
    const searching = [{ ...steps[0], details: { type: 'tool_calls' as const, toolCalls: [{ type: 'file_search' as const, id: 'fs_1', queries: ['restock'] }] } }];
    const page = open({ ...chatWith([question, cited], []), runs: { run_3: { run, steps: searching } } });
    page.receive({ type: 'run/event', threadId: 't1', runId: 'run_3', event: { type: 'step.completed', step: steps[0] } });
    const chips = [...page.root.querySelectorAll<HTMLElement>('.footnote button.chip-action')];
    assert.equal(chips.length, 2);
    for (const chip of chips) chip.click();
    assert.deepEqual(page.posted.filter((m) => m.type === 'file/open'), [
      { type: 'file/open', filename: 'inventory.ts', quote: passage },
      { type: 'file/open', filename: 'notes.md', quote: 'Quoted by the server' },
    ]);
  });

  it('the assistant form says "Saved." only when nothing is wrong, in the file or at its fields', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the form's module loads the UI kit, after the DOM exists
    const { savedStatus } = require('../../../webview/assistantEditor/form') as typeof FormModule;
    assert.equal(savedStatus(0, 0), 'Saved.');
    assert.equal(savedStatus(1, 0), 'Saved with 1 problem: the assistant cannot run until it is fixed.');
    assert.equal(savedStatus(3, 1), 'Saved with 3 problems: the assistant cannot run until they are fixed.');
    assert.equal(savedStatus(0, 2), 'Saved, without what has 2 problems below: the file keeps the last valid value.');
  });

  for (const outcome of ['copied', 'refused'] as const) {
    it(`Copy on a code block says it ${outcome === 'copied' ? 'copied' : 'could not copy'}, then goes back to Copy`, async () => {
      const writes: string[] = [];
      Object.defineProperty(navigator, 'clipboard', {
        configurable: true,
        value: { writeText: (text: string) => (outcome === 'copied' ? (writes.push(text), Promise.resolve()) : Promise.reject(new Error('denied'))) },
      });
      const page = open(chatWith([question, answer('Here:\n\n```ts\nexport const answer = 42;\n```\n', 'run_2')], [{ ...failedRun('x', 'x'), id: 'run_2', status: 'completed', lastError: undefined }]));
      const copy = page.root.querySelector<HTMLElement & { name: string }>('.code-copy');
      assert.ok(copy);
      const note = page.root.querySelector('.code-copied');
      assert.ok(note);
      assert.equal(note.getAttribute('role'), 'status', 'screen readers hear it');
      // What the note said, with the icon beside it, as it changed (a busy machine may be slow to look).
      const seen: string[] = [];
      const observer = new MutationObserver(() => seen.push(`${note.textContent}|${copy.name}`));
      observer.observe(note, { childList: true, characterData: true, subtree: true });
      copy.click();
      for (const deadline = Date.now() + 10_000; seen.length < 2 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
      observer.disconnect();
      assert.deepEqual(seen, [outcome === 'copied' ? 'Copied|check' : 'Could not copy|error', '|copy'], 'said, then back to Copy');
      if (outcome === 'copied') assert.deepEqual(writes, ['export const answer = 42;\n']);
    });
  }
});
