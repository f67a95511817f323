import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssistantsV2Backend } from '../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../src/backends/openaiClient';
import type { Message } from '../../../src/common/model';
import type { ChatState } from '../../../src/common/protocol';
import type { FoldedThread } from '../../../src/common/runFold';
import { applyRunEvent } from '../../../src/common/runFold';
import type { Backend } from '../../../src/core/backend';
import type { ChatUpdate } from '../../../src/core/chat/chatSession';
import { ChatSession } from '../../../src/core/chat/chatSession';
import type { RunRecord } from '../../../src/core/threads/threadStore';
import { ThreadStore } from '../../../src/core/threads/threadStore';
import { nodeFileSystem } from '../../../src/core/workspace/fileSystem';
import { ResponsesBackend } from '../../../src/backends/responses/responsesBackend';
import { applyHostMessage, fromChatState } from '../../../webview/state';
import { FakeOpenAIServer } from '../../fakes/fakeServer';
import { functionFixture } from '../core/functions/fixture';

/** The fold's part of a stored run: what the holder adds (the assistant, the question) left out. */
function foldedRuns(runs: Record<string, RunRecord | { run: RunRecord['run']; steps: RunRecord['steps'] }>): FoldedThread['runs'] {
  return Object.fromEntries(Object.entries(runs).map(([id, record]) => [id, { run: record.run, steps: record.steps }]));
}

for (const protocol of ['responses', 'assistantsV2'] as const) {
  describe(`one fold of run events: saved, shown and replayed alike (${protocol}, fake server)`, () => {
    let fake: FakeOpenAIServer;
    let dir: string;
    let workspace: string;
    let session: ChatSession;
    let updates: ChatUpdate[];

    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fold-'));
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'fold-ws-'));
      fs.writeFileSync(path.join(workspace, 'notes.md'), 'The launch code is 4711.\n');
      fake = await FakeOpenAIServer.start({ timeScale: 0.05 });
      const client = createOpenAIClient({ protocol, apiKey: 'test', baseUrl: fake.baseUrl });
      const backend: Backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client);
      const fixture = functionFixture({ root: workspace });
      const draft = { name: 'Test', model: 'gpt-test', instructions: 'Be brief.', tools: fixture.registry.tools().filter((t) => t.type === 'function' && t.function.name === 'read_file') };
      const assistant = protocol === 'responses' ? { ...draft, id: 'default', createdAt: 0 } : (await new ServerAssistantStore(client).create(draft)).assistant!;
      updates = [];
      session = new ChatSession({
        store: new ThreadStore(nodeFileSystem, dir),
        connect: async () => backend,
        assistant: async () => assistant,
        toolHandler: fixture.handler,
        driver: () => ({ poll: { initialMs: 20, maxMs: 100 } }),
        onUpdate: (update) => updates.push(update),
        onError: (error) => assert.fail(error.message),
      });
    });

    afterEach(async () => {
      await session.whenFilesKept();
      session.dispose();
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(workspace, { recursive: true, force: true });
    });

    it('a run with a tool round and a streamed answer: the thread saved live, the chat\'s view and a replay of its events are one thread', async () => {
      fake.model.enqueue(
        { steps: [{ type: 'function_call', name: 'read_file', arguments: { path: 'notes.md' } }] },
        { steps: [{ type: 'text', text: 'The file says the launch code is 4711, as asked.', chunkSize: 4 }] },
      );
      await session.send('What is in notes.md?');
      await session.whenIdle();
      const stored = session.thread!;
      const threadId = stored.thread.id;
      const runEvents = updates.flatMap((u) => (u.type === 'run' ? [u] : []));
      assert.ok(runEvents.filter((u) => u.event.type === 'message.delta').length > 3, 'the answer came in deltas');
      assert.ok(runEvents.some((u) => u.event.type === 'step.updated' || u.event.type === 'step.completed'), 'steps changed as the run went');

      // A replay: the question as the chat was told of it, then every run event, through the one fold.
      let replayed: FoldedThread = { messages: [], runs: {} };
      for (const update of updates) {
        if (update.type === 'message') replayed = { ...replayed, messages: [...replayed.messages, update.message] };
        if (update.type === 'run') replayed = applyRunEvent(replayed, update.event, { runId: update.runId, now: Date.now() });
      }
      assert.deepEqual(replayed.messages, stored.messages);
      assert.deepEqual(replayed.runs, foldedRuns(stored.runs));

      // The chat: the empty thread it showed when the question was sent, then the same messages.
      const empty: ChatState = { provider: { backend: protocol, label: 'Fake', mock: true, hasKey: true }, thread: { id: threadId, title: '' }, messages: [], runs: {} };
      let view = fromChatState(empty);
      for (const update of updates) {
        if (update.type === 'message') view = applyHostMessage(view, { type: 'message/added', threadId, message: update.message }, Date.now()).state;
        if (update.type === 'run') view = applyHostMessage(view, { type: 'run/event', threadId, runId: update.runId, event: update.event }, Date.now()).state;
      }
      assert.deepEqual(view.messages, stored.messages);
      assert.deepEqual(foldedRuns(view.runs), foldedRuns(stored.runs));
      const answer: Message | undefined = stored.messages.at(-1);
      assert.equal(answer?.content[0].type === 'text' && answer.content[0].text, 'The file says the launch code is 4711, as asked.');
    });
  });
}
