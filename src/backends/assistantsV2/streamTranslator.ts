import type { AssistantStreamEvent } from 'openai/resources/beta/assistants';
import type { Message as WireMessage, MessageDeltaEvent } from 'openai/resources/beta/threads/messages';
import type { RunStep as WireStep, RunStepDeltaEvent, ToolCallDelta } from 'openai/resources/beta/threads/runs/steps';
import type { Run as WireRun } from 'openai/resources/beta/threads/runs/runs';
import type { RunEvent } from '../../common/events';
import type { Annotation, CodeInterpreterOutput, Message, MessageContent, Run, RunStep, ToolCall } from '../../common/model';
import type { Loose } from './mapRun';
import { fromWireAnnotation, fromWireCodeOutput, fromWireContent, fromWireContents, fromWireMessage, fromWireRun, fromWireStep, fromWireToolCalls, list, nameAttachments, present, str } from './mapRun';

/**
 * How far past the parts already known a delta's `index` may point. A server that skips a place
 * (an image part it never streamed) is followed; an index of a billion is not made into an array.
 */
const MAX_INDEX_GAP = 64;

/** A message as streamed so far: its parts by wire index (a part it cannot show is `undefined`). */
interface MessageDraft {
  message: Message;
  parts: (MessageContent | undefined)[];
}

/** A tool-call step as streamed so far: its calls, and each code call's outputs, by wire index. */
interface StepDraft {
  step: RunStep;
  calls: (ToolCall | undefined)[];
  outputs: Map<number, (CodeInterpreterOutput | undefined)[]>;
}

/**
 * Turns Assistants v2 stream events into domain RunEvents. Keeps a draft of each step and message so
 * a delta can be reported as the whole updated step, or as text appended to a message part, which
 * is what the UI renders.
 *
 * Every event is read as it may really come from a server other than OpenAI's (see `Loose`): a
 * delta without its `type` or `index`, a step or message with parts missing or of kinds this client
 * does not know, a final message or step that carries less than was streamed. A delta that adds a
 * part, an image or a citation is reported as the whole message (`message.created` again): text
 * deltas append only to a text part the receiver already has.
 */
export class StreamTranslator {
  private readonly steps = new Map<string, StepDraft>();
  private readonly messages = new Map<string, MessageDraft>();
  private latestRun: Run | undefined;
  private usageReported = false;

  /** The run as last seen on the stream. */
  get run(): Run | undefined {
    return this.latestRun;
  }

  translate(event: AssistantStreamEvent): RunEvent[] {
    const data = (event as { data?: unknown }).data;
    if (!data || typeof data !== 'object') return [];
    switch (event.event) {
      case 'thread.run.created':
      case 'thread.run.queued':
      case 'thread.run.in_progress':
      case 'thread.run.requires_action':
      case 'thread.run.completed':
      case 'thread.run.incomplete':
      case 'thread.run.failed':
      case 'thread.run.cancelling':
      case 'thread.run.cancelled':
      case 'thread.run.expired':
        return this.onRun(fromWireRun(data as Loose<WireRun>));
      case 'thread.run.step.created':
        return [{ type: 'step.created', step: this.onStep(data as Loose<WireStep>) }];
      case 'thread.run.step.in_progress':
        return [{ type: 'step.updated', step: this.onStep(data as Loose<WireStep>) }];
      case 'thread.run.step.delta':
        return this.onStepDelta(data as Loose<RunStepDeltaEvent>);
      case 'thread.run.step.completed':
      case 'thread.run.step.failed':
      case 'thread.run.step.cancelled':
      case 'thread.run.step.expired':
        return [{ type: 'step.completed', step: this.onStep(data as Loose<WireStep>) }];
      case 'thread.message.created':
        return [{ type: 'message.created', message: this.onMessage(data as Loose<WireMessage>) }];
      case 'thread.message.delta':
        return this.onMessageDelta(data as Loose<MessageDeltaEvent>);
      case 'thread.message.completed':
      case 'thread.message.incomplete':
        return [{ type: 'message.completed', message: this.onMessage(data as Loose<WireMessage>) }];
      // thread.created never comes from runs on an existing thread; message.in_progress adds nothing.
      default:
        return [];
    }
  }

