import type { OpenAI } from 'openai';
import { AssistantsV2Backend } from '../../../../src/backends/assistantsV2/assistantsV2Backend';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import type { RunEvent } from '../../../../src/core/events';
import type { Assistant, Thread } from '../../../../src/core/model';
import type { FakeServerOptions } from '../../../fakes/fakeServer';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';

/** A fake server and an adapter talking to it through the real SDK. */
export interface V2Harness {
  server: FakeOpenAIServer;
  backend: AssistantsV2Backend;
  /** The same SDK client, for endpoints the adapter does not use. */
  client: OpenAI;
}

export async function startHarness(options: FakeServerOptions = {}): Promise<V2Harness> {
  const server = await FakeOpenAIServer.start(options);
  const client = createOpenAIClient({ protocol: 'assistantsV2', apiKey: 'sk-test-key', baseUrl: server.baseUrl });
  return { server, client, backend: new AssistantsV2Backend(client, { baseUrl: server.baseUrl }) };
}

/** A local thread backed by a new server-side thread. */
export async function newThread(backend: AssistantsV2Backend): Promise<Thread> {
  const { remoteId } = await backend.createThread();
  return { id: 'local-thread', title: 'Test', createdAt: 0, updatedAt: 0, remoteId, backend: 'assistantsV2' };
}

export function newAssistant(backend: AssistantsV2Backend, overrides: Partial<Omit<Assistant, 'id' | 'createdAt'>> = {}): Promise<Assistant> {
  return backend.createAssistant({ name: 'Helper', model: 'gpt-4.1-mini', instructions: 'Be brief.', tools: [], ...overrides });
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
