import type { Backend } from '../backend';
import { ChatSession, modelProblem } from './chatSession';
import type { ChatSessionOptions, ChatUpdate } from './chatSession';
import { AssistantsError, asAssistantsError } from '../errors';
import type { RunEvent } from '../../common/events';
import type { Assistant, Attachment, ColumnMetrics, ReasoningEffort } from '../../common/model';
import { isTerminal, REASONING_EFFORTS, textOf } from '../../common/model';
import type { StoredThread, ThreadStore } from '../threads/threadStore';
import type { ToolHandler } from '../toolHandler';
import type { ModelPrice } from '../runs/usage';
import { costOf, priceFor } from '../runs/usage';

/** Columns a comparison has, at least and at most. */
export const MIN_COLUMNS = 2;
export const MAX_COLUMNS = 4;

/**
 * One column of a comparison: an assistant (its id, as the Assistants view has it), with, for this
 * comparison only, another model, temperature or reasoning effort. Absent fields are the assistant's.
 */
export interface CompareVariant {
  assistantId: string;
  model?: string;
  /** 0..2, as the Responses API takes it. */
  temperature?: number;
  reasoningEffort?: ReasoningEffort;
}

/** Why `variants` cannot be compared, as a sentence; undefined when they can. */
export function variantsProblem(variants: readonly CompareVariant[]): string | undefined {
  if (variants.length < MIN_COLUMNS || variants.length > MAX_COLUMNS) return `A comparison has ${MIN_COLUMNS} to ${MAX_COLUMNS} columns; ${variants.length} were given.`;
  for (const [i, variant] of variants.entries()) {
    const problem = variantProblem(variant);
    if (problem) return `Column ${i + 1}: ${problem}`;
  }
  const keys = variants.map((v) => JSON.stringify([v.assistantId, v.model ?? '', v.temperature ?? '', v.reasoningEffort ?? '']));
  const twice = keys.findIndex((key, i) => keys.indexOf(key) !== i);
  if (twice >= 0) return `Column ${twice + 1} is the same as column ${keys.indexOf(keys[twice]) + 1}: change its assistant, model, temperature or reasoning effort.`;
  return undefined;
}

/** Why one variant cannot run, as a sentence (a model name, a temperature outside 0..2, an unknown effort); undefined when it can. */
export function variantProblem(variant: CompareVariant): string | undefined {
  if (!variant.assistantId) return 'Pick an assistant.';
  if (variant.model !== undefined) {
    const problem = modelProblem(variant.model);
    if (problem) return problem;
  }
  if (variant.temperature !== undefined && !(Number.isFinite(variant.temperature) && variant.temperature >= 0 && variant.temperature <= 2)) {
    return 'The temperature must be a number from 0 to 2.';
  }
  if (variant.reasoningEffort !== undefined && !REASONING_EFFORTS.includes(variant.reasoningEffort)) {
    return `The reasoning effort must be one of ${REASONING_EFFORTS.join(', ')}.`;
  }
  return undefined;
}

/** `assistant` as the column runs it: the variant's model, temperature and reasoning effort in place of its own. */
export function applyVariant(assistant: Assistant, variant: CompareVariant): Assistant {
  return {
    ...assistant,
    ...(variant.model !== undefined && variant.model.trim() ? { model: variant.model.trim() } : {}),
    ...(variant.temperature !== undefined ? { temperature: variant.temperature } : {}),
    ...(variant.reasoningEffort !== undefined ? { reasoningEffort: variant.reasoningEffort } : {}),
  };
}

/** A column's heading: the assistant's name, then what the variant changes ("Helper · gpt-4.1 · temperature 0.2 · effort high"). */
export function variantLabel(name: string, variant: CompareVariant): string {
  const parts = [name];
  if (variant.model?.trim()) parts.push(variant.model.trim());
  if (variant.temperature !== undefined) parts.push(`temperature ${variant.temperature}`);
  if (variant.reasoningEffort !== undefined) parts.push(`effort ${variant.reasoningEffort}`);
  return parts.join(' · ');
}

/**
 * Folds one run event, seen `elapsedMs` after the question was asked, into a column's metrics;
 * `model` is the model the column asked for and `prices` the price table (per million tokens).
 * Returns `metrics` itself when nothing changed.
 */
export function measureEvent(metrics: ColumnMetrics, event: RunEvent, elapsedMs: number, model: string, prices: Readonly<Record<string, ModelPrice>>): ColumnMetrics {
  let next = metrics;
  const firstText = event.type === 'message.delta' ? event.text !== '' : (event.type === 'message.created' || event.type === 'message.completed') && event.message.role === 'assistant' && textOf(event.message.content) !== '';
  if (firstText && next.firstTokenMs === undefined) next = { ...next, firstTokenMs: elapsedMs };
  const usage = event.type === 'usage' ? event.usage : event.type === 'run.updated' ? event.run.usage : undefined;
  const answeredBy = event.type === 'run.updated' ? event.run.model : undefined;
  if (usage || (answeredBy && answeredBy !== next.model)) {
    const usageNow = usage ?? next.usage;
    const modelNow = answeredBy ?? next.model ?? model;
    const price = priceFor(modelNow, prices);
    next = { ...next, model: modelNow, ...(usageNow ? { usage: usageNow } : {}), ...(usageNow && price ? { cost: costOf(usageNow, price) } : {}) };
  }
  if (event.type === 'run.updated' && isTerminal(event.run.status) && next.completedMs === undefined) next = { ...next, completedMs: elapsedMs, status: event.run.status };
  return next;
}

