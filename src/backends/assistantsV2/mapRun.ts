import type { Message as WireMessage, MessageContent as WireContent, Annotation as WireAnnotation } from 'openai/resources/beta/threads/messages';
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
} from '../../core/model';

/** RunObject -> domain Run. */
export function fromWireRun(wire: WireRun): Run {
  const run: Run = {
    id: wire.id,
    threadId: wire.thread_id,
    assistantId: wire.assistant_id,
    status: wire.status,
    createdAt: wire.created_at,
  };
  if (wire.model) run.model = wire.model;
  if (wire.instructions) run.instructions = wire.instructions;
  if (wire.usage) run.usage = fromWireUsage(wire.usage);
  if (wire.last_error) run.lastError = { code: wire.last_error.code, message: wire.last_error.message };
  if (wire.status === 'incomplete') run.incompleteReason = wire.incomplete_details?.reason ?? 'unknown';
  const calls = wire.required_action?.submit_tool_outputs.tool_calls;
  if (wire.status === 'requires_action' && calls) {
    run.requiredAction = {
      toolCalls: calls.map((call) => ({ callId: call.id, name: call.function.name, arguments: call.function.arguments })),
    };
  }
  if (wire.started_at !== null) run.startedAt = wire.started_at;
  const endedAt = wire.completed_at ?? wire.failed_at ?? wire.cancelled_at;
  if (endedAt !== null) run.completedAt = endedAt;
  return run;
}

export function fromWireUsage(usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }): Usage {
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens };
}

/** RunStepObject -> domain RunStep. */
export function fromWireStep(wire: WireStep): RunStep {
  const details = wire.step_details;
  const step: RunStep = {
    id: wire.id,
    runId: wire.run_id,
    status: wire.status,
    details:
      details.type === 'message_creation'
        ? { type: 'message_creation', messageId: details.message_creation.message_id }
        : { type: 'tool_calls', toolCalls: details.tool_calls.map(fromWireToolCall) },
    createdAt: wire.created_at,
  };
  const endedAt = wire.completed_at ?? wire.failed_at ?? wire.cancelled_at ?? wire.expired_at;
  if (endedAt !== null) step.completedAt = endedAt;
  return step;
}

export function fromWireToolCall(call: WireToolCall): ToolCall {
  switch (call.type) {
    case 'function': {
      const mapped: ToolCall = { type: 'function', id: call.id, name: call.function.name, arguments: call.function.arguments };
      if (call.function.output !== null && call.function.output !== undefined) mapped.output = call.function.output;
      return mapped;
    }
    case 'file_search': {
      const results = call.file_search.results;
      return {
        type: 'file_search',
        id: call.id,
        ...(results
          ? {
              results: results.map((result) => {
                const text = (result.content ?? []).map((part) => part.text ?? '').join('');
                return { fileId: result.file_id, filename: result.file_name, score: result.score, ...(text ? { text } : {}) };
              }),
            }
          : {}),
      };
    }
    case 'code_interpreter':
      return {
        type: 'code_interpreter',
        id: call.id,
        input: call.code_interpreter.input,
        outputs: call.code_interpreter.outputs.map(
          (output): CodeInterpreterOutput =>
            output.type === 'logs' ? { type: 'logs', logs: output.logs } : { type: 'image', fileId: output.image.file_id },
        ),
      };
  }
}

/** MessageObject -> domain Message. Refusals become text so the user sees why nothing came. */
export function fromWireMessage(wire: WireMessage): Message {
  const message: Message = {
    id: wire.id,
    role: wire.role,
    content: wire.content.map(fromWireContent),
    createdAt: wire.created_at,
    status: wire.status,
  };
  if (wire.run_id) message.runId = wire.run_id;
  const attachments = (wire.attachments ?? []).flatMap(fromWireAttachment);
  if (attachments.length > 0) message.attachments = attachments;
  return message;
}

export function fromWireContent(content: WireContent): MessageContent {
  switch (content.type) {
    case 'text':
      return { type: 'text', text: content.text.value, annotations: content.text.annotations.map(fromWireAnnotation) };
    case 'image_file':
      return { type: 'image_file', fileId: content.image_file.file_id };
    case 'image_url':
      return { type: 'image_url', url: content.image_url.url };
    case 'refusal':
      return { type: 'text', text: content.refusal, annotations: [] };
  }
}

export function fromWireAnnotation(annotation: WireAnnotation): Annotation {
  const common = { text: annotation.text, startIndex: annotation.start_index, endIndex: annotation.end_index };
  if (annotation.type === 'file_citation') {
    // The quoted text is in the deltas' FileCitation and in what some servers still send; kept when there.
    const { quote } = annotation.file_citation as { quote?: unknown };
    return { type: 'file_citation', fileId: annotation.file_citation.file_id, ...(typeof quote === 'string' && quote ? { quote } : {}), ...common };
  }
  return { type: 'file_path', fileId: annotation.file_path.file_id, ...common };
}

function fromWireAttachment(wire: WireMessage.Attachment): Attachment[] {
  if (!wire.file_id) return [];
  const tools = (wire.tools ?? []).map((tool): AttachmentTool => tool.type);
  return [{ fileId: wire.file_id, tools }];
}
