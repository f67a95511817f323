import type { AssistantStore } from './assistants/assistantStore';
import type { Backend } from './backend';
import { asAssistantsError } from './errors';

/** One line of a connection check: what was tried, whether it worked, and what the server said. */
export interface CheckLine {
  what: string;
  ok: boolean;
  detail: string;
}

/**
 * Tries what the extension needs of a provider, cheaply (nothing that starts a paid run): the key
 * (by listing models), conversations or threads (one made and deleted), vector stores, and the
 * server's assistants under Assistants v2. Each line stands alone: one failure does not hide the rest.
 */
export async function checkConnection(backend: Backend, serverAssistants: AssistantStore | undefined, signal?: AbortSignal): Promise<CheckLine[]> {
  const line = async (what: string, probe: () => Promise<string>): Promise<CheckLine> => {
    try {
      return { what, ok: true, detail: await probe() };
    } catch (error) {
      return { what, ok: false, detail: asAssistantsError(error).message };
    }
  };
  const lines = [
    await line('Key and models', async () => `key accepted, ${(await backend.listModels(signal)).length} models listed`),
    await line(backend.kind === 'responses' ? 'Conversations' : 'Threads', async () => {
      const probe = { id: 'connection-check', title: '', createdAt: 0, updatedAt: 0, backend: backend.kind } as const;
      const { remoteId } = await backend.createThread(signal);
      if (!remoteId) return 'not offered by this server: threads are kept locally and their history sent with each run';
      await backend.deleteThread({ ...probe, remoteId }, signal);
      return 'created and deleted one';
    }),
    await line('Vector stores', async () => `${(await backend.listVectorStores(signal)).length} listed`),
  ];
  if (serverAssistants) lines.push(await line('Server assistants', async () => `${(await serverAssistants.list(signal)).length} listed`));
  return lines;
}