/** What a comparison tells its view. `column` is the column's index. */
export type CompareUpdate =
  /** What the column's chat session said (its thread, messages, run events), as the chat view hears it. */
  | { type: 'chat'; column: number; update: ChatUpdate }
  | { type: 'metrics'; column: number; metrics: ColumnMetrics }
  /** The column's question could not be asked or its run failed to start: one sentence (Retry offered); undefined clears it. */
  | { type: 'error'; column: number; message?: string }
  /** Some column has a run going on (the view's Stop), or none has. */
  | { type: 'busy'; busy: boolean };

export interface CompareSessionOptions {
  /** Where the columns' threads are kept until kept in the Threads view or discarded. */
  store: ThreadStore;
  connect(): Promise<Backend>;
  /** The assistant a column's variant names, as a run uses it (runtime tools added); the variant is applied here. */
  assistant(variant: CompareVariant): Promise<Assistant>;
  /** As `ChatSessionOptions.linkedFile`. */
  linkedFile?(assistant: Assistant): string | undefined;
  toolHandler: ToolHandler;
  driver?: ChatSessionOptions['driver'];
  /** Prices per million tokens by model, read when a column measures. */
  prices(): Readonly<Record<string, ModelPrice>>;
  onUpdate(update: CompareUpdate): void;
  /** Milliseconds; `performance.now` by default. */
  now?: () => number;
}

/** One column: its variant, its own chat session, and what it measured. */
export interface CompareColumn {
  readonly variant: CompareVariant;
  readonly session: ChatSession;
  metrics: ColumnMetrics;
  /** The sentence its last ask failed with, if it did (see `CompareUpdate` `error`). */
  error?: string;
  /** The id its thread has in the store it was kept in. */
  keptAs?: string;
  /** When its last question was asked (or retried), in `now`'s milliseconds. */
  startedAt?: number;
  /** The model its last run was asked to use (the variant's, else its assistant's). */
  model?: string;
}

/** The question a comparison asked last: its text and attachments. */
export interface ComparedQuestion {
  text: string;
  attachments?: Attachment[];
}

/**
 * A comparison: 2-4 columns, each a chat session of its own (its own thread, run, Stop), all asked
 * the same question at once. Each column measures its run (time to first token and to
 * completion, tokens, cost). A column whose question fails says so and lets the others go on;
 * Stop stops all. `keep` copies a column's thread into the Threads view's store; `dispose`
 * deletes every column's thread not kept, here and on the server (best effort).
 */
export class CompareSession {
  readonly columns: readonly CompareColumn[];
  private asked: ComparedQuestion | undefined;
  private busy = false;
  private readonly now: () => number;

  constructor(private readonly options: CompareSessionOptions, variants: readonly CompareVariant[]) {
    const problem = variantsProblem(variants);
    if (problem) throw new AssistantsError('bad_request', problem);
    this.now = options.now ?? (() => performance.now());
    this.columns = variants.map((variant, column): CompareColumn => {
      const session: ChatSession = new ChatSession({
        store: options.store,
        connect: () => options.connect(),
        assistant: async () => {
          const applied = applyVariant(await options.assistant(variant), variant);
          this.column(column).model = applied.model;
          return applied;
        },
        linkedFile: options.linkedFile,
        toolHandler: options.toolHandler,
        driver: options.driver,
        onUpdate: (update) => this.sessionUpdate(column, update),
        onError: (error) => this.fail(column, error),
      });
      return { variant: { ...variant }, session, metrics: {} };
    });
  }

  /** The question asked last, if any. */
  get question(): ComparedQuestion | undefined {
    return this.asked;
  }

  /** Whether some column has a run going on. */
  get running(): boolean {
    return this.columns.some((c) => c.session.busy);
  }

  /**
   * Asks every column `text` (with `attachments`) at once, each on its own thread (a follow-up
   * goes on the thread each column has). Resolves once each column has its question on its thread
   * or has failed (its sentence went out as an `error` update). Throws `bad_request` for an empty
   * question or while a column's run goes on.
   */
  async ask(text: string, attachments: Attachment[] = []): Promise<void> {
    if (!text.trim()) throw new AssistantsError('bad_request', 'Type a question first.');
    if (this.running) throw new AssistantsError('bad_request', 'The columns are still answering. Stop them or wait for them to finish.');
    const question: ComparedQuestion = attachments.length ? { text: text.trim(), attachments: structuredClone(attachments) } : { text: text.trim() };
    this.asked = question;
    await Promise.all(this.columns.map((_, column) => this.askColumn(column, question)));
  }

