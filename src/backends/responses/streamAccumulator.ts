import type { Response, ResponseOutputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { APIError } from 'openai';
import { withAnnotations, withContent, withOutput } from './mapping';
import { wellFormedAnnotation } from './wellFormed';

/** The status each progress event of a tool call announces. */
const CODE_STATUS = {
  'response.code_interpreter_call.in_progress': 'in_progress',
  'response.code_interpreter_call.interpreting': 'interpreting',
  'response.code_interpreter_call.completed': 'completed',
} as const;
const SEARCH_STATUS = {
  'response.file_search_call.in_progress': 'in_progress',
  'response.file_search_call.searching': 'searching',
  'response.file_search_call.completed': 'completed',
} as const;

/**
 * The response's items as its stream events leave them, so each item maps to its step and message
 * by the same code as a polled one (`toStep`, `toMessage`): a step event carries the whole step, so
 * an item's arguments, code or summary so far must be held. The backend maps each event that changes
 * an item to that item's run events alone; only the events of the response itself (created, in
 * progress, its end) are compared with the whole run. Events the extension does not show (audio,
 * web search, MCP progress, ...) change nothing here; the response's own events bring their items.
 */
export class ResponseAccumulator {
  private response: Response | undefined;

  /** Applies one event; returns the response as it stands, or undefined before `response.created`. */
  apply(event: ResponseStreamEvent): Response | undefined {
    switch (event.type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
      case 'response.completed':
      case 'response.failed':
      case 'response.incomplete':
        this.response = settle(this.response, withOutput(structuredClone(event.response)));
        break;
      case 'response.output_item.added':
      case 'response.output_item.done':
      {
        const item = withContent(structuredClone(event.item));
        if (item && isPlace(event.output_index, this.response?.output ?? [])) this.setItem(event.output_index, keepText(this.item(event.output_index), item));
        break;
      }
      case 'response.content_part.added':
      case 'response.content_part.done': {
        const item = this.item(event.output_index);
        const part = withAnnotations(structuredClone(event.part));
        if (item?.type === 'message' && part && isPlace(event.content_index, item.content)) {
          item.content[event.content_index] = keepPartText(item.content[event.content_index], part) ?? part;
        }
        break;
      }
      case 'response.output_text.delta': {
        const part = this.textPart(event.output_index, event.content_index, event.item_id);
        if (part && typeof event.delta === 'string') {
          part.text += event.delta;
        }
        break;
      }
      case 'response.output_text.done': {
        const part = this.textPart(event.output_index, event.content_index, event.item_id);
        // A done that carries less than was streamed (some servers send it empty) never erases text.
        if (part && typeof event.text === 'string' && event.text.length >= part.text.length) {
          part.text = event.text;
        }
        break;
      }
      case 'response.output_text.annotation.added': {
        const part = this.textPart(event.output_index, event.content_index, event.item_id);
        const annotation = wellFormedAnnotation(event.annotation);
        if (part && annotation && isPlace(event.annotation_index, part.annotations)) {
          part.annotations[event.annotation_index] = annotation;
        }
        break;
      }
      case 'response.function_call_arguments.delta': {
        const item = this.item(event.output_index);
        if (item?.type === 'function_call' && typeof event.delta === 'string') {
          item.arguments += event.delta;
        }
        break;
      }
      case 'response.function_call_arguments.done': {
        const item = this.item(event.output_index);
        if (item?.type === 'function_call' && typeof event.arguments === 'string' && event.arguments.length >= item.arguments.length) {
          item.arguments = event.arguments;
        }
        break;
      }
      case 'response.code_interpreter_call_code.delta':
      case 'response.code_interpreter_call_code.done': {
        const item = this.item(event.output_index);
        const piece: unknown = event.type === 'response.code_interpreter_call_code.done' ? event.code : event.delta;
        if (item?.type === 'code_interpreter_call' && typeof piece === 'string') {
          item.code = event.type === 'response.code_interpreter_call_code.done' ? piece : (item.code ?? '') + piece;
        }
        break;
      }
      case 'response.code_interpreter_call.in_progress':
      case 'response.code_interpreter_call.interpreting':
      case 'response.code_interpreter_call.completed': {
        const item = this.item(event.output_index);
        if (item?.type === 'code_interpreter_call') {
          item.status = CODE_STATUS[event.type];
        }
        break;
      }
      case 'response.file_search_call.in_progress':
      case 'response.file_search_call.searching':
      case 'response.file_search_call.completed': {
        const item = this.item(event.output_index);
        if (item?.type === 'file_search_call') {
          item.status = SEARCH_STATUS[event.type];
        }
        break;
      }
      case 'response.reasoning_summary_part.added':
      case 'response.reasoning_summary_part.done': {
        const item = this.item(event.output_index);
        const said: unknown = (event.part as { text?: unknown } | null | undefined)?.text;
        if (item?.type === 'reasoning' && isPlace(event.summary_index, item.summary)) {
          item.summary[event.summary_index] = { type: 'summary_text', text: typeof said === 'string' ? said : '' };
        }
        break;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_summary_text.done': {
        const item = this.item(event.output_index);
        const part = item?.type === 'reasoning' && isPlace(event.summary_index, item.summary) ? item.summary[event.summary_index] : undefined;
        const piece: unknown = event.type === 'response.reasoning_summary_text.done' ? event.text : event.delta;
        if (part && typeof piece === 'string') {
          part.text = event.type === 'response.reasoning_summary_text.done' ? piece : part.text + piece;
        }
        break;
      }
      case 'error':
        // Raised as the SDK raises an `event: error` frame, so both are classified by their code in one place.
        throw new APIError(undefined, { code: event.code, message: typeof event.message === 'string' ? event.message : undefined, param: event.param, type: 'error' }, undefined, undefined);
      default:
        break;
    }
    return this.response;
  }

  private item(index: unknown): ResponseOutputItem | undefined {
    return this.response && isPlace(index, this.response.output) ? this.response.output[index] : undefined;
  }

  private setItem(index: number, item: ResponseOutputItem): void {
    if (this.response) {
      this.response.output[index] = item;
    }
  }

  /**
   * The text part a delta or done event names. Servers may skip `output_item.added` or
   * `content_part.added`: the event then creates the message and the part it needs.
   */
  private textPart(outputIndex: number, contentIndex: number, itemId: string): { text: string; annotations: unknown[] } | undefined {
    if (!this.response || !isPlace(outputIndex, this.response.output)) return undefined;
    let item = this.item(outputIndex);
    if (!item) {
      item = { type: 'message', id: typeof itemId === 'string' ? itemId : '', role: 'assistant', status: 'in_progress', content: [] };
      this.setItem(outputIndex, item);
    }
    if (item.type !== 'message' || !isPlace(contentIndex, item.content)) return undefined;
    const part = (item.content[contentIndex] ??= { type: 'output_text', text: '', annotations: [] });
    return part.type === 'output_text' ? part : undefined;
  }
}

type OutputMessage = Extract<ResponseOutputItem, { type: 'message' }>;

/** A later copy of an item keeps text the earlier one streamed when it carries less (an empty `content`). */
function keepText(before: ResponseOutputItem | undefined, after: ResponseOutputItem): ResponseOutputItem {
  if (before?.type === 'message' && after.type === 'message') {
    const length = Math.max(before.content.length, after.content.length);
    const content: OutputMessage['content'] = [];
    for (let index = 0; index < length; index++) {
      const part = keepPartText(before.content[index], after.content[index]);
      if (part) content.push(part);
    }
    return { ...after, id: after.id || before.id, content };
  }
  if (before?.type === 'function_call' && after.type === 'function_call' && after.arguments.length < before.arguments.length) {
    return { ...after, arguments: before.arguments };
  }
  return after;
}

function keepPartText(before: OutputMessage['content'][number] | undefined, after: OutputMessage['content'][number] | undefined): OutputMessage['content'][number] | undefined {
  if (!after) return before;
  if (before?.type === 'output_text' && after.type === 'output_text' && after.text.length < before.text.length) {
    return { ...after, text: before.text, annotations: after.annotations.length ? after.annotations : before.annotations };
  }
  return after;
}

/**
 * The final response replaces the streamed one, except where it carries less: items it leaves out
 * (some servers send `output: []`) and text it shortens are kept from the stream. Items still open
 * then end with the response.
 */
function settle(streamed: Response | undefined, final: Response): Response {
  if (!streamed) return final;
  const length = Math.max(streamed.output.length, final.output.length);
  const output: ResponseOutputItem[] = [];
  for (let index = 0; index < length; index++) {
    const before = streamed.output[index];
    const after = final.output[index];
    const item = after ? keepText(before, after) : before;
    if (item) output.push(item);
  }
  const ended = final.status === 'completed' ? 'completed' : 'incomplete';
  for (const item of output) {
    if (item.type === 'message' && item.status === 'in_progress') item.status = ended;
  }
  return { ...final, output };
}

/** How far past the items (or parts) held an event may name a place: a server skips a few, never thousands. */
const MAX_PLACE_GAP = 16;

/**
 * Whether `index` names a place of `list` an event may fill: a whole number from 0 to a few past
 * its end. A server's `output_index` of a billion would otherwise make a list of a billion places.
 */
function isPlace(index: unknown, list: readonly unknown[]): index is number {
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 && index <= list.length + MAX_PLACE_GAP;
}
