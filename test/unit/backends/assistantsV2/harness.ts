import * as assert from 'node:assert/strict';
import type { OpenAI } from 'openai';
import { AssistantsV2Backend } from '../../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import type { RunEvent } from '../../../../src/common/events';
import type { Assistant, AssistantDraft, Thread } from '../../../../src/common/model';
import type { FakeServerOptions } from '../../../fakes/fakeServer';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';

/** A fake server and an adapter talking to it through the real SDK. */
export interface V2Harness {
  server: FakeOpenAIServer;
  backend: AssistantsV2Backend;
  /** The server's assistant objects. */
  assistants: ServerAssistantStore;
  /** The same SDK client, for endpoints the adapter does not use. */
  client: OpenAI;
}

export async function startHarness(options: FakeServerOptions = {}): Promise<V2Harness> {
  const server = await FakeOpenAIServer.start(options);
  const client = createOpenAIClient({ protocol: 'assistantsV2', apiKey: 'sk-test-key', baseUrl: server.baseUrl });
  return { server, client, backend: new AssistantsV2Backend(client, { baseUrl: server.baseUrl }), assistants: new ServerAssistantStore(client, { baseUrl: server.baseUrl }) };
}

/** A local thread backed by a new server-side thread. */
export async function newThread(backend: AssistantsV2Backend): Promise<Thread> {
  const { remoteId } = await backend.createThread();
  return { id: 'local-thread', title: 'Test', createdAt: 0, updatedAt: 0, remoteId, backend: 'assistantsV2' };
}

export function newAssistant(store: ServerAssistantStore, overrides: Partial<AssistantDraft> = {}): Promise<Assistant> {
  return createAssistant(store, { name: 'Helper', model: 'gpt-4.1-mini', instructions: 'Be brief.', tools: [], ...overrides });
}

/** Creates a server assistant and returns it (the store's entry unwrapped). */
export async function createAssistant(store: ServerAssistantStore, draft: AssistantDraft): Promise<Assistant> {
  const entry = await store.create(draft);
  assert.ok(entry.assistant, 'the server returned an assistant');
  return entry.assistant;
}

/** The server's assistants, unwrapped. */
export async function listAssistants(store: ServerAssistantStore): Promise<Assistant[]> {
  return (await store.list()).flatMap((entry) => (entry.assistant ? [entry.assistant] : []));
}

export async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** The concatenated text deltas of a run. */
export function deltaText(events: RunEvent[]): string {
  return events.map((e) => (e.type === 'message.delta' ? e.text : '')).join('');
}
