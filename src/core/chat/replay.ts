import type { ChatSession } from './chatSession';
import type { Attachment, Message } from '../../common/model';
import { isTerminal, textOf } from '../../common/model';
import type { StoredThread } from '../threads/threadStore';

/** A question of a thread, as Replay asks it again: its text and the files attached to it. */
export interface ReplayQuestion {
  text: string;
  attachments?: Attachment[];
}

/** How a replay ended: how many of the questions were answered, and why it stopped short when it did. */
export interface ReplayResult {
  answered: number;
  total: number;
  /**
   * Absent when every question was answered. `cancelled`: the user cancelled (the run going on was
   * stopped); `failed`: a question's run did not complete (its outcome shows in the chat); `left`:
   * another thread was opened in the chat meanwhile, so nothing more is sent.
   */
  stopped?: 'cancelled' | 'failed' | 'left';
}

/** The user's questions of a thread, in order, with their attachments; a question without text is left out. */
export function questionsOf(stored: StoredThread): ReplayQuestion[] {
  return stored.messages.flatMap((message: Message) => {
    const text = message.role === 'user' ? textOf(message.content).trim() : '';
    if (!text) return [];
    return [message.attachments?.length ? { text, attachments: structuredClone(message.attachments) } : { text }];
  });
}

/**
 * Replay: asks `questions` one by one in the session's open thread (a new one when none is open:
 * the first question makes it), each once the answer to the previous one has finished, with the
 * session's active assistant; a thread the first question makes is titled `title` when given. `onAnswered(n)` reports after each answered question; an abort of
 * `signal` stops the run going on and sends nothing more. Stops at the first question whose run
 * does not complete. Resolves with what was done; throws what `send` throws for a question that
 * could not be sent (no key, the server refusing it), after the questions before it were answered.
 */
export async function replayQuestions(
  session: ChatSession,
  questions: readonly ReplayQuestion[],
  options: { signal?: AbortSignal; onAnswered?(answered: number): void; title?: string } = {},
): Promise<ReplayResult> {
  const total = questions.length;
  let threadId = session.thread?.thread.id;
  for (let answered = 0; answered < total; answered++) {
    if (options.signal?.aborted) return { answered, total, stopped: 'cancelled' };
    if (threadId !== undefined && session.thread?.thread.id !== threadId) return { answered, total, stopped: 'left' };
    const before = new Set(Object.keys(session.thread?.runs ?? {}));
    const question = questions[answered];
    // The thread the question went to, as `send` names it: the chat may open another before `send` resolves.
    let stored: StoredThread | undefined;
    const accepted = async (thread: StoredThread): Promise<void> => void (stored = thread);
    await session.send(question.text, question.attachments ? { attachments: question.attachments, accepted } : { accepted });
    if (threadId === undefined && stored && options.title !== undefined) await session.renameThread(stored.thread.id, options.title);
    threadId ??= stored?.thread.id;
    const stop = (): void => session.stop();
    options.signal?.addEventListener('abort', stop);
    try {
      if (options.signal?.aborted) session.stop();
      await session.whenIdle();
    } finally {
      options.signal?.removeEventListener('abort', stop);
    }
    if (options.signal?.aborted) return { answered, total, stopped: 'cancelled' };
    if (!stored || session.thread !== stored || session.leaving === stored) return { answered, total, stopped: 'left' };
    const run = Object.values(stored.runs).find((record) => !before.has(record.run.id))?.run;
    // A run not ended when the chat fell idle was left going: another thread is being opened.
    if (run && !isTerminal(run.status)) return { answered, total, stopped: 'left' };
    if (run?.status !== 'completed') return { answered, total, stopped: 'failed' };
    options.onAnswered?.(answered + 1);
  }
  return { answered: total, total };
}

/**
 * A thread as Replay shows it beside another: a heading naming the thread and its assistant, then
 * each question (as a quote) followed by the text of the answers to it. Two threads asked the same
 * questions line up question by question in a diff editor. Images and tool steps are left out.
 */
export function answersMarkdown(stored: StoredThread, assistantName: string): string {
  const lines = [`# ${stored.thread.title}`, '', `Assistant: ${assistantName}`, ''];
  let asked = 0;
  for (const message of stored.messages) {
    const text = textOf(message.content).trim();
    if (message.role === 'user') {
      if (!text) continue;
      asked++;
      lines.push(`## Question ${asked}`, '', ...text.split('\n').map((line) => `> ${line}`), '');
    } else if (text) {
      lines.push(text, '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
