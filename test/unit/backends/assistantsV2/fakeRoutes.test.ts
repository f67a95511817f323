import * as assert from 'node:assert/strict';
import { APIError } from 'openai';
import type { V2Harness } from './harness';
import { newAssistant, newThread, startHarness } from './harness';

/** The fake's Assistants v2 routes through the raw SDK: the parts the adapter does not reach. */
describe('fake server: Assistants v2 routes', () => {
  let h: V2Harness;

  beforeEach(async () => {
    h = await startHarness({ pollAfterMs: 20 });
  });
  afterEach(async () => {
    await h.server.close();
  });

  it('pages assistants with limit, after and order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await newAssistant(h.assistants, { name: `A${i}` })).id);
    const first = await h.client.beta.assistants.list({ limit: 2, order: 'asc' });
    assert.deepEqual(first.data.map((a) => a.id), ids.slice(0, 2));
    assert.equal(first.has_more, true);
    const second = await h.client.beta.assistants.list({ limit: 2, order: 'asc', after: ids[1] });
    assert.deepEqual(second.data.map((a) => a.id), ids.slice(2, 4));
    const newest = await h.client.beta.assistants.list({ limit: 1 });
    assert.deepEqual(newest.data.map((a) => a.id), [ids[4]]);
    const all: string[] = [];
    for await (const a of h.client.beta.assistants.list({ limit: 2, order: 'asc' })) all.push(a.id);
    assert.deepEqual(all, ids);
  });

  it('refuses requests without the assistants=v2 beta header', async () => {
    await assert.rejects(h.client.get('/assistants', { headers: { 'OpenAI-Beta': null } }), (e: unknown) => e instanceof APIError && e.status === 400 && /OpenAI-Beta/.test(e.message));
  });

  it('filters messages by run, lists runs, retrieves steps and messages, and allows one active run per thread', async () => {
    const assistant = await newAssistant(h.assistants);
    const thread = await newThread(h.backend);
    const threadId = thread.remoteId ?? '';
    await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'First', annotations: [] }] });
    // Queued long enough for the checks below to see it unfinished even on a loaded machine.
    h.server.model.enqueue({ steps: [{ type: 'text', text: 'Answer.' }], queuedMs: 250, durationMs: 30 });
    const run = await h.client.beta.threads.runs.create(threadId, { assistant_id: assistant.id });
    await assert.rejects(h.client.beta.threads.runs.create(threadId, { assistant_id: assistant.id }), (e: unknown) => e instanceof APIError && e.status === 400 && /active run/.test(e.message));
    await assert.rejects(h.client.beta.threads.messages.create(threadId, { role: 'user', content: 'Too soon' }), (e: unknown) => e instanceof APIError && e.status === 400);
    const polling = await h.client.beta.threads.runs.retrieve(run.id, { thread_id: threadId }).withResponse();
    assert.equal(polling.response.headers.get('openai-poll-after-ms'), '20');
    let done = polling.data;
    while (done.status !== 'completed') {
      await new Promise((resolve) => setTimeout(resolve, 10));
      done = await h.client.beta.threads.runs.retrieve(run.id, { thread_id: threadId });
    }
    const finished = await h.client.beta.threads.runs.retrieve(run.id, { thread_id: threadId }).withResponse();
    assert.equal(finished.response.headers.get('openai-poll-after-ms'), null);
    assert.ok(done.completed_at !== null && done.started_at !== null && done.usage !== null);

    const all = await h.client.beta.threads.messages.list(threadId);
    assert.deepEqual(all.data.map((m) => m.role), ['assistant', 'user'], 'newest first by default');
    const ofRun = await h.client.beta.threads.messages.list(threadId, { run_id: run.id });
    assert.deepEqual(ofRun.data.map((m) => m.role), ['assistant']);
    const message = await h.client.beta.threads.messages.retrieve(ofRun.data[0].id, { thread_id: threadId });
    assert.equal(message.content[0].type === 'text' && message.content[0].text.value, 'Answer.');

    const runs = await h.client.beta.threads.runs.list(threadId);
    assert.deepEqual(runs.data.map((r) => r.id), [run.id]);
    const steps = await h.client.beta.threads.runs.steps.list(run.id, { thread_id: threadId });
    const step = await h.client.beta.threads.runs.steps.retrieve(steps.data[0].id, { thread_id: threadId, run_id: run.id });
    assert.equal(step.step_details.type === 'message_creation' && step.step_details.message_creation.message_id, message.id);
    await assert.rejects(h.client.beta.threads.runs.cancel(run.id, { thread_id: threadId }), (e: unknown) => e instanceof APIError && e.status === 400);
  });

  it('includes file search result text only when asked to', async () => {
    const file = await h.backend.uploadFile('a.txt', new TextEncoder().encode('alpha beta gamma'), 'assistants');
    const assistant = await newAssistant(h.assistants, { tools: [{ type: 'file_search' }] });
    const thread = await newThread(h.backend);
    const threadId = thread.remoteId ?? '';
    await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'alpha?', annotations: [] }], attachments: [{ fileId: file.id, tools: ['file_search'] }] });
    await new Promise((resolve) => setTimeout(resolve, 80));
    h.server.model.enqueue({ steps: [{ type: 'file_search', queries: ['alpha'] }, { type: 'text', text: 'Found it.' }] });
    const run = await h.client.beta.threads.runs.createAndPoll(threadId, { assistant_id: assistant.id }, { pollIntervalMs: 10 });
    assert.equal(run.status, 'completed');
    const resultOf = async (include: boolean) => {
      const page = await h.client.beta.threads.runs.steps.list(run.id, { thread_id: threadId, order: 'asc', ...(include ? { include: ['step_details.tool_calls[*].file_search.results[*].content' as const] } : {}) });
      const details = page.data[0].step_details;
      return details.type === 'tool_calls' && details.tool_calls[0].type === 'file_search' ? details.tool_calls[0].file_search.results?.[0] : undefined;
    };
    assert.equal((await resultOf(false))?.content, undefined);
    const withText = await resultOf(true);
    assert.equal(withText?.file_id, file.id);
    assert.deepEqual(withText?.content, [{ type: 'text', text: 'alpha beta gamma' }]);
  });
});
