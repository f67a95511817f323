import type { Message as WireMessage, MessageContent as WireContent, Annotation as WireAnnotation } from 'openai/resources/beta/threads/messages';
import type { MessageContentDelta as WireContentDelta, AnnotationDelta as WireAnnotationDelta } from 'openai/resources/beta/threads/messages';
import type { Run as WireRun } from 'openai/resources/beta/threads/runs/runs';
import type { RunStep as WireStep, ToolCall as WireToolCall } from 'openai/resources/beta/threads/runs/steps';
import { reasonWord } from '../common/reasons';
import { runErrorOf } from '../errorMapping';
import type {
  Annotation,
  Attachment,
  AttachmentTool,
  CodeInterpreterOutput,
  Message,
  MessageContent,
  Run,
  RunStatus,
  RunStep,
  ToolCall,
  Usage,
} from '../../common/model';

/**
 * A wire object as an independent server may really send it: any field missing or null, a list
 * holding nulls, a `type` the SDK does not know. The mappers below read every wire object through
 * this type, so the compiler asks for a guard at each step instead of trusting the SDK's types.
 */
export type Loose<T> = T extends string | number | boolean
  ? T | null | undefined
  : T extends readonly (infer Item)[]
    ? readonly (Loose<Item> | null | undefined)[] | null | undefined
    : T extends object
      ? { readonly [K in keyof T]?: Loose<T[K]> | null }
      : T | null | undefined;

/**
 * A field's string, or undefined when the server sent none or something else (a number, an
 * object): `Loose` covers fields left out or null; this covers fields of the wrong type.
 */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A field's finite number, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A field's list, or an empty one when the server sent none or something else (an object, a string). */
export function list<T>(value: readonly T[] | null | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

const RUN_STATUSES: ReadonlySet<string> = new Set<RunStatus>(['queued', 'in_progress', 'requires_action', 'cancelling', 'cancelled', 'failed', 'completed', 'incomplete', 'expired']);
const STEP_STATUSES: ReadonlySet<string> = new Set<RunStep['status']>(['in_progress', 'cancelled', 'failed', 'completed', 'expired']);
const MESSAGE_STATUSES: ReadonlySet<string> = new Set<NonNullable<Message['status']>>(['in_progress', 'incomplete', 'completed']);

/**
 * RunObject -> domain Run. A status this client does not know is read as `in_progress` (the run is
 * followed on until it reaches one it knows); a failure is told in the server's words only when it
 * sent some.
 */
export function fromWireRun(wire: WireRun | Loose<WireRun>): Run {
  const loose = wire as Loose<WireRun>;
  const status = str(loose.status);
  const run: Run = {
    id: str(loose.id) ?? '',
    threadId: str(loose.thread_id) ?? '',
    assistantId: str(loose.assistant_id) ?? '',
    status: status === undefined ? 'queued' : RUN_STATUSES.has(status) ? (status as RunStatus) : 'in_progress',
    createdAt: num(loose.created_at) ?? 0,
  };
  if (str(loose.model)) run.model = loose.model as string;
  if (str(loose.instructions)) run.instructions = loose.instructions as string;
  if (loose.usage && typeof loose.usage === 'object') run.usage = fromWireUsage(loose.usage);
  const failure = loose.last_error && typeof loose.last_error === 'object' ? loose.last_error : undefined;
  const said = str(failure?.message)?.trim();
  if (said) run.lastError = runErrorOf(str(failure?.code) ?? 'server_error', said);
  if (run.status === 'incomplete') run.incompleteReason = reasonWord(loose.incomplete_details?.reason) ?? 'unknown';
  const calls = list(loose.required_action?.submit_tool_outputs?.tool_calls);
  if (run.status === 'requires_action') {
    run.requiredAction = {
      toolCalls: calls.flatMap((call) => {
        const id = str(call?.id);
        return id ? [{ callId: id, name: str(call?.function?.name) ?? '', arguments: str(call?.function?.arguments) ?? '' }] : [];
      }),
    };
  }
  if (typeof loose.started_at === 'number') run.startedAt = loose.started_at;
  const endedAt = loose.completed_at ?? loose.failed_at ?? loose.cancelled_at;
  if (typeof endedAt === 'number') run.completedAt = endedAt;
  return run;
}

/** Token counts of a run or step; a count the server left out is 0. */
export function fromWireUsage(usage: Loose<{ prompt_tokens: number; completion_tokens: number; total_tokens: number }>): Usage {
  const prompt = num(usage?.prompt_tokens) ?? 0;
  const completion = num(usage?.completion_tokens) ?? 0;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: num(usage?.total_tokens) ?? prompt + completion };
}

