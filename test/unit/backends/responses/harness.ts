import type { StartRun } from '../../../../src/core/runAction';
import type { RunRef } from '../../../../src/common/runRef';
import type { ToolHandler } from '../../../../src/core/toolHandler';
import type { RunEvent } from '../../../../src/common/events';
import type { Assistant, Message, Thread } from '../../../../src/common/model';
import { RunDriver } from '../../../../src/core/runs/runDriver';
import type { RunDriverOptions } from '../../../../src/core/runs/runDriver';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';
import type { FakeServerOptions, RecordedRequest } from '../../../fakes/fakeServer';

export interface Harness {
  fake: FakeOpenAIServer;
  backend: ResponsesBackend;
  driver: RunDriver;
  assistant: Assistant;
  events: RunEvent[];
  refs: (RunRef | undefined)[];
  onEvent: (event: RunEvent) => void;
  /** Creates a thread, adds one user message, and returns the start action. */
  startWith(text: string): Promise<StartRun>;
  /** Requests the fake recorded for `method path` (path may be a RegExp). */
  requests(method: string, path: string | RegExp): RecordedRequest[];
  close(): Promise<void>;
}

export const echoTools: ToolHandler = {
  handle: async (calls) => calls.map((call) => ({ callId: call.callId, output: `${call.name} ok` })),
};

/** The Responses backend and the run driver against a fresh fake server. */
export async function startHarness(
  options: { fake?: FakeServerOptions; driver?: Partial<RunDriverOptions>; assistant?: Partial<Assistant> } = {},
): Promise<Harness> {
  const fake = await FakeOpenAIServer.start(options.fake);
  const client = createOpenAIClient({ protocol: 'responses', apiKey: 'sk-test-key', baseUrl: fake.baseUrl });
  const backend = new ResponsesBackend(client);
  // Under Responses an assistant is the extension's own object: no server call makes it.
  const assistant: Assistant = { id: 'asst_helper', createdAt: 0, name: 'Helper', model: 'gpt-4.1-mini', instructions: 'Be brief.', tools: [], ...options.assistant };
  const events: RunEvent[] = [];
  const refs: (RunRef | undefined)[] = [];
  const driver = new RunDriver(backend, {
    toolHandler: echoTools,
    poll: { initialMs: 10, maxMs: 40 },
    retry: { baseDelayMs: 5, maxDelayMs: 200 },
    onRunRef: (ref) => refs.push(ref),
    ...options.driver,
  });
  return {
    fake,
    backend,
    driver,
    assistant,
    events,
    refs,
    onEvent: (event) => events.push(event),
    async startWith(text) {
      const { remoteId } = await backend.createThread();
      const thread: Thread = { id: 'thread-local-1', title: 'Test', createdAt: 1, updatedAt: 1, backend: 'responses', ...(remoteId ? { remoteId } : {}) };
      const message: Message = await backend.addMessage(thread, { content: [{ type: 'text', text, annotations: [] }] });
      return { kind: 'start', thread, assistant, history: [message] };
    },
    requests(method, path) {
      return fake.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
    },
    close: () => fake.close(),
  };
}

export function textOf(message: Message | undefined): string {
  return (message?.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
}

export function bodyOf(request: RecordedRequest | undefined): Record<string, unknown> {
  const body = request?.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}
