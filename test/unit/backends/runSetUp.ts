import { AssistantsV2Backend } from '../../../src/backends/assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from '../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../src/backends/responses/responsesBackend';
import type { Backend } from '../../../src/core/backend';
import type { Assistant, BackendKind, Thread } from '../../../src/common/model';
import type { FakeOpenAIServer } from '../../fakes/fakeServer';

/**
 * A backend of `protocol` on the fake server, an assistant it can run (local on Responses, made on
 * the server under Assistants v2) and a thread titled `title` holding the user's `question`: what a
 * test of one run needs before it starts it.
 */
export async function backendWithQuestion(fake: FakeOpenAIServer, protocol: BackendKind, title: string, question: string): Promise<{ backend: Backend; assistant: Assistant; thread: Thread }> {
  const client = createOpenAIClient({ protocol, apiKey: 'sk-test-key', baseUrl: fake.baseUrl });
  const draft = { name: 'Helper', model: 'gpt-4.1-mini', instructions: 'Be brief.', tools: [] };
  const backend = protocol === 'responses' ? new ResponsesBackend(client) : new AssistantsV2Backend(client, { baseUrl: fake.baseUrl });
  const assistant: Assistant = protocol === 'responses' ? { ...draft, id: 'asst_local', createdAt: 0 } : (await new ServerAssistantStore(client).create(draft)).assistant!;
  const { remoteId } = await backend.createThread();
  const thread: Thread = { id: 'local', title, createdAt: 0, updatedAt: 0, backend: protocol, ...(remoteId ? { remoteId } : {}) };
  await backend.addMessage(thread, { content: [{ type: 'text', text: question, annotations: [] }] });
  return { backend, assistant, thread };
}
