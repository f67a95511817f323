import type { Message as WireMessage, TextContentBlock } from 'openai/resources/beta/threads/messages';
import type { Run as WireRun } from 'openai/resources/beta/threads/runs/runs';
import type {
  CodeInterpreterToolCall,
  FileSearchToolCall,
  FunctionToolCall,
  RunStep as WireStep,
} from 'openai/resources/beta/threads/runs/steps';
import type { V2Run, V2Thread } from './assistantsV2State';
import { V2State, newMessage, stepView } from './assistantsV2State';
import type { FakeOpenAIServer } from './fakeServer';
import { pngChart } from './png';
import { markdownLinkTo } from './responseEngine';
import { CHART_PATH } from './store';
import type { TurnContext, TurnOutcome, TurnStep } from './scriptedModel';
import { argumentsJson, chunkText } from './scriptedModel';

/** Where a run's events go: an SSE stream, or nowhere for a background run. */
export type EventSink = (name: string, data: unknown) => Promise<void>;

type FunctionCallStep = Extract<TurnStep, { type: 'function_call' }>;
type Played = 'paused' | 'stopped' | 'done';

/** Background runs only: how long they stay queued and take, unless the turn says otherwise. */
const BACKGROUND_QUEUED_MS = 30;
const BACKGROUND_DURATION_MS = 60;
/** How long `cancelling` lasts before `cancelled`. */
const CANCEL_MS = 20;
const CODE_CHUNK = 40;
const RUN_ERROR_CODES = ['server_error', 'rate_limit_exceeded', 'invalid_prompt'] as const;

/**
 * Plays scripted turns as Assistants v2 runs: moves a run through its statuses over time, writes steps and
 * messages into the thread, and reports each change as the stream event the real service sends.
 */
export class V2Engine {
  readonly state: V2State;

  constructor(private readonly server: FakeOpenAIServer) {
    this.state = new V2State(server.store);
  }

  /** Takes a freshly created (queued) run to a terminal status or to `requires_action`. */
  async start(run: V2Run, sink: EventSink | undefined): Promise<void> {
    const emit = this.emitter(run, sink);
    await emit('thread.run.created', run.object);
    await emit('thread.run.queued', run.object);
    await this.execute(run, emit, sink !== undefined, async () => {
      if (!sink && !(await this.server.sleep(run.turn.queuedMs ?? BACKGROUND_QUEUED_MS))) return false;
      if (run.cancelRequested) return true;
      run.object.status = 'in_progress';
      run.object.started_at = this.server.store.nowSeconds();
      await emit('thread.run.in_progress', run.object);
      return true;
    });
  }

  /** Answers the pending function calls and lets the model take its next turn. */
  async submit(run: V2Run, outputs: { callId: string; output: string }[], sink: EventSink | undefined): Promise<void> {
    const emit = this.emitter(run, sink);
    const step = run.steps.find((s) => s.id === run.pendingStepId);
    run.pendingStepId = undefined;
    run.object.required_action = null;
    run.object.status = 'queued';
    await emit('thread.run.queued', run.object);
    await this.execute(run, emit, sink !== undefined, async () => {
      run.object.status = 'in_progress';
      await emit('thread.run.in_progress', run.object);
      if (step && step.step_details.type === 'tool_calls') {
        for (const call of step.step_details.tool_calls) {
          if (call.type === 'function') call.function.output = outputs.find((o) => o.callId === call.id)?.output ?? '';
        }
        this.finishStep(step, 'completed');
        await emit('thread.run.step.completed', step);
      }
      run.turn = this.server.model.next({ ...this.context(run), toolOutputs: outputs });
      run.next = 0;
      return true;
    });
  }

  /** Marks the run `cancelling`; it becomes `cancelled` shortly after (at once when nothing is executing it). */
  requestCancel(run: V2Run): void {
    run.cancelRequested = true;
    run.object.status = 'cancelling';
    if (!run.executing) {
      void this.server.sleep(CANCEL_MS).then((alive) => {
        if (alive && run.object.status === 'cancelling') this.finishCancelled(run);
      });
    }
  }

