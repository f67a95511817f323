import type { FunctionCallRequest, Run, ToolOutput } from '../common/model';

/**
 * Answers the function calls of a run in `requires_action`. The workspace-functions layer plugs in
 * here (with approval); several calls of one step are answered together.
 */
export interface ToolHandler {
  /** `threadId`: the local thread (the thread store's id), when a chat session runs it; else `run.threadId` stands for it. */
  handle(calls: FunctionCallRequest[], context: { run: Run; signal: AbortSignal; threadId?: string }): Promise<ToolOutput[]>;
  /**
   * Drops what the handler keeps for a local thread ("Allow for this thread"): called when the
   * thread is cleared or deleted, so what was allowed in it does not carry over.
   */
  forget?(threadId: string): Promise<void>;
}