  private onRun(run: Run): RunEvent[] {
    this.latestRun = run;
    const events: RunEvent[] = [{ type: 'run.updated', run }];
    if (run.usage && !this.usageReported) {
      this.usageReported = true;
      events.push({ type: 'usage', usage: run.usage });
    }
    return events;
  }

  // Messages

  /**
   * A whole message from the server. One that carries less than was streamed (some servers send the
   * final message empty, or without its annotations, or announce it after its first delta) keeps
   * what was streamed.
   */
  private onMessage(wire: Loose<WireMessage>): Message {
    const mapped = fromWireMessage(wire);
    const parts = fromWireContents(wire.content);
    const draft = this.messages.get(mapped.id);
    const merged = draft ? keepStreamedParts(parts, draft.parts) : parts;
    const content = present(merged);
    const message: Message = { ...mapped, content, ...(mapped.attachments ? { attachments: nameAttachments(mapped.attachments, content) } : {}) };
    this.messages.set(message.id, { message, parts: merged });
    return message;
  }

  private onMessageDelta(delta: Loose<MessageDeltaEvent>): RunEvent[] {
    const id = str(delta.id);
    if (!id) return [];
    const events: RunEvent[] = [];
    let draft = this.messages.get(id);
    if (!draft) {
      // A delta for a message the server never announced creates it, so its text has somewhere to go.
      draft = this.announce(id);
      events.push({ type: 'message.created', message: draft.message });
    }
    const parts = draft.parts;
    // First what changes the message's shape (a new part, an image, a citation), then the text
    // appended: a new text part is announced empty and its text follows as a delta, as all text does.
    const appends: { index: number; text: string }[] = [];
    let reshaped = false;
    for (const part of list(delta.delta?.content)) {
      if (!part || typeof part !== 'object') continue;
      const kind = part.type ?? parts[part.index ?? -1]?.type;
      const index = indexOf(part.index, parts, kind === 'text' || kind === 'refusal');
      if (index === undefined) continue;
      const current = parts[index];
      if (kind === 'text' || kind === 'refusal') {
        const loose = part as Loose<{ text: { value: string; annotations: unknown[] }; refusal: string }>;
        const text = (kind === 'refusal' ? str(loose.refusal) : str(loose.text?.value)) ?? '';
        const annotations = present(list(loose.text?.annotations).map((a) => fromWireAnnotation(a as Parameters<typeof fromWireAnnotation>[0])));
        if (current?.type !== 'text') {
          parts[index] = { type: 'text', text: '', annotations };
          reshaped = true;
        } else if (annotations.length) {
          parts[index] = { ...current, annotations: mergeAnnotations(current.annotations, annotations) };
          reshaped = true;
        }
        if (text) appends.push({ index, text });
        continue;
      }
      const image = fromWireContent(part);
      if (image && JSON.stringify(image) !== JSON.stringify(current)) {
        parts[index] = image;
        reshaped = true;
      }
    }
    if (reshaped) {
      draft.message = { ...draft.message, content: present(parts) };
      events.push({ type: 'message.created', message: draft.message });
    }
    for (const { index, text } of appends) {
      const part = parts[index];
      if (part?.type !== 'text') continue;
      parts[index] = { ...part, text: part.text + text };
      events.push({ type: 'message.delta', messageId: id, index: present(parts.slice(0, index)).length, text });
    }
    if (appends.length) draft.message = { ...draft.message, content: present(parts) };
    return events;
  }

  private announce(messageId: string): MessageDraft {
    const run = this.latestRun;
    const message: Message = {
      id: messageId,
      role: 'assistant',
      content: [],
      createdAt: run?.createdAt ?? Math.floor(Date.now() / 1000),
      status: 'in_progress',
      ...(run ? { runId: run.id } : {}),
    };
    const draft = { message, parts: [] };
    this.messages.set(messageId, draft);
    return draft;
  }