  /** What the scripted model is told about a run. */
  context(run: V2Run): TurnContext {
    const thread = this.state.threads.get(run.object.thread_id);
    const lastUser = thread?.messages.filter((m) => m.role === 'user').at(-1);
    const tools = run.object.tools;
    return {
      lastUserText: lastUser ? textOf(lastUser) : '',
      toolOutputs: [],
      functionNames: tools.flatMap((t) => (t.type === 'function' ? [t.function.name] : [])),
      hasFileSearch: tools.some((t) => t.type === 'file_search'),
      hasCodeInterpreter: tools.some((t) => t.type === 'code_interpreter'),
      instructions: run.object.instructions ?? '',
    };
  }

  private emitter(run: V2Run, sink: EventSink | undefined): EventSink {
    const withContent = run.includeResultContent;
    return async (name, data) => {
      if (!sink) return;
      const payload = name.startsWith('thread.run.step.') && name !== 'thread.run.step.delta' ? stepView(data as WireStep, withContent) : structuredClone(data);
      await sink(name, payload);
    };
  }

  /** Runs `begin`, then the turn's steps, then the outcome, noticing cancels at each checkpoint. */
  private async execute(run: V2Run, emit: EventSink, streaming: boolean, begin: () => Promise<boolean>): Promise<void> {
    run.executing = true;
    try {
      if (!(await begin())) return;
      const played = run.cancelRequested ? 'stopped' : await this.play(run, emit, streaming);
      if (played === 'stopped' && run.cancelRequested) await this.cancelNow(run, emit);
      if (played === 'done') await this.finish(run, run.turn.outcome ?? { status: 'completed' }, emit);
    } finally {
      run.executing = false;
    }
  }

  private async play(run: V2Run, emit: EventSink, streaming: boolean): Promise<Played> {
    const steps = run.turn.steps;
    const stepDelay = streaming ? 0 : (run.turn.durationMs ?? BACKGROUND_DURATION_MS) / Math.max(1, steps.length);
    while (run.next < steps.length) {
      if (stepDelay > 0 && !(await this.server.sleep(stepDelay))) return 'stopped';
      if (run.cancelRequested) return 'stopped';
      const step = steps[run.next];
      if (step.type === 'function_call') {
        const calls: FunctionCallStep[] = [];
        while (run.next < steps.length && steps[run.next].type === 'function_call') calls.push(steps[run.next++] as FunctionCallStep);
        await this.functionCalls(run, calls, emit);
        return 'paused';
      }
      run.next += 1;
      const outcome = await this.playStep(run, step, emit);
      if (outcome === 'stopped') return outcome;
    }
    return 'done';
  }

  private async playStep(run: V2Run, step: Exclude<TurnStep, FunctionCallStep>, emit: EventSink): Promise<Played> {
    switch (step.type) {
      case 'text':
        return this.text(run, step, emit);
      case 'file_search':
        await this.fileSearch(run, step.queries, emit);
        return 'done';
      case 'code_interpreter':
        await this.codeInterpreter(run, step, emit);
        return 'done';
      case 'reasoning':
      case 'mcp_call':
        // Assistants v2 has no reasoning steps and no hosted MCP tools on the wire.
        return 'done';
    }
  }

