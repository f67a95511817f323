import { randomUUID } from 'node:crypto';
import type { OpenAI } from 'openai';
import type { ResponseCreateParamsBase, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { AssistantStore } from '../../core/assistantStore';
import type {
  AssistantDraft,
  Backend,
  FileObject,
  FilePurpose,
  NewMessage,
  RunAction,
  RunRef,
  RunSnapshot,
  VectorStore,
} from '../../core/backend';
import type { AssistantsError } from '../../core/errors';
import type { RunEvent } from '../../core/events';
import type { Assistant, Message, Thread } from '../../core/model';
import { PollSchedule } from '../../core/pollSchedule';
import { RunState } from '../../core/runState';
import { abortableSleep } from '../../core/sleep';
import { FilesAndStores } from '../assistantsV2/filesAndStores';
import type { ErrorContext } from '../errorMapping';
import { toAssistantsError, toStreamingError } from '../errorMapping';
import { toSnapshot } from './mapping';
import type { RunContext } from './mapping';
import { buildResponseParams, fileSearchAttachments } from './requestBuilder';
import { ResponseAccumulator } from './streamAccumulator';

export interface ResponsesBackendOptions {
  /** For error messages ("Could not reach <host>"). */
  baseUrl?: string;
}

/** How long an attachment vector store may take to index before the run goes ahead without waiting. */
const ATTACHMENT_INDEX_WAIT_MS = 60_000;

/**
 * The default backend: Responses + Conversations. Threads are conversations, runs are responses
 * (one per round of tool outputs), run steps are output items. Assistant definitions live in the
 * extension's own store. On a server without conversations the thread stays local and its history
 * is sent as input.
 */
export class ResponsesBackend implements Backend {
  readonly kind = 'responses' as const;
  /** Learned on first use: undefined until a conversations request answered. */
  private conversationsAvailable: boolean | undefined;
  private readonly files: FilesAndStores;
  private readonly errorContext: ErrorContext;
  /** Vector stores made for attachment sets, so each set is indexed once. */
  private readonly attachmentStores = new Map<string, Promise<string>>();

  constructor(
    private readonly client: OpenAI,
    private readonly assistants: AssistantStore,
    options: ResponsesBackendOptions = {},
  ) {
    this.files = new FilesAndStores(client);
    this.errorContext = { baseUrl: options.baseUrl ?? client.baseURL };
  }

  listAssistants(): Promise<Assistant[]> {
    return this.assistants.list();
  }

  createAssistant(draft: AssistantDraft): Promise<Assistant> {
    return this.assistants.create(draft);
  }

  updateAssistant(id: string, draft: AssistantDraft): Promise<Assistant> {
    return this.assistants.update(id, draft);
  }

  deleteAssistant(id: string): Promise<void> {
    return this.assistants.delete(id);
  }

  async createThread(signal?: AbortSignal): Promise<{ remoteId?: string }> {
    if (this.conversationsAvailable === false) {
      return {};
    }
    try {
      const conversation = await this.client.conversations.create({}, { signal });
      this.conversationsAvailable = true;
      return { remoteId: conversation.id };
    } catch (error) {
      const mapped = this.error(error);
      if (mapped.kind === 'not_found' || mapped.kind === 'unsupported') {
        // A local model server with Responses but no Conversations: keep the history locally.
        this.conversationsAvailable = false;
        return {};
      }
      throw mapped;
    }
  }

  async deleteThread(thread: Thread, signal?: AbortSignal): Promise<void> {
    if (!thread.remoteId) {
      return;
    }
    await this.call(() => this.client.conversations.delete(thread.remoteId ?? '', { signal }));
  }

  async addMessage(thread: Thread, message: NewMessage, signal?: AbortSignal): Promise<Message> {
    const local: Message = {
      id: `msg_local_${randomUUID().replace(/-/g, '')}`,
      role: 'user',
      content: message.content,
      createdAt: Math.floor(Date.now() / 1000),
      status: 'completed',
      ...(message.attachments?.length ? { attachments: message.attachments } : {}),
    };
    const text = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
    if (!thread.remoteId || text === '') {
      return local;
    }
    const list = await this.call(() =>
      this.client.conversations.items.create(thread.remoteId ?? '', { items: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }] }, { signal }),
    );
    const id = list.data[0]?.id;
    return id ? { ...local, id } : local;
  }

  async *stream(action: RunAction, signal?: AbortSignal): AsyncIterable<RunEvent> {
    const params = await this.params(action, signal);
    let events: AsyncIterable<ResponseStreamEvent>;
    try {
      // Background as well as streamed: the response outlives a dropped connection (so it can be
      // polled) and can be cancelled on the server.
      events = await this.client.responses.create({ ...params, stream: true, background: true }, { signal });
    } catch (error) {
      throw toStreamingError(error, this.errorContext);
    }
    const accumulator = new ResponseAccumulator();
    const state = new RunState();
    let runId = action.kind === 'submit' ? action.ref.runId : undefined;
    try {
      for await (const event of events) {
        const response = accumulator.apply(event);
        if (!response) {
          continue;
        }
        runId ??= response.id;
        const snapshot = toSnapshot(response, this.runContext(action, runId));
        for (const runEvent of state.advance(snapshot)) {
          yield runEvent.type === 'run.updated' ? { ...runEvent, ref: snapshot.ref } : runEvent;
        }
      }
    } catch (error) {
      throw this.error(error);
    }
  }

  async create(action: RunAction, signal?: AbortSignal): Promise<RunSnapshot> {
    const params = await this.params(action, signal);
    const response = await this.call(() => this.client.responses.create({ ...params, stream: false, background: true }, { signal }));
    return toSnapshot(response, this.runContext(action, action.kind === 'submit' ? action.ref.runId : response.id));
  }

  async retrieve(ref: RunRef, signal?: AbortSignal): Promise<RunSnapshot> {
    const { data, response } = await this.call(() => this.client.responses.retrieve(ref.cursor ?? ref.runId, {}, { signal }).withResponse());
    const snapshot = toSnapshot(data, { ref, assistantId: '' });
    const hint = Number(response.headers.get('openai-poll-after-ms') ?? Number.NaN);
    return Number.isFinite(hint) && hint >= 0 ? { ...snapshot, pollAfterMs: hint } : snapshot;
  }

  async cancel(ref: RunRef, signal?: AbortSignal): Promise<void> {
    await this.call(() => this.client.responses.cancel(ref.cursor ?? ref.runId, { signal }));
  }

  async uploadFile(name: string, data: Uint8Array, purpose: FilePurpose, signal?: AbortSignal): Promise<FileObject> {
    return this.call(() => this.files.uploadFile(name, data, purpose, signal));
  }

  listFiles(signal?: AbortSignal): Promise<FileObject[]> {
    return this.call(() => this.files.listFiles(signal));
  }

  deleteFile(id: string, signal?: AbortSignal): Promise<void> {
    return this.call(() => this.files.deleteFile(id, signal));
  }

  async fileContent(id: string, containerId?: string, signal?: AbortSignal): Promise<Uint8Array> {
    if (!containerId) {
      return this.call(() => this.files.fileContent(id, signal));
    }
    const response = await this.call(() => this.client.containers.files.content.retrieve(id, { container_id: containerId }, { signal }));
    return new Uint8Array(await response.arrayBuffer());
  }

  async createVectorStore(name: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore> {
    const store = await this.call(() => this.files.createVectorStore(name, fileIds, signal));
    return this.untilIndexed(store, signal);
  }

  addVectorStoreFiles(vectorStoreId: string, fileIds: string[], signal?: AbortSignal): Promise<VectorStore> {
    return this.call(() => this.files.addVectorStoreFiles(vectorStoreId, fileIds, signal));
  }

  listVectorStores(signal?: AbortSignal): Promise<VectorStore[]> {
    return this.call(() => this.files.listVectorStores(signal));
  }

  deleteVectorStore(id: string, signal?: AbortSignal): Promise<void> {
    return this.call(() => this.files.deleteVectorStore(id, signal));
  }

  listModels(signal?: AbortSignal): Promise<string[]> {
    return this.call(() => this.files.listModels(signal));
  }

  private async params(action: RunAction, signal: AbortSignal | undefined): Promise<ResponseCreateParamsBase> {
    const attachmentVectorStoreIds = await this.attachmentVectorStores(action.history, signal);
    const conversationId = action.thread.remoteId;
    return buildResponseParams(action, { conversationId, attachmentVectorStoreIds });
  }

  private runContext(action: RunAction, runId: string): RunContext {
    return {
      ref: { threadId: action.thread.id, ...(action.thread.remoteId ? { remoteThreadId: action.thread.remoteId } : {}), runId },
      assistantId: action.assistant.id,
    };
  }

  /** Responses has no message attachments: files meant for file_search go into a vector store of their own. */
  private async attachmentVectorStores(history: Message[], signal: AbortSignal | undefined): Promise<string[]> {
    const fileIds = fileSearchAttachments(history);
    if (fileIds.length === 0) {
      return [];
    }
    const key = [...fileIds].sort().join(',');
    let pending = this.attachmentStores.get(key);
    if (!pending) {
      pending = this.createVectorStore('Thread attachments', fileIds, signal).then((store) => store.id);
      pending.catch(() => this.attachmentStores.delete(key));
      this.attachmentStores.set(key, pending);
    }
    return [await pending];
  }

  private async untilIndexed(store: VectorStore, signal: AbortSignal | undefined): Promise<VectorStore> {
    const schedule = new PollSchedule({ initialMs: 100, maxMs: 1000 });
    const deadline = Date.now() + ATTACHMENT_INDEX_WAIT_MS;
    let current = store;
    while (current.status === 'in_progress' && Date.now() < deadline) {
      await abortableSleep(schedule.next(false), signal);
      const id = current.id;
      const wire = await this.call(() => this.client.vectorStores.retrieve(id, { signal }));
      current = { ...current, status: wire.status, fileCounts: { inProgress: wire.file_counts.in_progress, completed: wire.file_counts.completed, failed: wire.file_counts.failed, cancelled: wire.file_counts.cancelled, total: wire.file_counts.total } };
    }
    return current;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.error(error);
    }
  }

  private error(error: unknown): AssistantsError {
    return toAssistantsError(error, this.errorContext);
  }
}
