import type { CompareSession, CompareUpdate } from '../../core/chat/compare';
import type { StoredThread } from '../../core/threads/threadStore';
import type { CompareColumnView, HostToCompare } from '../../common/compareProtocol';
import type { RunView } from '../../common/protocol';

/**
 * What the Compare panel's page is told of an update of `comparison`: the column's chat traffic as
 * the chat's own messages, its thread whole when it changed as a whole, its metrics, its error,
 * whether runs go on. Undefined for what the page does not show (a session's own busy flag, a
 * wait before a run has an id). No VS Code here: the bench feeds a page with it too.
 */
export function compareMessage(comparison: CompareSession, update: CompareUpdate): HostToCompare | undefined {
  switch (update.type) {
    case 'metrics':
      return { type: 'compare/metrics', column: update.column, metrics: update.metrics };
    case 'error':
      return { type: 'compare/error', column: update.column, message: update.message };
    case 'busy':
      return { type: 'compare/busy', busy: update.busy };
    case 'chat': {
      const { column, update: chat } = update;
      switch (chat.type) {
        case 'thread':
          return { type: 'compare/thread', column, ...threadView(comparison.columns[column].session.thread) };
        case 'message':
          return { type: 'compare/chat', column, message: { type: 'message/added', threadId: chat.threadId, message: chat.message } };
        case 'run':
          return { type: 'compare/chat', column, message: { type: 'run/event', threadId: chat.threadId, runId: chat.runId, event: chat.event } };
        case 'busy':
        case 'waiting':
          return undefined;
      }
    }
  }
}

/** A column's thread as the page draws it: its id, messages and runs (each with its steps and assistant). */
export function threadView(stored: StoredThread | undefined): Pick<CompareColumnView, 'threadId' | 'messages' | 'runs'> {
  if (!stored) return { messages: [], runs: {} };
  const runs: Record<string, RunView> = {};
  for (const [id, record] of Object.entries(stored.runs)) runs[id] = { run: record.run, steps: record.steps, ...(record.assistant ? { assistant: record.assistant } : {}) };
  return { threadId: stored.thread.id, messages: stored.messages, runs };
}