  private async text(run: V2Run, step: Extract<TurnStep, { type: 'text' }>, emit: EventSink): Promise<Played> {
    const thread = this.thread(run);
    const message = newMessage(this.server.store, thread.object.id, {
      role: 'assistant',
      content: [],
      status: 'in_progress',
      completed_at: null,
      assistant_id: run.object.assistant_id,
      run_id: run.object.id,
    });
    thread.messages.push(message);
    const runStep = this.newStep(run, { type: 'message_creation', message_creation: { message_id: message.id } });
    await emit('thread.run.step.created', runStep);
    await emit('thread.run.step.in_progress', runStep);
    await emit('thread.message.created', message);
    await emit('thread.message.in_progress', message);
    // As the service does, an answer after the code drew images starts with them, then its text.
    for (const fileId of run.figures.splice(0)) {
      message.content.push({ type: 'image_file', image_file: { file_id: fileId } });
      await emit('thread.message.delta', { id: message.id, object: 'thread.message.delta', delta: { content: [{ index: message.content.length - 1, type: 'image_file', image_file: { file_id: fileId } }] } });
    }
    const block: TextContentBlock = { type: 'text', text: { value: '', annotations: [] } };
    const at = message.content.push(block) - 1;
    for (const chunk of chunkText(step.text, step.chunkSize)) {
      if (step.chunkDelayMs && !(await this.server.sleep(step.chunkDelayMs))) return 'stopped';
      if (run.cancelRequested) return 'stopped';
      block.text.value += chunk;
      await emit('thread.message.delta', { id: message.id, object: 'thread.message.delta', delta: { content: [{ index: at, type: 'text', text: { value: chunk } }] } });
    }
    if (step.citeFiles) await this.cite(run, block, at, message.id, emit);
    if (step.citeOutputs !== false) await this.citeOutputs(run, block, at, message.id, emit);
    message.status = 'completed';
    message.completed_at = this.server.store.nowSeconds();
    await emit('thread.message.completed', message);
    this.finishStep(runStep, 'completed', tokens(block.text.value));
    await emit('thread.run.step.completed', runStep);
    return 'done';
  }

  /** Appends a citation marker per file found earlier in the run (or found now) with its annotation. */
  private async cite(run: V2Run, block: TextContentBlock, at: number, messageId: string, emit: EventSink): Promise<void> {
    const files = run.citations.length > 0 ? run.citations : this.search(run, [this.context(run).lastUserText]).map((h) => ({ fileId: h.fileId, filename: h.filename }));
    for (const [index, file] of files.entries()) {
      const marker = `【${index}:0†${file.filename}】`;
      const start = block.text.value.length;
      const annotation = { type: 'file_citation' as const, text: marker, start_index: start, end_index: start + marker.length, file_citation: { file_id: file.fileId } };
      block.text.value += marker;
      block.text.annotations.push(annotation);
      await emit('thread.message.delta', {
        id: messageId,
        object: 'thread.message.delta',
        delta: { content: [{ index: at, type: 'text', text: { value: marker, annotations: [{ index, ...annotation }] } }] },
      });
    }
  }

  /** A `file_path` annotation on each `sandbox:` link to a file the run's code wrote, as the service adds them. */
  private async citeOutputs(run: V2Run, block: TextContentBlock, at: number, messageId: string, emit: EventSink): Promise<void> {
    for (const output of run.outputs) {
      const link = markdownLinkTo(block.text.value, output.path);
      if (!link) continue;
      const text = `sandbox:${output.path}`;
      const annotation = { type: 'file_path' as const, text, start_index: link.target.start, end_index: link.target.end, file_path: { file_id: output.fileId } };
      block.text.annotations.push(annotation);
      const index = block.text.annotations.length - 1;
      await emit('thread.message.delta', { id: messageId, object: 'thread.message.delta', delta: { content: [{ index: at, type: 'text', text: { annotations: [{ index, ...annotation }] } }] } });
    }
  }