/**
 * RunStepObject -> domain RunStep. A step whose details are missing (some servers fill them in by
 * deltas only) or of a kind this client does not know is a tool-call step with no calls yet.
 */
export function fromWireStep(wire: WireStep | Loose<WireStep>): RunStep {
  const loose = wire as Loose<WireStep>;
  const details = loose.step_details;
  const messageId = details?.type === 'message_creation' ? str(details.message_creation?.message_id) : undefined;
  const status = str(loose.status);
  const step: RunStep = {
    id: str(loose.id) ?? '',
    runId: str(loose.run_id) ?? '',
    status: status && STEP_STATUSES.has(status) ? (status as RunStep['status']) : 'in_progress',
    details:
      details?.type === 'message_creation' || (details == null && loose.type === 'message_creation')
        ? { type: 'message_creation', messageId: messageId ?? '' }
        : { type: 'tool_calls', toolCalls: present(fromWireToolCalls(details?.type === 'tool_calls' ? details.tool_calls : undefined)) },
    createdAt: num(loose.created_at) ?? 0,
  };
  const endedAt = loose.completed_at ?? loose.failed_at ?? loose.cancelled_at ?? loose.expired_at;
  if (typeof endedAt === 'number') step.completedAt = endedAt;
  return step;
}

/**
 * A step's tool calls by their wire position (deltas address them by `index`): a call this client
 * cannot show (an unknown tool, a null) keeps its place as `undefined`.
 */
export function fromWireToolCalls(calls: Loose<WireToolCall[]>): (ToolCall | undefined)[] {
  return Array.from(calls ?? [], (call) => fromWireToolCall(call));
}

/** One tool call; undefined for a kind this client does not know or a call with no kind. */
export function fromWireToolCall(call: WireToolCall | Loose<WireToolCall> | null | undefined): ToolCall | undefined {
  const loose = call as Loose<WireToolCall> | null | undefined;
  switch (loose?.type) {
    case 'function': {
      const mapped: ToolCall = { type: 'function', id: str(loose.id) ?? '', name: str(loose.function?.name) ?? '', arguments: str(loose.function?.arguments) ?? '' };
      if (typeof loose.function?.output === 'string') mapped.output = loose.function.output;
      return mapped;
    }
    case 'file_search': {
      const results = list(loose.file_search?.results);
      return {
        type: 'file_search',
        id: str(loose.id) ?? '',
        ...(Array.isArray(loose.file_search?.results)
          ? {
              results: results.flatMap((result) => {
                if (!result || typeof result !== 'object') return [];
                const text = list(result.content).map((part) => str(part?.text) ?? '').join('');
                return [
                  {
                    fileId: str(result.file_id) ?? '',
                    ...(str(result.file_name) ? { filename: result.file_name as string } : {}),
                    ...(typeof result.score === 'number' ? { score: result.score } : {}),
                    ...(text ? { text } : {}),
                  },
                ];
              }),
            }
          : {}),
      };
    }
    case 'code_interpreter':
      return {
        type: 'code_interpreter',
        id: str(loose.id) ?? '',
        input: str(loose.code_interpreter?.input) ?? '',
        outputs: present(Array.from(loose.code_interpreter?.outputs ?? [], fromWireCodeOutput)),
      };
    default:
      return undefined;
  }
}

/** A code-interpreter output (`logs` text or an `image` file), whole or as a delta; undefined when it names nothing to show. */
export function fromWireCodeOutput(output: Loose<{ type: 'logs'; logs?: string } | { type: 'image'; image?: { file_id?: string } }> | null | undefined): CodeInterpreterOutput | undefined {
  switch (output?.type) {
    case 'logs':
      return { type: 'logs', logs: str(output.logs) ?? '' };
    case 'image': {
      const fileId = str(output.image?.file_id);
      return fileId ? { type: 'image', fileId } : undefined;
    }
    default:
      return undefined;
  }
}

/** MessageObject -> domain Message. Refusals become text so the user sees why nothing came. */
export function fromWireMessage(wire: WireMessage | Loose<WireMessage>): Message {
  const loose = wire as Loose<WireMessage>;
  const status = str(loose.status);
  const message: Message = {
    id: str(loose.id) ?? '',
    role: loose.role === 'user' ? 'user' : 'assistant',
    content: present(fromWireContents(loose.content)),
    createdAt: num(loose.created_at) ?? 0,
    status: status && MESSAGE_STATUSES.has(status) ? (status as Message['status']) : 'completed',
  };
  if (str(loose.run_id)) message.runId = loose.run_id as string;
  const attachments = list(loose.attachments).flatMap(fromWireAttachment);
  if (attachments.length > 0) message.attachments = nameAttachments(attachments, message.content);
  return message;
}