  // Steps

  /** A whole step from the server; one that lists fewer calls or outputs than were streamed keeps those. */
  private onStep(wire: Loose<WireStep>): RunStep {
    const mapped = fromWireStep(wire);
    if (!mapped.runId && this.latestRun) mapped.runId = this.latestRun.id;
    const previous = this.steps.get(mapped.id);
    if (mapped.details.type !== 'tool_calls') {
      this.steps.set(mapped.id, { step: mapped, calls: [], outputs: new Map() });
      return mapped;
    }
    const details = wire.step_details;
    const calls = fromWireToolCalls(details?.type === 'tool_calls' ? details.tool_calls : undefined);
    const merged = previous ? keepStreamedCalls(calls, previous.calls) : calls;
    const outputs = new Map<number, (CodeInterpreterOutput | undefined)[]>();
    merged.forEach((call, index) => {
      if (call?.type === 'code_interpreter') outputs.set(index, [...call.outputs]);
    });
    const step: RunStep = { ...mapped, details: { type: 'tool_calls', toolCalls: present(merged) } };
    this.steps.set(step.id, { step, calls: merged, outputs });
    return step;
  }

  private onStepDelta(delta: Loose<RunStepDeltaEvent>): RunEvent[] {
    const id = str(delta.id);
    const details = delta.delta?.step_details;
    if (!id || !details || (details.type !== undefined && details.type !== null && details.type !== 'tool_calls')) return [];
    const toolCalls = (details as { tool_calls?: Loose<ToolCallDelta[]> }).tool_calls;
    const events: RunEvent[] = [];
    let draft = this.steps.get(id);
    if (!draft || draft.step.details.type !== 'tool_calls') {
      // A delta for a step the server never announced creates it.
      const step: RunStep = { id, runId: this.latestRun?.id ?? '', status: 'in_progress', details: { type: 'tool_calls', toolCalls: [] }, createdAt: Math.floor(Date.now() / 1000) };
      draft = { step, calls: [], outputs: new Map() };
      this.steps.set(id, draft);
      events.push({ type: 'step.created', step });
    }
    for (const callDelta of list(toolCalls)) {
      if (!callDelta || typeof callDelta !== 'object') continue;
      const index = callIndex(callDelta, draft.calls);
      if (index === undefined) continue;
      draft.calls[index] = applyToolCallDelta(draft.calls[index], callDelta, draft.outputs, index);
    }
    draft.step = { ...draft.step, details: { type: 'tool_calls', toolCalls: present(draft.calls) } };
    return [...events, { type: 'step.updated', step: draft.step }];
  }
}

/** The wire index a delta part goes to: its own when sane, else the last text part (for text) or a new one. */
function indexOf(index: number | null | undefined, parts: readonly unknown[], text: boolean): number | undefined {
  if (typeof index === 'number') return Number.isInteger(index) && index >= 0 && index <= parts.length + MAX_INDEX_GAP ? index : undefined;
  if (text && parts.length > 0 && (parts[parts.length - 1] as { type?: string } | undefined)?.type === 'text') return parts.length - 1;
  return parts.length;
}

/** The wire index of a tool-call delta: its `index`, else the call with its id, else a new call. */
function callIndex(delta: Loose<ToolCallDelta>, calls: readonly (ToolCall | undefined)[]): number | undefined {
  if (typeof delta.index === 'number') return indexOf(delta.index, calls, false);
  const id = str(delta.id);
  const byId = id ? calls.findIndex((call) => call?.id === id) : -1;
  return byId >= 0 ? byId : calls.length;
}

/** Annotations `added` by a delta after those already had, the same citation once. */
function mergeAnnotations(had: readonly Annotation[], added: readonly Annotation[]): Annotation[] {
  const seen = new Set(had.map((a) => JSON.stringify(a)));
  return [...had, ...added.filter((a) => !seen.has(JSON.stringify(a)))];
}