  private async functionCalls(run: V2Run, calls: FunctionCallStep[], emit: EventSink): Promise<void> {
    const toolCalls: FunctionToolCall[] = calls.map((call) => ({
      id: this.server.store.newId('call'),
      type: 'function',
      function: { name: call.name, arguments: argumentsJson(call.arguments), output: null },
    }));
    // As on the real service, a tool-call step starts empty and its calls arrive as deltas.
    const listed: FunctionToolCall[] = [];
    const step = this.newStep(run, { type: 'tool_calls', tool_calls: listed });
    await emit('thread.run.step.created', step);
    await emit('thread.run.step.in_progress', step);
    for (const [index, call] of toolCalls.entries()) {
      listed.push(call);
      await emit('thread.run.step.delta', {
        id: step.id,
        object: 'thread.run.step.delta',
        delta: { step_details: { type: 'tool_calls', tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments, output: null } }] } },
      });
    }
    run.pendingStepId = step.id;
    run.object.status = 'requires_action';
    run.object.required_action = {
      type: 'submit_tool_outputs',
      submit_tool_outputs: { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } })) },
    };
    await emit('thread.run.requires_action', run.object);
  }

  private async fileSearch(run: V2Run, queries: string[], emit: EventSink): Promise<void> {
    const call: FileSearchToolCall = { id: this.server.store.newId('call'), type: 'file_search', file_search: {} };
    const listed: FileSearchToolCall[] = [];
    const step = this.newStep(run, { type: 'tool_calls', tool_calls: listed });
    await emit('thread.run.step.created', step);
    await emit('thread.run.step.in_progress', step);
    listed.push(call);
    await emit('thread.run.step.delta', { id: step.id, object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [{ index: 0, id: call.id, type: 'file_search', file_search: {} }] } } });
    const hits = this.search(run, queries);
    run.citations = hits.map((h) => ({ fileId: h.fileId, filename: h.filename }));
    call.file_search = {
      ranking_options: { ranker: 'default_2024_08_21', score_threshold: 0 },
      results: hits.map((h) => ({ file_id: h.fileId, file_name: h.filename, score: h.score, content: [{ type: 'text', text: h.text }] })),
    };
    this.finishStep(step, 'completed', 0);
    await emit('thread.run.step.completed', step);
  }

  private async codeInterpreter(run: V2Run, step: Extract<TurnStep, { type: 'code_interpreter' }>, emit: EventSink): Promise<void> {
    const call: CodeInterpreterToolCall = { id: this.server.store.newId('call'), type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } };
    const listed: CodeInterpreterToolCall[] = [];
    const runStep = this.newStep(run, { type: 'tool_calls', tool_calls: listed });
    await emit('thread.run.step.created', runStep);
    await emit('thread.run.step.in_progress', runStep);
    listed.push(call);
    const delta = (codeInterpreter: Record<string, unknown>): Promise<void> =>
      emit('thread.run.step.delta', {
        id: runStep.id,
        object: 'thread.run.step.delta',
        delta: { step_details: { type: 'tool_calls', tool_calls: [{ index: 0, id: call.id, type: 'code_interpreter', code_interpreter: codeInterpreter }] } },
      });
    for (const chunk of chunkText(step.code, CODE_CHUNK)) {
      call.code_interpreter.input += chunk;
      await delta({ input: chunk });
    }
    call.code_interpreter.outputs.push({ type: 'logs', logs: step.logs });
    const deltaOutputs: unknown[] = [{ index: 0, type: 'logs', logs: step.logs }];
    if (step.image) {
      const file = this.server.store.addFile(CHART_PATH, 'assistants_output', pngChart());
      run.outputs.push({ fileId: file.id, path: CHART_PATH });
      run.figures.push(file.id);
      call.code_interpreter.outputs.push({ type: 'image', image: { file_id: file.id } });
      deltaOutputs.push({ index: 1, type: 'image', image: { file_id: file.id } });
    }
    for (const written of step.files ?? []) run.outputs.push({ fileId: this.server.store.addFile(written.path, 'assistants_output', written.data).id, path: written.path });
    await delta({ outputs: deltaOutputs });
    this.finishStep(runStep, 'completed', tokens(step.code));
    await emit('thread.run.step.completed', runStep);
  }

  private async finish(run: V2Run, outcome: TurnOutcome, emit: EventSink): Promise<void> {
    const wire = run.object;
    const now = this.server.store.nowSeconds();
    wire.usage = this.usage(run);
    wire.expires_at = null;
    switch (outcome.status) {
      case 'completed':
        wire.status = 'completed';
        wire.completed_at = now;
        break;
      case 'failed':
        wire.status = 'failed';
        wire.failed_at = now;
        wire.last_error = { code: RUN_ERROR_CODES.find((c) => c === outcome.code) ?? 'server_error', message: outcome.message };
        break;
      case 'expired':
        wire.status = 'expired';
        wire.expires_at = now;
        this.closeOpen(run, 'expired', 'run_expired');
        break;
      case 'incomplete':
        wire.status = 'incomplete';
        wire.incomplete_details = { reason: outcome.reason === 'max_prompt_tokens' ? 'max_prompt_tokens' : 'max_completion_tokens' };
        break;
    }
    await emit(`thread.run.${wire.status}`, wire);
  }

  private async cancelNow(run: V2Run, emit: EventSink): Promise<void> {
    await emit('thread.run.cancelling', run.object);
    if (!(await this.server.sleep(CANCEL_MS))) return;
    this.finishCancelled(run);
    await emit('thread.run.cancelled', run.object);
  }

  private finishCancelled(run: V2Run): void {
    run.object.status = 'cancelled';
    run.object.cancelled_at = this.server.store.nowSeconds();
    run.object.required_action = null;
    run.object.expires_at = null;
    this.closeOpen(run, 'cancelled', 'run_cancelled');
  }

  /** Steps and messages still in progress end with the run. */
  private closeOpen(run: V2Run, status: 'cancelled' | 'expired', reason: 'run_cancelled' | 'run_expired'): void {
    const now = this.server.store.nowSeconds();
    for (const step of run.steps) {
      if (step.status !== 'in_progress') continue;
      step.status = status;
      if (status === 'cancelled') step.cancelled_at = now;
      else step.expired_at = now;
    }
    for (const message of this.thread(run).messages) {
      if (message.run_id !== run.object.id || message.status !== 'in_progress') continue;
      message.status = 'incomplete';
      message.incomplete_at = now;
      message.incomplete_details = { reason };
    }
  }

  private newStep(run: V2Run, details: WireStep['step_details']): WireStep {
    const step: WireStep = {
      id: this.server.store.newId('step'),
      object: 'thread.run.step',
      created_at: this.server.store.nowSeconds(),
      assistant_id: run.object.assistant_id,
      thread_id: run.object.thread_id,
      run_id: run.object.id,
      type: details.type,
      status: 'in_progress',
      step_details: details,
      last_error: null,
      expired_at: null,
      cancelled_at: null,
      failed_at: null,
      completed_at: null,
      metadata: {},
      usage: null,
    };
    run.steps.push(step);
    return step;
  }

  private finishStep(step: WireStep, status: 'completed', completionTokens = 0): void {
    step.status = status;
    step.completed_at = this.server.store.nowSeconds();
    step.usage = { prompt_tokens: 0, completion_tokens: completionTokens, total_tokens: completionTokens };
  }

  private search(run: V2Run, queries: string[]): ReturnType<FakeOpenAIServer['store']['search']> {
    const assistant = this.state.assistants.get(run.object.assistant_id);
    const thread = this.thread(run);
    const ids = [...(assistant?.tool_resources?.file_search?.vector_store_ids ?? []), ...(thread.object.tool_resources?.file_search?.vector_store_ids ?? [])];
    const tool = run.object.tools.find((t) => t.type === 'file_search');
    const max = tool?.type === 'file_search' ? tool.file_search?.max_num_results : undefined;
    return this.server.store.search(ids, queries, max);
  }

  private usage(run: V2Run): NonNullable<WireRun['usage']> {
    const prompt = tokens(this.thread(run).messages.filter((m) => m.run_id !== run.object.id).map(textOf).join(''));
    const completion = run.steps.reduce((sum, s) => sum + (s.usage?.completion_tokens ?? 0), 0);
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }

  private thread(run: V2Run): V2Thread {
    const thread = this.state.threads.get(run.object.thread_id);
    if (!thread) throw new Error(`thread ${run.object.thread_id} vanished`);
    return thread;
  }
}

function textOf(message: WireMessage): string {
  return message.content.map((c) => (c.type === 'text' ? c.text.value : '')).join('\n');
}

/** Roughly four characters a token, as OpenAI's rule of thumb. */
function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}
