import type { RunEvent } from '../../common/events';
import { isTerminal } from '../../common/model';
import { applyRunEvent, MAX_TEXT_PART_CHARS, runIdOfEvent } from '../../common/runFold';
import type { AssistantsError } from '../errors';
import type { FileKeeper } from '../threads/fileKeeper';
import { carryKept, filesOfMessage, filesOfStep } from '../threads/keptFiles';
import type { RunRecord, StoredThread } from '../threads/threadStore';
import type { ChatContext } from './chatContext';

/**
 * The chat's reducer: folds the events of the runs it follows into their thread (`applyRunEvent`),
 * keeping what only this window knows (files kept here, who ran a run and what it answers), saves
 * the thread as they come, hands the files runs make to the keeper, and tells the chat.
 */
export class RunEventReducer {
  constructor(
    private readonly chat: ChatContext,
    private readonly keeper: Pick<FileKeeper, 'keep'>,
  ) {}

  /**
   * Applies a run event to the stored thread (through the one fold, `applyRunEvent`) and forwards
   * it. `started`: the assistant following the run and the question it answers, recorded with a run
   * the thread had not seen yet.
   */
  apply(stored: StoredThread, received: RunEvent, started?: Pick<RunRecord, 'assistant' | 'question'>): void {
    // The backend may keep changing the objects it emitted, and the store changes the thread in place
    // (images move beside it): what is forwarded and what is stored are copies of their own. A delta,
    // by far the most frequent event, carries only text and numbers and is not copied at all.
    const event = received.type === 'message.delta' ? received : structuredClone(received);
    const own = received.type === 'message.delta' ? received : structuredClone(received);
    const runId = runIdOfEvent(event, this.chat.active?.runId ?? stored.pendingRun?.runId);
    // The server knows nothing of the files kept here: their state carries over to what it sends again.
    if ('step' in event && 'step' in own) {
      const old = stored.runs[event.step.runId]?.steps.find((s) => s.id === event.step.id);
      carryKept(old, event.step);
      carryKept(old, own.step);
    }
    if ('message' in event && 'message' in own) {
      const old = stored.messages.findLast((m) => m.id === event.message.id);
      carryKept(old, event.message);
      carryKept(old, own.message);
    }
    const known = runId !== undefined && runId in stored.runs;
    const folded = applyRunEvent(stored, own, { runId, now: this.chat.nowMs(), maxTextChars: MAX_TEXT_PART_CHARS });
    stored.messages = folded.messages;
    stored.runs = folded.runs;
    if (runId !== undefined && !known && stored.runs[runId] && (started?.assistant || started?.question)) {
      stored.runs[runId] = { ...stored.runs[runId], ...(started.assistant ? { assistant: started.assistant } : {}), ...(started.question ? { question: started.question } : {}) };
    }
    switch (own.type) {
      case 'run.updated': {
        if (this.chat.active && !this.chat.active.runId) this.chat.active.runId = own.run.id;
        const ended = isTerminal(own.run.status);
        if (ended) {
          stored.pendingRun = undefined;
          if (this.chat.active?.runId === own.run.id) this.chat.active.ended = true;
        }
        this.chat.scheduleSave(stored, ended || own.run.status === 'requires_action');
        break;
      }
      case 'step.created':
      case 'step.updated':
      case 'step.completed':
        if (filesOfStep(own.step).some((file) => file.ready)) this.keeper.keep(stored);
        this.chat.scheduleSave(stored, false);
        break;
      case 'message.created':
      case 'message.completed':
        if (own.message.status !== 'in_progress' && (filesOfMessage(own.message).length > 0 || /sandbox:/.test(JSON.stringify(own.message.content)))) this.keeper.keep(stored);
        stored.thread.updatedAt = this.chat.nowSeconds();
        this.chat.scheduleSave(stored, own.type === 'message.completed');
        break;
      case 'message.delta':
        this.chat.scheduleSave(stored, false);
        break;
      case 'usage':
      case 'retry':
      case 'fallback':
      case 'error':
        break;
      default: {
        const exhaustive: never = own;
        return exhaustive;
      }
    }
    if (runId) this.chat.options.onUpdate({ type: 'run', threadId: stored.thread.id, runId, event });
    else if (event.type === 'retry' || event.type === 'fallback') this.chat.options.onUpdate({ type: 'waiting', threadId: stored.thread.id, event });
  }

  /**
   * Records a run this window stops following for good (a failure not worth resuming, or Stop whose
   * cancel never came back) as ended, so that neither the view nor a later window shows it still
   * going: `failed` with the failure as its error, or `cancelled` after Stop; its open answers are
   * closed as cut off. A run already ended, or never named, is left as it is.
   */
  endRun(stored: StoredThread, runId: string | undefined, failure: AssistantsError | undefined): void {
    const record = runId ? stored.runs[runId] : undefined;
    if (!record || isTerminal(record.run.status)) return;
    for (const message of stored.messages) {
      if (message.runId !== runId || message.role !== 'assistant' || (message.status !== 'in_progress' && message.status !== undefined)) continue;
      this.apply(stored, { type: 'message.completed', message: { ...message, status: 'incomplete' } });
    }
    const { requiredAction: _waitedFor, ...run } = record.run;
    const lastError = failure ? { code: failure.kind, message: failure.message } : run.lastError;
    this.apply(stored, { type: 'run.updated', run: { ...run, status: failure ? 'failed' : 'cancelled', completedAt: this.chat.nowSeconds(), ...(lastError ? { lastError } : {}) } });
  }
}