/** The final parts, where each keeps the streamed one when the final one is missing or holds less. */
function keepStreamedParts(final: readonly (MessageContent | undefined)[], streamed: readonly (MessageContent | undefined)[]): (MessageContent | undefined)[] {
  const merged: (MessageContent | undefined)[] = [];
  for (let index = 0; index < Math.max(final.length, streamed.length); index++) {
    const [last, seen] = [final[index], streamed[index]];
    if (last?.type === 'text' && seen?.type === 'text') {
      merged.push({ type: 'text', text: last.text.length < seen.text.length ? seen.text : last.text, annotations: last.annotations.length ? last.annotations : seen.annotations });
    } else {
      merged.push(last ?? seen);
    }
  }
  return merged;
}

/** The final calls, where each keeps the streamed one when the final one is missing or holds less. */
function keepStreamedCalls(final: readonly (ToolCall | undefined)[], streamed: readonly (ToolCall | undefined)[]): (ToolCall | undefined)[] {
  const merged: (ToolCall | undefined)[] = [];
  for (let index = 0; index < Math.max(final.length, streamed.length); index++) {
    const [last, seen] = [final[index], streamed[index]];
    if (last?.type === 'code_interpreter' && seen?.type === 'code_interpreter') {
      merged.push({
        ...last,
        id: last.id || seen.id,
        input: last.input.length < seen.input.length ? seen.input : last.input,
        outputs: last.outputs.length < seen.outputs.length ? seen.outputs : last.outputs,
      });
    } else if (last?.type === 'function' && seen?.type === 'function') {
      const output = last.output ?? seen.output;
      merged.push({ ...last, id: last.id || seen.id, name: last.name || seen.name, arguments: last.arguments.length < seen.arguments.length ? seen.arguments : last.arguments, ...(output !== undefined ? { output } : {}) });
    } else {
      merged.push(last ?? seen);
    }
  }
  return merged;
}

/**
 * Deltas append text (arguments, code input) and set outputs by their index; ids and names arrive
 * once. A delta without a `type` continues the call already at its index; one of a kind this
 * client does not know leaves the call as it was.
 */
function applyToolCallDelta(current: ToolCall | undefined, delta: Loose<ToolCallDelta>, outputsByCall: Map<number, (CodeInterpreterOutput | undefined)[]>, index: number): ToolCall | undefined {
  switch (delta.type ?? current?.type) {
    case 'function': {
      const fn = (delta as Loose<Extract<ToolCallDelta, { type: 'function' }>>).function;
      const base = current?.type === 'function' ? current : { type: 'function' as const, id: '', name: '', arguments: '' };
      const next: ToolCall = { ...base, id: str(delta.id) || base.id, name: str(fn?.name) || base.name, arguments: base.arguments + (str(fn?.arguments) ?? '') };
      if (typeof fn?.output === 'string') next.output = fn.output;
      return next;
    }
    case 'code_interpreter': {
      const code = (delta as Loose<Extract<ToolCallDelta, { type: 'code_interpreter' }>>).code_interpreter;
      const base = current?.type === 'code_interpreter' ? current : { type: 'code_interpreter' as const, id: '', input: '', outputs: [] };
      const outputs = outputsByCall.get(index) ?? [...base.outputs];
      for (const output of list(code?.outputs)) {
        if (!output || typeof output !== 'object') continue;
        const at = indexOf(output.index, outputs, false);
        const previous = at === undefined ? undefined : outputs[at];
        const mapped = fromWireCodeOutput({ ...output, type: output.type ?? previous?.type } as Parameters<typeof fromWireCodeOutput>[0]);
        if (at !== undefined && mapped) outputs[at] = mapped;
      }
      outputsByCall.set(index, outputs);
      return { ...base, id: str(delta.id) || base.id, input: base.input + (str(code?.input) ?? ''), outputs: present(outputs) };
    }
    case 'file_search': {
      const base = current?.type === 'file_search' ? current : { type: 'file_search' as const, id: '' };
      return { ...base, id: str(delta.id) || base.id };
    }
    default:
      return current;
  }
}