/**
 * Gives attachments the names the message's own annotations say (a file the code interpreter wrote
 * is attached and linked as `sandbox:/mnt/data/<name>`); a wire attachment names only its file id.
 */
export function nameAttachments(attachments: Attachment[], content: readonly MessageContent[]): Attachment[] {
  const names = new Map<string, string>();
  for (const part of content) {
    if (part.type !== 'text') continue;
    for (const annotation of part.annotations) if (annotation.type !== 'url_citation' && annotation.filename) names.set(annotation.fileId, annotation.filename);
  }
  return attachments.map((attachment) => {
    const filename = attachment.filename ?? names.get(attachment.fileId);
    return filename ? { ...attachment, filename } : attachment;
  });
}

/** A message's content parts by wire position (deltas address them by `index`); a part it cannot show is `undefined`. */
export function fromWireContents(content: Loose<WireContent[]>): (MessageContent | undefined)[] {
  return Array.from(content ?? [], (part) => fromWireContent(part));
}

/**
 * One content part, whole or as a delta (text may then come without annotations, an image without
 * its id yet). Undefined for a part with nothing to show: an image with no file id or URL, a kind
 * this client does not know.
 */
export function fromWireContent(content: WireContent | Loose<WireContent> | Loose<WireContentDelta> | null | undefined): MessageContent | undefined {
  const loose = content as Loose<WireContent> | Loose<WireContentDelta> | null | undefined;
  switch (loose?.type) {
    case 'text':
      return { type: 'text', text: str(loose.text?.value) ?? '', annotations: present(list(loose.text?.annotations).map(fromWireAnnotation)) };
    case 'image_file': {
      const fileId = str(loose.image_file?.file_id);
      return fileId ? { type: 'image_file', fileId } : undefined;
    }
    case 'image_url': {
      const url = str(loose.image_url?.url);
      return url ? { type: 'image_url', url } : undefined;
    }
    case 'refusal':
      return { type: 'text', text: str(loose.refusal) ?? '', annotations: [] };
    default:
      return undefined;
  }
}

/**
 * A `file_citation` or `file_path` annotation, whole or as a delta (where every field but the kind
 * may be missing); undefined when it names no file or is of another kind.
 */
export function fromWireAnnotation(annotation: WireAnnotation | Loose<WireAnnotation> | Loose<WireAnnotationDelta> | null | undefined): Annotation | undefined {
  const loose = annotation as Loose<WireAnnotation> | Loose<WireAnnotationDelta> | null | undefined;
  if (!loose || typeof loose !== 'object') return undefined;
  const text = str(loose.text);
  const common = {
    ...(text ? { text } : {}),
    ...(num(loose.start_index) !== undefined ? { startIndex: loose.start_index as number } : {}),
    ...(num(loose.end_index) !== undefined ? { endIndex: loose.end_index as number } : {}),
  };
  const filename = text ? filenameIn(text) : undefined;
  const named = filename ? { filename } : {};
  if (loose.type === 'file_citation') {
    const fileId = str(loose.file_citation?.file_id);
    // The quoted text is in the deltas' FileCitation and in what some servers still send; kept when there.
    const { quote } = (loose.file_citation ?? {}) as { quote?: unknown };
    return fileId ? { type: 'file_citation', fileId, ...named, ...(typeof quote === 'string' && quote ? { quote } : {}), ...common } : undefined;
  }
  if (loose.type === 'file_path') {
    const fileId = str(loose.file_path?.file_id);
    return fileId ? { type: 'file_path', fileId, ...named, ...common } : undefined;
  }
  return undefined;
}

/**
 * The file name an annotation's text gives, if any: a file-search marker ends with it
 * (`【4:0†notes.md】`), a code-interpreter link is a path to it (`sandbox:/mnt/data/out.csv`).
 */
export function filenameIn(text: string): string | undefined {
  const cited = /†([^†【】\n]{1,255})】$/.exec(text)?.[1]?.trim();
  if (cited) return cited;
  const path = /^sandbox:(\/[^?#\n]*)$/.exec(text.trim())?.[1];
  const base = path?.slice(path.lastIndexOf('/') + 1);
  return base && base.length <= 255 ? base : undefined;
}

function fromWireAttachment(wire: Loose<WireMessage.Attachment> | null | undefined): Attachment[] {
  const fileId = str(wire?.file_id);
  if (!fileId) return [];
  const tools = list(wire?.tools).flatMap((tool): AttachmentTool[] => (tool?.type === 'file_search' || tool?.type === 'code_interpreter' ? [tool.type] : []));
  return [{ fileId, tools }];
}

/** The items of `list` that are there (drops the places kept for what could not be shown). */
export function present<T>(list: readonly (T | undefined)[]): T[] {
  return list.filter((item): item is T => item !== undefined);
}
