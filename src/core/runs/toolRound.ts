import type { FunctionCallRequest, Run, RunStep, ToolCall, ToolOutput } from '../../common/model';
import type { RunEvent } from '../../common/events';
import type { RunContext } from './runContext';
import { untilAborted } from './runContext';

/**
 * A round of tool calls of a run waiting on them: the tool handler answers every call (a sentence
 * when it fails or runs out of time), and each answer is shown on its call's step.
 */
export class ToolRound {
  constructor(private readonly ctx: RunContext) {}

  /**
   * Runs the tool handler under the run's stop signal and a time limit. Stop does not wait for the
   * handler (a read of a named pipe may never return): the run ends at once, and what the handler
   * answers later is never submitted. A handler past its time limit is told to stop, and the model
   * gets a sentence for each call instead.
   */
  async answer(run: Run): Promise<ToolOutput[]> {
    const calls = oncePerId(run.requiredAction?.toolCalls ?? []);
    const limit = new AbortController();
    const signal = AbortSignal.any([this.ctx.stop.signal, limit.signal]);
    const timer = setTimeout(() => limit.abort(), this.ctx.deps.toolTimeoutMs);
    let outputs: ToolOutput[];
    try {
      outputs = await untilAborted(this.ctx.deps.toolHandler.handle(calls, { run, signal }), signal);
    } catch (error) {
      const seconds = Math.round(this.ctx.deps.toolTimeoutMs / 1000);
      const reason = limit.signal.aborted ? `the function did not finish within ${seconds} s and was stopped.` : `the function failed: ${shortReason(error)}`;
      outputs = calls.map((call) => ({ callId: call.callId, output: `Error: ${reason}` }));
    } finally {
      clearTimeout(timer);
    }
    if (this.ctx.stopping) {
      return [];
    }
    // A function may answer with the key (a workspace file read that holds it): neither sent nor kept.
    const mask = (text: string) => this.ctx.deps.backend.maskSecrets?.(text) ?? text;
    const complete = completeOutputs(calls, outputs).map((output) => ({ ...output, output: mask(output.output) }));
    this.showOutputs(complete);
    return complete;
  }

  /** Puts each output on its function call's step (an answer on its MCP approval request's), so the chat shows what the function answered. */
  private showOutputs(outputs: ToolOutput[]): void {
    const byCall = new Map(outputs.map((o) => [o.callId, o.output]));
    const waits = (c: ToolCall) => (c.type === 'function' || (c.type === 'mcp' && c.approval === true)) && c.output === undefined && byCall.has(c.id);
    for (const step of this.ctx.state.steps.values()) {
      if (step.details.type !== 'tool_calls') continue;
      const toolCalls = step.details.toolCalls;
      if (!toolCalls.some(waits)) continue;
      const updated: RunStep = {
        ...step,
        details: { type: 'tool_calls', toolCalls: toolCalls.map((c) => (waits(c) ? { ...c, output: byCall.get(c.id) } : c)) },
      };
      const event: RunEvent = { type: 'step.updated', step: updated };
      this.ctx.state.apply(event);
      this.ctx.emit(event);
    }
  }
}

/** The calls, each id once: a server that names a call twice gets one output for it (two would be refused). */
function oncePerId(calls: FunctionCallRequest[]): FunctionCallRequest[] {
  const seen = new Set<string>();
  return calls.filter((call) => !seen.has(call.callId) && seen.add(call.callId));
}

/** Every call gets an answer, or the run would wait for it forever. */
function completeOutputs(calls: FunctionCallRequest[], outputs: ToolOutput[]): ToolOutput[] {
  const byId = new Map(outputs.map((output) => [output.callId, output]));
  return calls.map((call) => byId.get(call.callId) ?? { callId: call.callId, output: 'Error: no output was produced for this call.' });
}

/** A failure as one short sentence for the model: first line, no absolute local path, bounded. */
function shortReason(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  const withoutPaths = text.replace(/(?<=^|[\s'"`(])(?:[A-Za-z]:)?(?:[\\/][^\\/\s'"`]+)+/g, (match) => match.split(/[\\/]/).pop() ?? '');
  return withoutPaths.length > 200 ? `${withoutPaths.slice(0, 199)}…` : withoutPaths;
}
