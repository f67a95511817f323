/**
 * Custom function calls waiting for the user to type their output (the Playground's way), and what
 * the user has typed for each so far. The typed text is kept on disk by the extension host, by call
 * id: a window reload ends the page and this process, and the next window resumes the run, which
 * asks again for the same call, with the text brought back.
 */
import type { FileSystem } from '../workspace/fileSystem';
import { readJsonFile } from '../workspace/fileSystem';
import type { OutputAsker, OutputRequest } from './functionToolHandler';

/** A call waiting for its output, with what the user has typed for it so far. */
export interface WaitingOutput extends OutputRequest {
  draft: string;
}

/** A kept text is dropped after this long without a change (ms): its call no longer waits (the run was stopped, or expired). */
const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

interface KeptText {
  text: string;
  /** When it was typed, epoch ms. */
  savedAt: number;
}

export interface OutputDraftStoreOptions {
  /** Errors reading or writing the file (disk full, say): the text stays in memory and on the page. */
  onError?: (error: unknown) => void;
  /** Epoch ms; for tests. */
  now?: () => number;
}

/**
 * The typed outputs, by call id, in one JSON file (`{ "<callId>": { "text", "savedAt" } }`)
 * written atomically. Every change is written at once (a reload may come any moment), and writes
 * go out one after another, each with everything kept at the time it starts, so the file never
 * goes back to an older text. A missing or damaged file keeps nothing.
 */
export class OutputDraftStore {
  private kept: Promise<Map<string, KeptText>> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(
    private readonly fs: FileSystem,
    private readonly file: string,
    private readonly options: OutputDraftStoreOptions = {},
  ) {}

  /** What was typed for `callId`, if anything is kept. */
  async get(callId: string): Promise<string | undefined> {
    return (await this.load()).get(callId)?.text;
  }

  /** Keeps `text` for `callId` (an empty text keeps nothing); resolves once it is on disk. */
  async save(callId: string, text: string): Promise<void> {
    const kept = await this.load();
    if (text) kept.set(callId, { text, savedAt: this.now() });
    else if (!kept.delete(callId)) return;
    await this.write();
  }

  /** The call got its output: its text goes. Resolves once that is on disk. */
  async remove(callId: string): Promise<void> {
    if ((await this.load()).delete(callId)) await this.write();
  }

  private load(): Promise<Map<string, KeptText>> {
    this.kept ??= readJsonFile(this.fs, this.file).then(
      (parsed) => {
        const oldest = this.now() - MAX_AGE_MS;
        const kept = new Map<string, KeptText>();
        if (typeof parsed !== 'object' || parsed === null) return kept;
        for (const [callId, value] of Object.entries(parsed)) {
          if (isKeptText(value) && value.savedAt >= oldest) kept.set(callId, value);
        }
        return kept;
      },
      (error: unknown) => {
        this.options.onError?.(error);
        return new Map<string, KeptText>();
      },
    );
    return this.kept;
  }

  /** One write after the one under way, with what is kept when it starts: changes made meanwhile share it. */
  private write(): Promise<void> {
    if (this.queued) return this.queued;
    const queued = this.writing.then(async () => {
      this.queued = undefined;
      const kept = await this.load();
      try {
        await this.fs.writeFileAtomic(this.file, new TextEncoder().encode(JSON.stringify(Object.fromEntries(kept))));
      } catch (error) {
        this.options.onError?.(error);
      }
    });
    this.queued = queued;
    this.writing = queued;
    return queued;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function isKeptText(value: unknown): value is KeptText {
  if (typeof value !== 'object' || value === null) return false;
  const { text, savedAt } = value as Partial<KeptText>;
  return typeof text === 'string' && typeof savedAt === 'number' && Number.isFinite(savedAt);
}

export interface OutputRequestsOptions {
  /** Where typed outputs outlive a window reload; without one they live as long as this object. */
  store?: OutputDraftStore;
  /** The waiting list changed (a call came or went; not for typing: the page has that). */
  onChange(waiting: WaitingOutput[]): void;
  /** A call now waits for the user (the host brings the chat into view). */
  onAsk?(): void;
}

/**
 * The calls waiting for the user's output. A call asked again with a text kept for it (a resumed
 * run after a window reload) comes with that text. A submitted output drops the kept text; a
 * stopped run leaves it until it ages out, since a window closing stops this process's runs the same
 * way, and the next window needs it.
 */
export class OutputRequests implements OutputAsker {
  private readonly pending = new Map<string, { view: WaitingOutput; resolve(output: string | undefined): void }>();

  constructor(private readonly options: OutputRequestsOptions) {}

  async ask(request: OutputRequest, signal: AbortSignal): Promise<string | undefined> {
    const draft = (await this.options.store?.get(request.callId)) ?? '';
    if (signal.aborted) return undefined;
    return new Promise<string | undefined>((resolve) => {
      const settle = (output: string | undefined) => {
        if (!this.pending.delete(request.callId)) return;
        signal.removeEventListener('abort', onAbort);
        this.options.onChange(this.list());
        resolve(output);
      };
      const onAbort = () => settle(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      const { callId, runId, name, arguments: args } = request;
      this.pending.set(callId, { view: { callId, runId, name, arguments: args, draft }, resolve: settle });
      this.options.onChange(this.list());
      this.options.onAsk?.();
    });
  }

  /** The user's output, submitted as the call's output; unknown ids are ignored. Resolves once its kept text is gone. */
  async submit(callId: string, output: string): Promise<void> {
    const entry = this.pending.get(callId);
    if (!entry) return;
    entry.resolve(output);
    await this.options.store?.remove(callId);
  }

  /** What the user has typed so far for `callId`, kept for the next page and the next window. Resolves once it is on disk. */
  async saveDraft(callId: string, draft: string): Promise<void> {
    const entry = this.pending.get(callId);
    if (!entry) return;
    entry.view = { ...entry.view, draft };
    await this.options.store?.save(callId, draft);
  }

  /** The calls waiting for an output, oldest first. */
  list(): WaitingOutput[] {
    return [...this.pending.values()].map((entry) => entry.view);
  }

  /** The window is closing: no call waits any more here; the kept texts stay for the next window. */
  dispose(): void {
    for (const entry of [...this.pending.values()]) entry.resolve(undefined);
  }
}
