import type { Response, ResponseOutputItem, ResponseOutputMessage } from 'openai/resources/responses/responses';
import { reasonWord } from '../common/reasons';

/**
 * A response, output item or content part as the mapping reads it, from whatever a server sent:
 * each field the mapping reads is of its type or left out. A server other than OpenAI's (or a
 * proxy) may leave a field out, send `null`, a number for a string, an object for a list, holes in
 * a list, or an item of a kind the SDK does not know; the SDK's types promise none of that, so
 * every wire object passes through here before it is read.
 */
type Wire = Record<string, unknown>;

function isObject(value: unknown): value is Wire {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string sent, else `fallback`. */
function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** The string sent, else null (fields the API sends as `string | null`). */
function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The finite number sent, else `fallback`. */
function count(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** The objects of a list (holes and anything else dropped); no list at all is an empty one. */
function objects(value: unknown): Wire[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** The strings of a list. */
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * A response whose fields the mapping reads are of their types: `output` a list of well-formed
 * items in their places (see `wellFormedItem`; where an item is none, a hole), `error` with a message or null,
 * `incomplete_details` with a string reason or null, `usage` counts as numbers, and the id, status,
 * model and times as sent when of their type.
 */
export function wellFormedResponse(raw: unknown): Response {
  const wire = isObject(raw) ? raw : {};
  // Each item keeps its place (a stream's events name items by it); what is no item leaves a hole.
  const output = (Array.isArray(wire.output) ? wire.output.map((item) => wellFormedItem(item)) : []) as ResponseOutputItem[];
  const error = isObject(wire.error) && typeof wire.error.message === 'string' && wire.error.message.trim() !== '' ? { code: text(wire.error.code, 'server_error'), message: wire.error.message } : null;
  const reason = isObject(wire.incomplete_details) ? reasonWord(wire.incomplete_details.reason) : undefined;
  const usage = isObject(wire.usage) ? wellFormedUsage(wire.usage) : undefined;
  const conversation = isObject(wire.conversation) && typeof wire.conversation.id === 'string' ? { id: wire.conversation.id } : undefined;
  const metadata = isObject(wire.metadata) ? Object.fromEntries(Object.entries(wire.metadata).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) : {};
  return {
    ...wire,
    id: text(wire.id),
    status: text(wire.status, 'in_progress'),
    model: text(wire.model),
    created_at: count(wire.created_at),
    output,
    error,
    incomplete_details: reason ? { reason } : null,
    usage,
    conversation,
    metadata,
  } as Response;
}

function wellFormedUsage(usage: Wire): NonNullable<Response['usage']> {
  const input = count(usage.input_tokens);
  const output = count(usage.output_tokens);
  const cached = isObject(usage.input_tokens_details) ? usage.input_tokens_details.cached_tokens : undefined;
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: count(usage.total_tokens, input + output),
    input_tokens_details: { cached_tokens: count(cached) },
    output_tokens_details: { reasoning_tokens: 0 },
  } as NonNullable<Response['usage']>;
}

/**
 * An output item with every field the mapping reads of its type; undefined for what is no item (not
 * an object, no `type`) and for a function call without a `call_id` (no output could answer it).
 * A message's parts are well-formed parts (see `wellFormedPart`). Items of kinds the mapping does
 * not show keep only their `type` and `id`.
 */
export function wellFormedItem(raw: unknown): ResponseOutputItem | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  const base = { ...raw, id: text(raw.id), ...(typeof raw.status === 'string' ? {} : { status: undefined }) };
  switch (raw.type) {
    case 'message':
      return { ...base, role: 'assistant', content: objects(raw.content).flatMap((part) => wellFormedPart(part) ?? []) } as unknown as ResponseOutputItem;
    case 'function_call':
      if (typeof raw.call_id !== 'string' || raw.call_id === '') return undefined;
      return { ...base, call_id: raw.call_id, name: text(raw.name), arguments: text(raw.arguments) } as unknown as ResponseOutputItem;
    case 'file_search_call':
      return {
        ...base,
        queries: strings(raw.queries),
        results: Array.isArray(raw.results) ? objects(raw.results).map((r) => ({ ...r, file_id: text(r.file_id), filename: text(r.filename), score: count(r.score), text: text(r.text) })) : null,
      } as unknown as ResponseOutputItem;
    case 'code_interpreter_call':
      return {
        ...base,
        code: textOrNull(raw.code),
        container_id: text(raw.container_id),
        outputs: objects(raw.outputs).flatMap((o): object[] => (o.type === 'logs' && typeof o.logs === 'string' ? [{ type: 'logs', logs: o.logs }] : o.type === 'image' && typeof o.url === 'string' && o.url !== '' ? [{ type: 'image', url: o.url }] : [])),
      } as unknown as ResponseOutputItem;
    case 'reasoning':
      return { ...base, summary: objects(raw.summary).map((part) => ({ type: 'summary_text', text: text(part.text) })) } as unknown as ResponseOutputItem;
    case 'mcp_list_tools':
      return { ...base, server_label: text(raw.server_label), tools: objects(raw.tools).filter((t) => typeof t.name === 'string').map((t) => ({ ...t, description: textOrNull(t.description) })), error: textOrNull(raw.error) } as unknown as ResponseOutputItem;
    case 'mcp_call':
      return { ...base, server_label: text(raw.server_label), name: text(raw.name), arguments: text(raw.arguments), output: textOrNull(raw.output), error: raw.error === undefined || raw.error === null ? null : raw.error, approval_request_id: textOrNull(raw.approval_request_id) } as unknown as ResponseOutputItem;
    case 'mcp_approval_request':
      return { ...base, server_label: text(raw.server_label), name: text(raw.name), arguments: text(raw.arguments) } as unknown as ResponseOutputItem;
    default:
      return { type: raw.type, id: base.id } as unknown as unknown as ResponseOutputItem;
  }
}

type Part = ResponseOutputMessage['content'][number];

/**
 * A message part the mapping shows: output text (its `text` a string, its annotations the objects
 * of a known kind with the fields read of their types) or a refusal; undefined for anything else.
 */
export function wellFormedPart(raw: unknown): Part | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.type === 'output_text') return { ...raw, type: 'output_text', text: text(raw.text), annotations: objects(raw.annotations).flatMap((a) => wellFormedAnnotation(a) ?? []) } as Part;
  if (raw.type === 'refusal') return { type: 'refusal', refusal: text(raw.refusal) };
  return undefined;
}

type OutputAnnotation = Extract<Part, { type: 'output_text' }>['annotations'][number];

/** A citation of a kind the chat shows, naming what it cites; undefined for anything else. */
export function wellFormedAnnotation(raw: unknown): OutputAnnotation | undefined {
  if (!isObject(raw)) return undefined;
  const at = { index: count(raw.index), start_index: count(raw.start_index), end_index: count(raw.end_index) };
  switch (raw.type) {
    case 'file_citation':
      return typeof raw.file_id === 'string' ? { type: 'file_citation', file_id: raw.file_id, filename: text(raw.filename), index: at.index } : undefined;
    case 'container_file_citation':
      return typeof raw.file_id === 'string' ? { type: 'container_file_citation', file_id: raw.file_id, container_id: text(raw.container_id), filename: text(raw.filename), start_index: at.start_index, end_index: at.end_index } : undefined;
    case 'url_citation':
      return typeof raw.url === 'string' ? { type: 'url_citation', url: raw.url, title: text(raw.title), start_index: at.start_index, end_index: at.end_index } : undefined;
    case 'file_path':
      return typeof raw.file_id === 'string' ? { type: 'file_path', file_id: raw.file_id, index: at.index } : undefined;
    default:
      return undefined;
  }
}
