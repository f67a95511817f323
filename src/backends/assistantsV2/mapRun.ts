import type { Message as WireMessage, MessageContent as WireContent, Annotation as WireAnnotation } from 'openai/resources/beta/threads/messages';
import type { MessageContentDelta as WireContentDelta, AnnotationDelta as WireAnnotationDelta } from 'openai/resources/beta/threads/messages';
import type { Run as WireRun } from 'openai/resources/beta/threads/runs/runs';
import type { RunStep as WireStep, ToolCall as WireToolCall } from 'openai/resources/beta/threads/runs/steps';
import type {
  Annotation,
  Attachment,
  AttachmentTool,
  CodeInterpreterOutput,
  Message,
  MessageContent,
  Run,
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

/** RunObject -> domain Run. */
export function fromWireRun(wire: WireRun | Loose<WireRun>): Run {
  const loose = wire as Loose<WireRun>;
  const run: Run = {
    id: loose.id ?? '',
    threadId: loose.thread_id ?? '',
    assistantId: loose.assistant_id ?? '',
    status: loose.status ?? 'queued',
    createdAt: loose.created_at ?? 0,
  };
  if (loose.model) run.model = loose.model;
  if (loose.instructions) run.instructions = loose.instructions;
  if (loose.usage) run.usage = fromWireUsage(loose.usage);
  if (loose.last_error) run.lastError = { code: loose.last_error.code ?? 'server_error', message: loose.last_error.message ?? '' };
  if (loose.status === 'incomplete') run.incompleteReason = loose.incomplete_details?.reason ?? 'unknown';
  const calls = loose.required_action?.submit_tool_outputs?.tool_calls;
  if (loose.status === 'requires_action' && calls) {
    run.requiredAction = {
      toolCalls: calls.flatMap((call) => (call?.id ? [{ callId: call.id, name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' }] : [])),
    };
  }
  if (typeof loose.started_at === 'number') run.startedAt = loose.started_at;
  const endedAt = loose.completed_at ?? loose.failed_at ?? loose.cancelled_at;
  if (typeof endedAt === 'number') run.completedAt = endedAt;
  return run;
}

/** Token counts of a run or step; a count the server left out is 0. */
export function fromWireUsage(usage: Loose<{ prompt_tokens: number; completion_tokens: number; total_tokens: number }>): Usage {
  const prompt = usage?.prompt_tokens ?? 0;
  const completion = usage?.completion_tokens ?? 0;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: usage?.total_tokens ?? prompt + completion };
}

/**
 * RunStepObject -> domain RunStep. A step whose details are missing (some servers fill them in by
 * deltas only) or of a kind this client does not know is a tool-call step with no calls yet.
 */
export function fromWireStep(wire: WireStep | Loose<WireStep>): RunStep {
  const loose = wire as Loose<WireStep>;
  const details = loose.step_details;
  const messageId = details?.type === 'message_creation' ? details.message_creation?.message_id : undefined;
  const step: RunStep = {
    id: loose.id ?? '',
    runId: loose.run_id ?? '',
    status: loose.status ?? 'in_progress',
    details:
      details?.type === 'message_creation' || (details == null && loose.type === 'message_creation')
        ? { type: 'message_creation', messageId: messageId ?? '' }
        : { type: 'tool_calls', toolCalls: present(fromWireToolCalls(details?.type === 'tool_calls' ? details.tool_calls : undefined)) },
    createdAt: loose.created_at ?? 0,
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
      const mapped: ToolCall = { type: 'function', id: loose.id ?? '', name: loose.function?.name ?? '', arguments: loose.function?.arguments ?? '' };
      if (typeof loose.function?.output === 'string') mapped.output = loose.function.output;
      return mapped;
    }
    case 'file_search': {
      const results = loose.file_search?.results;
      return {
        type: 'file_search',
        id: loose.id ?? '',
        ...(results
          ? {
              results: results.flatMap((result) => {
                if (!result) return [];
                const text = (result.content ?? []).map((part) => part?.text ?? '').join('');
                return [
                  {
                    fileId: result.file_id ?? '',
                    ...(result.file_name ? { filename: result.file_name } : {}),
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
        id: loose.id ?? '',
        input: loose.code_interpreter?.input ?? '',
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
      return { type: 'logs', logs: output.logs ?? '' };
    case 'image':
      return output.image?.file_id ? { type: 'image', fileId: output.image.file_id } : undefined;
    default:
      return undefined;
  }
}

/** MessageObject -> domain Message. Refusals become text so the user sees why nothing came. */
export function fromWireMessage(wire: WireMessage | Loose<WireMessage>): Message {
  const loose = wire as Loose<WireMessage>;
  const message: Message = {
    id: loose.id ?? '',
    role: loose.role === 'user' ? 'user' : 'assistant',
    content: present(fromWireContents(loose.content)),
    createdAt: loose.created_at ?? 0,
    status: loose.status ?? 'completed',
  };
  if (loose.run_id) message.runId = loose.run_id;
  const attachments = (loose.attachments ?? []).flatMap(fromWireAttachment);
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
      return { type: 'text', text: loose.text?.value ?? '', annotations: present(Array.from(loose.text?.annotations ?? [], fromWireAnnotation)) };
    case 'image_file':
      return loose.image_file?.file_id ? { type: 'image_file', fileId: loose.image_file.file_id } : undefined;
    case 'image_url':
      return loose.image_url?.url ? { type: 'image_url', url: loose.image_url.url } : undefined;
    case 'refusal':
      return { type: 'text', text: loose.refusal ?? '', annotations: [] };
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
  if (!loose) return undefined;
  const common = {
    ...(loose.text ? { text: loose.text } : {}),
    ...(typeof loose.start_index === 'number' ? { startIndex: loose.start_index } : {}),
    ...(typeof loose.end_index === 'number' ? { endIndex: loose.end_index } : {}),
  };
  const filename = loose.text ? filenameIn(loose.text) : undefined;
  const named = filename ? { filename } : {};
  if (loose.type === 'file_citation') {
    const fileId = loose.file_citation?.file_id;
    // The quoted text is in the deltas' FileCitation and in what some servers still send; kept when there.
    const { quote } = (loose.file_citation ?? {}) as { quote?: unknown };
    return fileId ? { type: 'file_citation', fileId, ...named, ...(typeof quote === 'string' && quote ? { quote } : {}), ...common } : undefined;
  }
  if (loose.type === 'file_path') {
    const fileId = loose.file_path?.file_id;
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
  if (!wire?.file_id) return [];
  const tools = (wire.tools ?? []).flatMap((tool): AttachmentTool[] => (tool?.type === 'file_search' || tool?.type === 'code_interpreter' ? [tool.type] : []));
  return [{ fileId: wire.file_id, tools }];
}

/** The items of `list` that are there (drops the places kept for what could not be shown). */
export function present<T>(list: readonly (T | undefined)[]): T[] {
  return list.filter((item): item is T => item !== undefined);
}
