import type { Annotation, KeptFile, Message } from '../../common/model';
import { asAssistantsError } from '../errors';
import type { OutputFileRef } from '../files';
import { FileKeeper } from '../threads/fileKeeper';
import { filesOfMessage, filesOfStep, keptFileKey, nameInlineImages } from '../threads/keptFiles';
import type { RunRecord, StoredThread } from '../threads/threadStore';
import type { ChatContext } from './chatContext';

/**
 * The files a chat's runs make, kept beside their thread: the keeper downloads each once, and what
 * it found is recorded in the thread (the open one, saved and shown, or a stored one, read and
 * saved again).
 */
export class KeptFileRecords {
  /** Downloads the files runs make, once each, into their thread's outputs. */
  readonly keeper: FileKeeper;
  /** Records of kept files still being written into a thread that is not open. */
  private readonly recording = new Set<Promise<void>>();

  constructor(private readonly chat: ChatContext) {
    const { options } = chat;
    this.keeper = new FileKeeper({
      ...options.keeping,
      connect: () => options.connect(),
      keepFile: (threadId, bytes, extension) => options.store.keepFile(threadId, bytes, extension),
      settled: (threadId, key, kept) => this.recordKept(threadId, (stored) => this.setKept(stored, key, kept)),
      linked: (threadId, messageId, partIndex, annotation) => this.recordKept(threadId, (stored) => this.addLink(stored, messageId, partIndex, annotation)),
    });
  }

  /**
   * A file a run made, as this thread keeps it, once its download settled or is on its way (the
   * chat asking to show or save one): undefined when the thread (open here) does not name it.
   */
  async keptFile(threadId: string, ref: OutputFileRef): Promise<KeptFile | undefined> {
    const stored = this.chat.current?.thread.id === threadId ? this.chat.current : undefined;
    const key = keptFileKey(ref);
    const holder = stored ? [...stored.messages.flatMap(filesOfMessage), ...Object.values(stored.runs).flatMap((r) => r.steps.flatMap(filesOfStep))].find((file) => keptFileKey(file.ref) === key) : undefined;
    if (!stored || !holder) return undefined;
    if (holder.holder.kept?.url !== undefined || holder.holder.kept?.error !== undefined) return holder.holder.kept;
    this.keeper.keep(stored);
    // `{}`: named but not kept yet (its step or answer has not completed, or a retry is due).
    return (await this.keeper.whenSettled(threadId, ref)) ?? holder.holder.kept ?? {};
  }

  /** Resolves once every file download started so far has settled and been recorded (tests, benches). */
  async whenFilesKept(): Promise<void> {
    await this.keeper.idle();
    while (this.recording.size > 0) await Promise.allSettled([...this.recording]);
    if (this.chat.current) await this.chat.flush(this.chat.current);
  }

  /**
   * Records what the keeper found on thread `threadId`: in the open thread (saved, and the chat told
   * of each changed step and message), else in its stored copy, read and saved again.
   */
  private recordKept(threadId: string, change: (stored: StoredThread) => { messages: Message[]; steps: RunRecord['steps'] }): void {
    const recording = this.record(threadId, change).finally(() => this.recording.delete(recording));
    this.recording.add(recording);
  }

  private async record(threadId: string, change: (stored: StoredThread) => { messages: Message[]; steps: RunRecord['steps'] }): Promise<void> {
    try {
      const open = this.chat.current?.thread.id === threadId ? this.chat.current : undefined;
      const stored = open ?? (await this.chat.options.store.load(threadId));
      if (!stored) return;
      const changed = change(stored);
      if (changed.messages.length === 0 && changed.steps.length === 0) return;
      if (!open) {
        await this.chat.options.store.save(stored);
        return;
      }
      this.chat.scheduleSave(open, true);
      for (const message of changed.messages) this.chat.options.onUpdate({ type: 'message', threadId, message: structuredClone(message) });
      for (const step of changed.steps) this.chat.options.onUpdate({ type: 'run', threadId, runId: step.runId, event: { type: 'step.updated', step: structuredClone(step) } });
    } catch (error) {
      this.chat.options.onError(asAssistantsError(error));
    }
  }

  /** Sets `kept` on every holder of the file `key`; returns the messages and steps it changed. */
  private setKept(stored: StoredThread, key: string, kept: KeptFile): { messages: Message[]; steps: RunRecord['steps'] } {
    const messages = stored.messages.filter((message) => setOn(filesOfMessage(message), key, kept));
    const steps = Object.values(stored.runs).flatMap((record) => record.steps.filter((step) => setOn(filesOfStep(step), key, kept) || (kept.url !== undefined && nameInlineImages(step, kept))));
    return { messages, steps };
  }

  /** Adds the citation the keeper found for an uncited `sandbox:` link, and starts keeping its file. */
  private addLink(stored: StoredThread, messageId: string, partIndex: number, annotation: Extract<Annotation, { type: 'file_path' }>): { messages: Message[]; steps: RunRecord['steps'] } {
    const message = stored.messages.find((m) => m.id === messageId);
    const part = message?.content[partIndex];
    if (!message || part?.type !== 'text' || part.annotations.some((a) => a.type === 'file_path' && a.text === annotation.text)) return { messages: [], steps: [] };
    part.annotations.push(annotation);
    this.keeper.keep(stored);
    return { messages: [message], steps: [] };
  }
}

/** Sets `kept` on the files of `files` with `key`; whether any was. */
function setOn(files: ReturnType<typeof filesOfMessage>, key: string, kept: KeptFile): boolean {
  let changed = false;
  for (const file of files) {
    if (keptFileKey(file.ref) !== key) continue;
    file.holder.kept = { ...kept };
    changed = true;
  }
  return changed;
}
