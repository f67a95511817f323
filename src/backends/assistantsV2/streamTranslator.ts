import type { AssistantStreamEvent } from 'openai/resources/beta/assistants';
import type { MessageDeltaEvent } from 'openai/resources/beta/threads/messages';
import type { RunStepDeltaEvent, ToolCallDelta } from 'openai/resources/beta/threads/runs/steps';
import type { RunEvent } from '../../core/events';
import type { Message, Run, RunStep, ToolCall } from '../../core/model';
import { fromWireMessage, fromWireRun, fromWireStep } from './mapRun';

/**
 * Turns Assistants v2 stream events into domain RunEvents. Keeps a snapshot of each step so a
 * `thread.run.step.delta` can be reported as the whole updated step, which is what the UI renders.
 */
export class StreamTranslator {
  private readonly steps = new Map<string, RunStep>();
  /** Messages the stream has announced. */
  private readonly messages = new Set<string>();
  /** Text streamed per message and content index. */
  private readonly texts = new Map<string, string[]>();
  private latestRun: Run | undefined;
  private usageReported = false;

  /** The run as last seen on the stream. */
  get run(): Run | undefined {
    return this.latestRun;
  }

  translate(event: AssistantStreamEvent): RunEvent[] {
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
        return this.onRun(fromWireRun(event.data));
      case 'thread.run.step.created': {
        const step = this.remember(fromWireStep(event.data));
        return [{ type: 'step.created', step }];
      }
      case 'thread.run.step.in_progress':
        return [{ type: 'step.updated', step: this.remember(fromWireStep(event.data)) }];
      case 'thread.run.step.delta':
        return this.onStepDelta(event.data);
      case 'thread.run.step.completed':
      case 'thread.run.step.failed':
      case 'thread.run.step.cancelled':
      case 'thread.run.step.expired':
        return [{ type: 'step.completed', step: this.remember(fromWireStep(event.data)) }];
      case 'thread.message.created':
        this.messages.add(event.data.id);
        return [{ type: 'message.created', message: fromWireMessage(event.data) }];
      case 'thread.message.delta': {
        const deltas = messageDeltas(event.data);
        const streamed = this.streamedText(event.data.id);
        for (const delta of deltas) if (delta.type === 'message.delta') streamed[delta.index] = (streamed[delta.index] ?? '') + delta.text;
        return [...this.announce(event.data.id), ...deltas];
      }
      case 'thread.message.completed':
      case 'thread.message.incomplete':
        this.messages.add(event.data.id);
        // Some servers leave `content` out of the final message: what was streamed is the content.
        return [{ type: 'message.completed', message: this.keepStreamed(fromWireMessage({ ...event.data, content: event.data.content ?? [] })) }];
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

  private streamedText(messageId: string): string[] {
    let texts = this.texts.get(messageId);
    if (!texts) this.texts.set(messageId, (texts = []));
    return texts;
  }

  /** A final message that carries less text than was streamed (some servers send it empty) keeps the streamed text. */
  private keepStreamed(message: Message): Message {
    const streamed = this.texts.get(message.id) ?? [];
    const content = [...message.content];
    streamed.forEach((text, index) => {
      const part = content[index];
      if (part === undefined || (part.type === 'text' && part.text.length < text.length)) {
        content[index] = { type: 'text', text, annotations: part?.type === 'text' ? part.annotations : [] };
      }
    });
    return { ...message, content };
  }

  /** A delta for a message the server never announced creates it, so its text has somewhere to go. */
  private announce(messageId: string): RunEvent[] {
    if (this.messages.has(messageId)) return [];
    this.messages.add(messageId);
    const run = this.latestRun;
    const message: Message = {
      id: messageId,
      role: 'assistant',
      content: [],
      createdAt: run?.createdAt ?? Math.floor(Date.now() / 1000),
      status: 'in_progress',
      ...(run ? { runId: run.id } : {}),
    };
    return [{ type: 'message.created', message }];
  }

  private remember(step: RunStep): RunStep {
    this.steps.set(step.id, step);
    return step;
  }

  private onStepDelta(delta: RunStepDeltaEvent): RunEvent[] {
    const step = this.steps.get(delta.id);
    const details = delta.delta.step_details;
    if (!step || details?.type !== 'tool_calls' || step.details.type !== 'tool_calls') return [];
    const toolCalls = [...step.details.toolCalls];
    for (const callDelta of details.tool_calls ?? []) {
      toolCalls[callDelta.index] = applyToolCallDelta(toolCalls[callDelta.index], callDelta);
    }
    const updated: RunStep = { ...step, details: { type: 'tool_calls', toolCalls } };
    this.steps.set(updated.id, updated);
    return [{ type: 'step.updated', step: updated }];
  }
}

function messageDeltas(delta: MessageDeltaEvent): RunEvent[] {
  const events: RunEvent[] = [];
  for (const part of delta.delta.content ?? []) {
    if (part.type === 'text' && part.text?.value) {
      events.push({ type: 'message.delta', messageId: delta.id, index: part.index, text: part.text.value });
    }
  }
  return events;
}

/** Deltas append text (arguments, code input) and add outputs; ids and names arrive once. */
function applyToolCallDelta(current: ToolCall | undefined, delta: ToolCallDelta): ToolCall {
  switch (delta.type) {
    case 'function': {
      const base = current?.type === 'function' ? current : { type: 'function' as const, id: '', name: '', arguments: '' };
      const next: ToolCall = {
        ...base,
        id: delta.id ?? base.id,
        name: delta.function?.name || base.name,
        arguments: base.arguments + (delta.function?.arguments ?? ''),
      };
      const output = delta.function?.output;
      if (typeof output === 'string') next.output = output;
      return next;
    }
    case 'code_interpreter': {
      const base = current?.type === 'code_interpreter' ? current : { type: 'code_interpreter' as const, id: '', input: '', outputs: [] };
      const outputs = [...base.outputs];
      for (const output of delta.code_interpreter?.outputs ?? []) {
        if (output.type === 'logs') outputs[output.index] = { type: 'logs', logs: output.logs ?? '' };
        else if (output.image?.file_id) outputs[output.index] = { type: 'image', fileId: output.image.file_id };
      }
      return {
        ...base,
        id: delta.id ?? base.id,
        input: base.input + (delta.code_interpreter?.input ?? ''),
        outputs: outputs.filter((output) => output !== undefined),
      };
    }
    case 'file_search': {
      const base = current?.type === 'file_search' ? current : { type: 'file_search' as const, id: '' };
      return { ...base, id: delta.id ?? base.id };
    }
  }
}
