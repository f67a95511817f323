import type { FunctionCallRequest, Run, ToolOutput } from './model';

/**
 * Answers the function calls of a run in `requires_action`. The workspace-functions layer plugs in
 * here (with approval); several calls of one step are answered together.
 */
export interface ToolHandler {
  handle(calls: FunctionCallRequest[], context: { run: Run; signal: AbortSignal }): Promise<ToolOutput[]>;
}
