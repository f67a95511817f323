import type { AssistantService } from '../assistants/assistantService';
import { draftOf } from '../assistants/assistantService';
import type { AssistantEntry } from '../assistants/assistantStore';
import { describeErrors } from '../assistants/assistantFile';
import { AssistantConflictError, AssistantsError } from '../errors';
import type { FileOperations } from '../files';
import type { Assistant, AssistantDraft } from '../../common/model';

/** The vector stores an assistant's file search reads (`tool_resources.file_search.vector_store_ids`). */
export function knowledgeStoresOf(assistant: Assistant | undefined): string[] {
  return assistant?.toolResources?.fileSearch?.vectorStoreIds ?? [];
}

/** The store-making in progress in this window, per assistant id: a second Add waits for the first, then finds its store. */
const ensuring = new Map<string, Promise<unknown>>();

/** How often a store is written into an assistant that keeps changing meanwhile before giving up. */
const MAX_ATTEMPTS = 3;

/**
 * The vector store knowledge goes into for an assistant: its first one; when it has none, a new
 * store named after it, written into the assistant (its file, or its server object under
 * Assistants v2) with the file_search tool, so the assistant stays the truth of what it searches.
 * Two adds at once make one store: in one window the second waits for the first; across windows
 * the write merges with what changed meanwhile, and when another writer recorded a store first,
 * that one is used and the store made here is deleted. Throws `bad_request` for an assistant whose
 * file is not valid, `not_found` when it was deleted meanwhile.
 */
export async function ensureKnowledgeStore(
  service: AssistantService,
  files: Pick<FileOperations, 'createVectorStore' | 'deleteVectorStore'>,
  entry: AssistantEntry,
  signal?: AbortSignal,
): Promise<{ vectorStoreId: string; created: boolean }> {
  const previous = ensuring.get(entry.id);
  const mine = (async () => {
    if (previous) await previous.catch(() => undefined);
    return ensureOnce(service, files, previous ? await service.get(entry.id) : entry, signal);
  })();
  ensuring.set(entry.id, mine);
  try {
    return await mine;
  } finally {
    if (ensuring.get(entry.id) === mine) ensuring.delete(entry.id);
  }
}

async function ensureOnce(
  service: AssistantService,
  files: Pick<FileOperations, 'createVectorStore' | 'deleteVectorStore'>,
  entry: AssistantEntry,
  signal?: AbortSignal,
): Promise<{ vectorStoreId: string; created: boolean }> {
  let draft = usable(entry);
  const existing = knowledgeStoresOf(entry.assistant)[0];
  if (existing) return { vectorStoreId: existing, created: false };
  const store = await files.createVectorStore(`${entry.assistant?.name ?? entry.name} knowledge`, [], signal);
  try {
    for (let attempt = 1; ; attempt++) {
      const tools = draft.tools.some((tool) => tool.type === 'file_search') ? draft.tools : [...draft.tools, { type: 'file_search' as const }];
      try {
        await service.update(entry.id, { ...draft, tools, toolResources: { ...draft.toolResources, fileSearch: { vectorStoreIds: [store.id] } } }, { base: draft });
        return { vectorStoreId: store.id, created: true };
      } catch (error) {
        if (!(error instanceof AssistantConflictError) || attempt >= MAX_ATTEMPTS) throw error;
        // Changed meanwhile: another writer's store wins; else write ours into what it is now.
        const now = await service.get(entry.id);
        const theirs = knowledgeStoresOf(now.assistant)[0];
        if (theirs) {
          await files.deleteVectorStore(store.id, signal);
          return { vectorStoreId: theirs, created: false };
        }
        draft = usable(now);
      }
    }
  } catch (error) {
    // Not recorded in the assistant, the new store would be an orphan nobody lists.
    await files.deleteVectorStore(store.id).catch(() => undefined);
    throw error;
  }
}

/** The entry's assistant as a draft; throws `bad_request` for a file that is not valid. */
function usable(entry: AssistantEntry): AssistantDraft {
  const draft = draftOf(entry);
  if (!draft) throw new AssistantsError('bad_request', `The assistant "${entry.name}" cannot take knowledge until its file is fixed: ${describeErrors(entry.errors ?? [])}.`);
  return draft;
}

/**
 * Takes a vector store out of an assistant's file search (its file, or its server object), as when
 * the server no longer has it: runs stop naming it, and the next Add to Knowledge makes a new one
 * when none is left. The store itself is not touched. Throws `bad_request` for an assistant whose
 * file is not valid.
 */
export async function removeKnowledgeStore(service: AssistantService, entry: AssistantEntry, vectorStoreId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const assistant = entry.assistant;
    if (!assistant) throw new AssistantsError('bad_request', `The assistant "${entry.name}" cannot be changed until its file is fixed: ${describeErrors(entry.errors ?? [])}.`);
    const stores = knowledgeStoresOf(assistant);
    if (!stores.includes(vectorStoreId)) return;
    const { id: _id, createdAt: _createdAt, ...draft } = assistant;
    const { fileSearch: _fileSearch, ...otherResources } = draft.toolResources ?? {};
    const left = stores.filter((id) => id !== vectorStoreId);
    try {
      await service.update(entry.id, { ...draft, toolResources: { ...otherResources, ...(left.length ? { fileSearch: { vectorStoreIds: left } } : {}) } }, { base: draft });
      return;
    } catch (error) {
      // Its stores changed meanwhile (a store added elsewhere): take this one out of what they are now.
      if (!(error instanceof AssistantConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      entry = await service.get(entry.id);
    }
  }
}
