import type { AssistantService } from '../assistantService';
import type { AssistantEntry } from '../assistantStore';
import { describeErrors } from '../assistantFile';
import { AssistantsError } from '../errors';
import type { FileOperations } from '../files';
import type { Assistant } from '../model';

/** The vector stores an assistant's file search reads (`tool_resources.file_search.vector_store_ids`). */
export function knowledgeStoresOf(assistant: Assistant | undefined): string[] {
  return assistant?.toolResources?.fileSearch?.vectorStoreIds ?? [];
}

/**
 * The vector store knowledge goes into for an assistant: its first one; when it has none, a new
 * store named after it, written into the assistant (its file, or its server object under
 * Assistants v2) with the file_search tool, so the assistant stays the truth of what it searches.
 * Throws `bad_request` for an assistant whose file is not valid.
 */
export async function ensureKnowledgeStore(
  service: AssistantService,
  files: Pick<FileOperations, 'createVectorStore'>,
  entry: AssistantEntry,
  signal?: AbortSignal,
): Promise<{ vectorStoreId: string; created: boolean }> {
  const assistant = entry.assistant;
  if (!assistant) throw new AssistantsError('bad_request', `The assistant "${entry.name}" cannot take knowledge until its file is fixed: ${describeErrors(entry.errors ?? [])}.`);
  const existing = knowledgeStoresOf(assistant)[0];
  if (existing) return { vectorStoreId: existing, created: false };
  const store = await files.createVectorStore(`${assistant.name} knowledge`, [], signal);
  const { id: _id, createdAt: _createdAt, ...draft } = assistant;
  const tools = draft.tools.some((tool) => tool.type === 'file_search') ? draft.tools : [...draft.tools, { type: 'file_search' as const }];
  await service.update(entry.id, { ...draft, tools, toolResources: { ...draft.toolResources, fileSearch: { vectorStoreIds: [store.id] } } });
  return { vectorStoreId: store.id, created: true };
}