  /**
   * Asks column `column` again: its last question's run again when the question is on its thread
   * (what answered it is removed first, see `ChatSession.retry`), else the question it could not
   * ask. Its metrics start over. A failure goes out as its `error` update.
   */
  async retry(column: number): Promise<void> {
    const target = this.column(column);
    const question = this.asked;
    if (!question || target.session.busy) return;
    const onThread = target.session.thread?.messages.some((m) => m.role === 'user' && textOf(m.content).trim() === question.text);
    if (!onThread) return this.askColumn(column, question);
    this.reset(column);
    try {
      await target.session.retry();
    } catch (error) {
      this.fail(column, asAssistantsError(error));
    }
  }

  /** Stop: every column's run is cancelled. */
  stop(): void {
    for (const { session } of this.columns) session.stop();
  }

  /** Resolves when no column has a run going on. */
  async whenIdle(): Promise<void> {
    await Promise.all(this.columns.map(({ session }) => session.whenIdle()));
  }

  /**
   * Keep this thread: copies column `column`'s thread (its messages, runs and images) into `into`
   * (the Threads view's store), recorded with the variant's model when it has one, so the chat
   * goes on with it. It is then not deleted with the comparison. Resolves to the copy. Throws
   * `bad_request` while the column's run goes on or when it has no thread yet.
   */
  async keep(column: number, into: ThreadStore): Promise<StoredThread> {
    const target = this.column(column);
    if (target.session.busy) throw new AssistantsError('bad_request', 'This column is still answering. Wait for it to finish, then keep its thread.');
    const stored = target.session.thread;
    if (!stored) throw new AssistantsError('bad_request', 'This column has no thread yet: ask a question first.');
    const copy: StoredThread = { thread: { ...structuredClone(stored.thread) }, messages: structuredClone(stored.messages), runs: structuredClone(stored.runs) };
    const model = target.variant.model?.trim();
    if (model) copy.thread.model = model;
    await this.options.store.adoptOutputs(stored.thread.id, copy);
    try {
      await into.save(copy);
    } catch (error) {
      throw asAssistantsError(error);
    }
    target.keptAs = copy.thread.id;
    return copy;
  }

  /** The text of column `column`'s last answer (empty when it has none). */
  answerOf(column: number): string {
    const messages = this.column(column).session.thread?.messages ?? [];
    const last = messages.at(-1);
    return last?.role === 'assistant' ? textOf(last.content).trim() : '';
  }

  /**
   * Ends the comparison: stops every run, deletes the threads of columns not kept (here and, best
   * effort, on the server) and the scratch copies of kept ones (their server-side thread now
   * belongs to the kept copy).
   */
  async dispose(): Promise<void> {
    this.stop();
    await this.whenIdle();
    for (const { session, keptAs } of this.columns) {
      const id = session.thread?.thread.id;
      if (id === undefined) {
        session.dispose();
        continue;
      }
      if (keptAs === undefined) await session.deleteThread(id).catch(() => undefined);
      else await this.options.store.delete(id).catch(() => undefined);
      session.dispose();
    }
  }

  private column(column: number): CompareColumn {
    const target = this.columns[column];
    if (!target) throw new AssistantsError('bad_request', `There is no column ${column + 1}.`);
    return target;
  }

  private async askColumn(column: number, question: ComparedQuestion): Promise<void> {
    this.reset(column);
    try {
      await this.column(column).session.send(question.text, question.attachments ? { attachments: structuredClone(question.attachments) } : {});
    } catch (error) {
      this.fail(column, asAssistantsError(error));
    }
  }

  private reset(column: number): void {
    const target = this.column(column);
    target.startedAt = this.now();
    target.metrics = {};
    this.options.onUpdate({ type: 'metrics', column, metrics: {} });
    if (target.error !== undefined) {
      target.error = undefined;
      this.options.onUpdate({ type: 'error', column });
    }
  }

  private fail(column: number, error: AssistantsError): void {
    const target = this.column(column);
    target.error = error.message;
    this.options.onUpdate({ type: 'error', column, message: error.message });
  }

  private sessionUpdate(column: number, update: ChatUpdate): void {
    this.options.onUpdate({ type: 'chat', column, update });
    const target = this.column(column);
    if (update.type === 'run' && target.startedAt !== undefined) {
      const measured = measureEvent(target.metrics, update.event, this.now() - target.startedAt, target.model ?? '', this.options.prices());
      if (measured !== target.metrics) {
        target.metrics = measured;
        this.options.onUpdate({ type: 'metrics', column, metrics: measured });
      }
    }
    if (update.type === 'busy') {
      const busy = this.running;
      if (busy !== this.busy) {
        this.busy = busy;
        this.options.onUpdate({ type: 'busy', busy });
      }
    }
  }
}
