import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssistantsV2Backend } from '../../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import type { Backend } from '../../../../src/core/backend';
import type { ChatUpdate } from '../../../../src/core/chat/chatSession';
import { ChatSession } from '../../../../src/core/chat/chatSession';
import type { AssistantsError } from '../../../../src/core/errors';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import type { Assistant, BackendKind } from '../../../../src/common/model';
import { ThreadStore } from '../../../../src/core/threads/threadStore';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';
import { functionFixture } from '../functions/fixture';

/** Where each protocol sends a run's tool outputs. */
const SUBMIT_PATH: Record<BackendKind, string> = { responses: '/responses', assistantsV2: '/threads/:thread_id/runs/:run_id/submit_tool_outputs' };
const REFUSAL = JSON.stringify({ error: { message: 'Invalid tool output.', type: 'invalid_request_error', code: 'invalid_value', param: null } });

for (const protocol of ['responses', 'assistantsV2'] as BackendKind[]) {
  describe(`A run the chat stops following for good (${protocol})`, () => {
    let fake: FakeOpenAIServer;
    let dir: string;
    let workspace: string;

    beforeEach(async () => {
      fake = await FakeOpenAIServer.start({ timeScale: 0.05 });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-end-'));
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'run-end-ws-'));
      fs.writeFileSync(path.join(workspace, 'notes.md'), 'The launch code is 4711.\n');
    });
    afterEach(async () => {
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(workspace, { recursive: true, force: true });
    });

    it('is recorded as failed with the reason, its answer closed, in the view and in the thread a later window reads', async () => {
      const client = createOpenAIClient({ protocol, apiKey: 'test', baseUrl: fake.baseUrl });
      const backend: Backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client);
      const fixture = functionFixture({ root: workspace });
      const draft = { name: 'Test', model: 'gpt-test', tools: fixture.registry.tools().filter((t) => t.type === 'function' && t.function.name === 'read_file') };
      const assistant: Assistant = protocol === 'responses' ? { ...draft, id: 'default', createdAt: 0 } : (await new ServerAssistantStore(client).create(draft)).assistant!;
      const updates: ChatUpdate[] = [];
      const errors: AssistantsError[] = [];
      const session = new ChatSession({
        store: new ThreadStore(nodeFileSystem, dir),
        connect: async () => backend,
        assistant: async () => assistant,
        toolHandler: fixture.handler,
        driver: () => ({ poll: { initialMs: 20, maxMs: 100 } }),
        onUpdate: (update) => {
          updates.push(update);
          // The server refuses the outputs the run is waiting for: no retry can change that.
          if (update.type === 'run' && update.event.type === 'run.updated' && update.event.run.status === 'requires_action') {
            fake.inject({ method: 'POST', path: SUBMIT_PATH[protocol], kind: 'script', script: { status: 400, headers: { 'content-type': 'application/json' }, chunks: [REFUSAL] } });
          }
        },
        onError: (error) => errors.push(error),
      });
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Let me look.' }, { type: 'function_call', name: 'read_file', arguments: { path: 'notes.md' } }] }, { steps: [{ type: 'text', text: 'Never sent.' }] });
      await session.send('What is in notes.md?');
      await session.whenIdle();

      assert.equal(errors.length, 1, 'the user is told once');
      assert.match(errors[0].message, /Invalid tool output/);
      const runs = Object.values(session.thread!.runs);
      assert.equal(runs.length, 1);
      assert.equal(runs[0].run.status, 'failed', 'the run no longer waits for tool outputs');
      assert.equal(runs[0].run.requiredAction, undefined);
      assert.match(runs[0].run.lastError?.message ?? '', /Invalid tool output/);
      const last = updates.filter((u) => u.type === 'run' && u.event.type === 'run.updated').at(-1);
      assert.ok(last?.type === 'run' && last.event.type === 'run.updated' && last.event.run.status === 'failed', 'the chat view is told the run ended');
      assert.ok(session.thread!.messages.filter((m) => m.role === 'assistant').every((m) => m.status !== 'in_progress'), 'no answer is left open');

      const reread = await new ThreadStore(nodeFileSystem, dir).load(session.thread!.thread.id);
      assert.equal(Object.values(reread!.runs)[0].run.status, 'failed', 'a later window reads the run as ended');
      assert.equal(reread!.pendingRun, undefined, 'and does not try to resume it');
    });
  });
}
