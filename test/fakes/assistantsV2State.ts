import type { Assistant as WireAssistant, AssistantTool } from 'openai/resources/beta/assistants';
import type { Message as WireMessage, MessageContent as WireContent } from 'openai/resources/beta/threads/messages';
import type { Run as WireRun } from 'openai/resources/beta/threads/runs/runs';
import type { RunStep as WireStep } from 'openai/resources/beta/threads/runs/steps';
import type { Thread as WireThread } from 'openai/resources/beta/threads/threads';
import type { FakeRequest } from './http';
import { asObject } from './http';
import type { Turn } from './scriptedModel';
import type { FakeStore } from './store';

/** A thread with its messages and runs, oldest first. */
export interface V2Thread {
  object: WireThread;
  messages: WireMessage[];
  runIds: string[];
}

/** A run and what it still has to do. */
export interface V2Run {
  object: WireRun;
  steps: WireStep[];
  /** The scripted turn being played and the index of its next step. */
  turn: Turn;
  next: number;
  /** The tool-call step waiting for outputs while the run is `requires_action`. */
  pendingStepId?: string;
  /** File-search hits of this run, cited by text that asks for citations. */
  citations: { fileId: string; filename: string }[];
  /** Files the run's code wrote (`path` such as `/mnt/data/x.csv`): `sandbox:` links to them are cited. */
  outputs: { fileId: string; path: string }[];
  /** Images the run's code drew that no answer has shown yet: the next answer starts with them, as `image_file` parts. */
  figures: string[];
  /** The create request asked for file-search result text in step events. */
  includeResultContent: boolean;
  /** Set by a cancel request; the executor notices at its next checkpoint. */
  cancelRequested: boolean;
  /** True while an executor is advancing the run, so a second one is never started. */
  executing: boolean;
}

/** The Assistants v2 objects of one fake server, kept in the store's collections. */
export class V2State {
  readonly assistants: Map<string, WireAssistant>;
  readonly threads: Map<string, V2Thread>;
  readonly runs: Map<string, V2Run>;

  constructor(readonly store: FakeStore) {
    this.assistants = store.collection<WireAssistant>('assistantsV2.assistants');
    this.threads = store.collection<V2Thread>('assistantsV2.threads');
    this.runs = store.collection<V2Run>('assistantsV2.runs');
  }

  /** The unfinished run of a thread, if any: the real service allows one at a time. */
  activeRun(thread: V2Thread): V2Run | undefined {
    return thread.runIds
      .map((id) => this.runs.get(id))
      .find((run) => run !== undefined && ['queued', 'in_progress', 'requires_action', 'cancelling'].includes(run.object.status));
  }
}

/** Message content of a create-message body (a string or content parts) in the wire shape. */
export function messageContent(content: unknown): WireContent[] {
  if (typeof content === 'string') return [{ type: 'text', text: { value: content, annotations: [] } }];
  if (!Array.isArray(content)) return [];
  return content.flatMap((raw): WireContent[] => {
    const part = asObject(raw);
    if (part.type === 'text' && typeof part.text === 'string') return [{ type: 'text', text: { value: part.text, annotations: [] } }];
    const imageFile = asObject(part.image_file);
    if (part.type === 'image_file' && typeof imageFile.file_id === 'string') return [{ type: 'image_file', image_file: { file_id: imageFile.file_id } }];
    const imageUrl = asObject(part.image_url);
    if (part.type === 'image_url' && typeof imageUrl.url === 'string') return [{ type: 'image_url', image_url: { url: imageUrl.url } }];
    return [];
  });
}

export function newMessage(store: FakeStore, threadId: string, fields: Partial<WireMessage> & Pick<WireMessage, 'role' | 'content'>): WireMessage {
  return {
    id: store.newId('msg'),
    object: 'thread.message',
    created_at: store.nowSeconds(),
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: store.nowSeconds(),
    incomplete_at: null,
    assistant_id: null,
    run_id: null,
    attachments: [],
    metadata: {},
    ...fields,
  };
}

/** Attachments of a create-message body, as stored. */
export function attachments(raw: unknown): WireMessage.Attachment[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item): WireMessage.Attachment[] => {
    const a = asObject(item);
    if (typeof a.file_id !== 'string') return [];
    const tools = Array.isArray(a.tools)
      ? a.tools.flatMap((t): WireMessage.Attachment['tools'] & object => {
          const type = asObject(t).type;
          return type === 'file_search' || type === 'code_interpreter' ? [{ type }] : [];
        })
      : [];
    return [{ file_id: a.file_id, tools }];
  });
}

/** Tools of a create/modify body. Unknown shapes are dropped; the contract test catches the adapter sending them. */
export function tools(raw: unknown): AssistantTool[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item): AssistantTool[] => {
    const tool = asObject(item);
    if (tool.type === 'code_interpreter') return [{ type: 'code_interpreter' }];
    if (tool.type === 'file_search') {
      const max = asObject(tool.file_search).max_num_results;
      return [typeof max === 'number' ? { type: 'file_search', file_search: { max_num_results: max } } : { type: 'file_search' }];
    }
    const fn = asObject(tool.function);
    if (tool.type === 'function' && typeof fn.name === 'string') {
      return [{ type: 'function', function: { ...fn, name: fn.name } }];
    }
    return [];
  });
}

export function stringMap(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(asObject(raw))) if (typeof value === 'string') out[key] = value;
  return out;
}

/** `include[]=step_details.tool_calls[*].file_search.results[*].content` asks for result text. */
export function wantsResultContent(req: FakeRequest): boolean {
  return [...req.query.getAll('include[]'), ...req.query.getAll('include')].includes('step_details.tool_calls[*].file_search.results[*].content');
}

/** A step as the wire shows it: file-search result text only when asked for. */
export function stepView(step: WireStep, withContent: boolean): WireStep {
  const copy = structuredClone(step);
  if (!withContent && copy.step_details.type === 'tool_calls') {
    for (const call of copy.step_details.tool_calls) {
      if (call.type === 'file_search') for (const result of call.file_search.results ?? []) delete result.content;
    }
  }
  return copy;
}

/** True while a GET should carry `openai-poll-after-ms`. */
export function isWorking(run: WireRun): boolean {
  return run.status === 'queued' || run.status === 'in_progress' || run.status === 'cancelling';
}
