/**
 * Downloads the files the assistant made on the server once each, when their step or message
 * completes, and keeps them beside their thread: a code-interpreter container expires about 20
 * minutes after its last use, and its files with it. What became of each file is reported through
 * `settled`, for the session to record in the thread (`KeptFile`).
 */
import type { ErrorKind } from '../errors';
import { asAssistantsError } from '../errors';
import type { FileOperations, OutputFileRef } from '../files';
import type { NamedFile } from './keptFiles';
import { extensionOf, fileNameOf, filesOfMessage, filesOfThread, keptFileKey, sandboxLinksIn, sandboxPathOf } from './keptFiles';
import { IMAGE_EXTENSIONS, sniffImage } from './images';
import type { Annotation, KeptFile, Message } from '../../common/model';
import type { StoredThread } from './threadStore';

/** The most bytes kept of one file; a larger one is said to be too large and not kept. */
export const MAX_KEPT_FILE_BYTES = 32 * 1024 * 1024;
/** The most bytes of files one thread keeps; past that, files are said not kept. */
export const MAX_KEPT_THREAD_BYTES = 256 * 1024 * 1024;
/** The most files one thread keeps (an answer citing thousands is not downloaded thousands of times). */
export const MAX_KEPT_THREAD_FILES = 200;
/** The most uncited `sandbox:` links of one answer that are looked up. */
const MAX_LINKS_LOOKED_UP = 50;
/** How long after a failed download it is tried the second and last time. */
export const KEEP_RETRY_MS = 30_000;
/** Downloads at once, over all threads. */
const CONCURRENT_DOWNLOADS = 2;

export interface FileKeeperOptions {
  /** The server's file operations now (throws `AssistantsError`, e.g. `no_api_key`). */
  connect(): Promise<Pick<FileOperations, 'outputFile' | 'containerFiles' | 'listFiles'>>;
  /** Writes the bytes beside the thread (`ThreadStore.keepFile`); resolves to their stored-output URL. */
  keepFile(threadId: string, bytes: Uint8Array, extension: string): Promise<string>;
  /** What became of the file `key` (`keptFileKey`) of thread `threadId`: record it on every holder of that key. */
  settled(threadId: string, key: string, kept: KeptFile): void;
  /**
   * The keeper found which file a `sandbox:` link of message `messageId` names (the server did not
   * cite it): add `annotation` to the message's text part `partIndex`.
   */
  linked(threadId: string, messageId: string, partIndex: number, annotation: Extract<Annotation, { type: 'file_path' }>): void;
  /** Failures worth a line in the log (the user sees the sentence in the chat). */
  log?(line: string): void;
  maxFileBytes?: number;
  maxThreadBytes?: number;
  maxThreadFiles?: number;
  retryAfterMs?: number;
}

/**
 * One per chat. `keep` starts the work for a thread and returns at once; `whenSettled` waits for a
 * file (the chat asking to show one still on its way). A first failure is tried once more after
 * `retryAfterMs` (or when the thread is next kept, after a window reload); a second is final and
 * said in one sentence. `dispose` stops everything (nothing half-written is recorded).
 */
export class FileKeeper {
  private readonly inFlight = new Map<string, Promise<KeptFile>>();
  private readonly retrying = new Map<string, ReturnType<typeof setTimeout>>();
  /** Bytes each thread keeps, counted from its files the first time, then as files are kept. */
  private readonly threadBytes = new Map<string, number>();
  /** Messages whose uncited `sandbox:` links were looked up already (once a session is enough). */
  private readonly linksLooked = new Set<string>();
  private readonly abort = new AbortController();
  /** Bumped by `forget`: a download started before keeps nothing and reports nothing. */
  private readonly generations = new Map<string, number>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: FileKeeperOptions) {}

  /**
   * Starts keeping every file `stored` names whose step or message has ended and that is neither
   * kept nor given up on, and looks up the files the uncited `sandbox:` links of its ended answers
   * name. Files on their way already are not asked for again.
   */
  keep(stored: StoredThread): void {
    if (this.abort.signal.aborted) return;
    const threadId = stored.thread.id;
    const files = filesOfThread(stored);
    if (!this.threadBytes.has(threadId)) this.threadBytes.set(threadId, keptBytes(files));
    const hints = new Map<string, string>();
    for (const file of files) if (file.hint && !hints.has(keptFileKey(file.ref))) hints.set(keptFileKey(file.ref), file.hint);
    const named = new Set(files.map((file) => keptFileKey(file.ref)));
    const maxFiles = this.options.maxThreadFiles ?? MAX_KEPT_THREAD_FILES;
    const allowed = new Set([...named].slice(0, maxFiles));
    for (const file of files) {
      const key = keptFileKey(file.ref);
      if (!file.ready || this.busy(threadId, key) || !wanted(file.holder.kept)) continue;
      if (!allowed.has(key)) {
        const label = fileNameOf(hints.get(key)) ?? 'A file the assistant made';
        this.options.settled(threadId, key, { ...(fileNameOf(hints.get(key)) ? { filename: fileNameOf(hints.get(key)) } : {}), error: `${label} was not kept: this thread keeps at most ${maxFiles} files; start a new thread to keep more.` });
        continue;
      }
      void this.start(threadId, file, hints.get(key));
    }
    for (const message of stored.messages) this.lookUpLinks(stored, message);
  }

  /** What became of the file `ref` of thread `threadId` once its download on the way settles; undefined when none is. */
  whenSettled(threadId: string, ref: OutputFileRef): Promise<KeptFile> | undefined {
    return this.inFlight.get(`${threadId}\n${keptFileKey(ref)}`);
  }

  /** Resolves once no download or lookup started so far is still going (for tests and benches). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * The thread was cleared or deleted: what is on its way for it is dropped (nothing is written
   * beside it, nothing reported), and a retry due is not made.
   */
  forget(threadId: string): void {
    this.generations.set(threadId, (this.generations.get(threadId) ?? 0) + 1);
    for (const [id, timer] of this.retrying) {
      if (!id.startsWith(`${threadId}\n`)) continue;
      clearTimeout(timer);
      this.retrying.delete(id);
    }
  }

  dispose(): void {
    this.abort.abort();
    for (const timer of this.retrying.values()) clearTimeout(timer);
    this.retrying.clear();
  }

  private busy(threadId: string, key: string): boolean {
    const id = `${threadId}\n${key}`;
    return this.inFlight.has(id) || this.retrying.has(id);
  }

  private start(threadId: string, file: NamedFile, hint: string | undefined): Promise<KeptFile> {
    const key = keptFileKey(file.ref);
    const id = `${threadId}\n${key}`;
    const failures = file.holder.kept?.failures ?? 0;
    const generation = this.generations.get(threadId) ?? 0;
    const current = () => (this.generations.get(threadId) ?? 0) === generation;
    const work = this.download(threadId, file.ref, hint, failures, current).then((kept) => {
      this.inFlight.delete(id);
      if (this.abort.signal.aborted || !current()) return kept;
      this.options.settled(threadId, key, kept);
      if (kept.failures === 1 && !kept.error) this.retryLater(threadId, { ...file, holder: { kept } }, hint);
      return kept;
    });
    this.inFlight.set(id, work);
    return work;
  }

  private retryLater(threadId: string, file: NamedFile, hint: string | undefined): void {
    const id = `${threadId}\n${keptFileKey(file.ref)}`;
    const timer = setTimeout(() => {
      this.retrying.delete(id);
      if (!this.abort.signal.aborted) void this.start(threadId, file, hint);
    }, this.options.retryAfterMs ?? KEEP_RETRY_MS);
    this.retrying.set(id, timer);
  }

  /** One download, in turn with the others; never throws: a failure is a `KeptFile` too. */
  private async download(threadId: string, ref: OutputFileRef, hint: string | undefined, failures: number, current: () => boolean): Promise<KeptFile> {
    await this.turn();
    try {
      const maxFile = this.options.maxFileBytes ?? MAX_KEPT_FILE_BYTES;
      const got = await (await this.options.connect()).outputFile(ref, maxFile, this.abort.signal);
      const filename = fileNameOf(hint, got.name);
      const named = filename ? { filename } : {};
      const label = filename ?? 'A file the assistant made';
      if ('tooLarge' in got) {
        return { ...named, error: `${label} is ${megabytes(got.tooLarge)} MB, more than the ${megabytes(maxFile)} MB kept of one file, so it was not kept; ask the assistant for a smaller one.` };
      }
      const maxThread = this.options.maxThreadBytes ?? MAX_KEPT_THREAD_BYTES;
      const before = this.threadBytes.get(threadId) ?? 0;
      if (before + got.bytes.byteLength > maxThread) {
        return { ...named, error: `${label} was not kept: this thread keeps ${megabytes(maxThread)} MB of files already; start a new thread to keep more.` };
      }
      // Cleared or deleted meanwhile: nothing is written beside a thread that no longer names it.
      if (!current()) return { ...named, error: 'The thread was cleared.' };
      const mime = sniffImage(got.bytes);
      const url = await this.options.keepFile(threadId, got.bytes, mime ? IMAGE_EXTENSIONS[mime] : extensionOf(filename));
      this.threadBytes.set(threadId, before + got.bytes.byteLength);
      return { url, ...named, bytes: got.bytes.byteLength };
    } catch (error) {
      const failure = asAssistantsError(error);
      const label = fileNameOf(hint) ?? 'A file the assistant made';
      this.options.log?.(`Keeping ${keptFileKey(ref)} of thread ${threadId} failed (attempt ${failures + 1}): ${failure.message}`);
      const hinted = fileNameOf(hint) ? { filename: fileNameOf(hint) } : {};
      if (failures + 1 < 2) return { ...hinted, failures: failures + 1 };
      const why =
        failure.kind === 'not_found'
          ? `${label} could not be kept: the server no longer has it (code-interpreter files go about 20 minutes after their last use); ask the assistant to make it again.`
          : `${label} could not be downloaded, so it was not kept (${REASONS[failure.kind] ?? 'the server refused it'}); ask the assistant to make it again.`;
      return { ...hinted, failures: failures + 1, error: why };
    } finally {
      this.release();
    }
  }

  /**
   * A `sandbox:/mnt/data/x.csv` link the server did not cite names a file of the run: in its
   * code-interpreter container (Responses: listed, and matched by path), else one the run's other
   * outputs name by that file name, else the newest file the server lists as the assistant's output
   * (Assistants v2) of that name made since the run began. Each found becomes a citation of the
   * link (`linked`).
   */
  private lookUpLinks(stored: StoredThread, message: Message): void {
    if (message.role !== 'assistant' || message.status === 'in_progress') return;
    const threadId = stored.thread.id;
    const id = `${threadId}\n${message.id}`;
    const uncited = message.content
      .flatMap((part, partIndex) => {
        if (part.type !== 'text') return [];
        return sandboxLinksIn(part.text).filter((path) => !part.annotations.some((a) => citesPath(a, path))).map((path) => ({ partIndex, path }));
      })
      .slice(0, MAX_LINKS_LOOKED_UP);
    if (uncited.length === 0 || this.linksLooked.has(id)) return;
    this.linksLooked.add(id);
    const steps = message.runId ? (stored.runs[message.runId]?.steps ?? []) : [];
    const containers = [...new Set(steps.flatMap((step) => (step.details.type === 'tool_calls' ? step.details.toolCalls : [])).flatMap((call) => (call.type === 'code_interpreter' && call.containerId ? [call.containerId] : [])))];
    const record = message.runId ? stored.runs[message.runId] : undefined;
    const runFiles = [...filesOfMessage(message), ...filesOfThread({ messages: [], runs: record ? { [record.run.id]: record } : {} })];
    const since = (record?.run.createdAt ?? message.createdAt) - 60;
    const work = (async (): Promise<KeptFile> => {
      await this.turn();
      try {
        const server = await this.options.connect();
        const listed: { fileId: string; path: string; containerId: string }[] = [];
        for (const containerId of containers) {
          const files = await server.containerFiles(containerId, this.abort.signal);
          listed.push(...files.map((file) => ({ ...file, containerId })));
        }
        let outputs: { id: string; filename: string; createdAt: number }[] | undefined;
        for (const { partIndex, path } of uncited) {
          const name = fileNameOf(path);
          const inContainer = listed.find((file) => file.path === path) ?? listed.find((file) => fileNameOf(file.path) === name);
          let named = inContainer ? { fileId: inContainer.fileId, containerId: inContainer.containerId } : runFiles.find((file) => fileNameOf(file.hint, file.holder.kept?.filename) === name)?.ref;
          if (!named && containers.length === 0) {
            outputs ??= (await server.listFiles(this.abort.signal)).filter((file) => file.purpose === 'assistants_output' && file.createdAt >= since).sort((a, b) => b.createdAt - a.createdAt);
            const file = outputs.find((f) => f.filename === path) ?? outputs.find((f) => fileNameOf(f.filename) === name);
            if (file) named = { fileId: file.id };
          }
          if (!named || this.abort.signal.aborted) continue;
          this.options.linked(threadId, message.id, partIndex, { type: 'file_path', text: `sandbox:${path}`, ...named, ...(name ? { filename: name } : {}) });
        }
      } catch (error) {
        // The link then shows as text that says it is not kept; the next window looks again.
        this.options.log?.(`Looking up the files linked from message ${message.id} failed: ${asAssistantsError(error).message}`);
      } finally {
        this.release();
        this.inFlight.delete(`${id}\nlinks`);
      }
      return {};
    })();
    this.inFlight.set(`${id}\nlinks`, work);
  }

  private async turn(): Promise<void> {
    if (this.active >= CONCURRENT_DOWNLOADS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }
}

/** Why a download failed, briefly, by kind; the log has the server's words. */
const REASONS: Partial<Record<ErrorKind, string>> = {
  no_api_key: 'no API key is set',
  auth: 'the API key was refused',
  permission: 'the API key may not read it',
  rate_limited: 'the server was rate limiting',
  quota: 'the account is out of quota',
  server: 'the server had an error',
  bad_response: 'the server did not answer as the API does',
  network: 'the connection failed',
  timeout: 'the server took too long',
  file_system: 'it could not be written to this workspace\'s storage',
};

/** Whether a citation names the file at `path` (by its `sandbox:` text, or its name). */
function citesPath(annotation: Annotation, path: string): boolean {
  if (annotation.type !== 'file_path') return false;
  if (sandboxPathOf(annotation.text) === path) return true;
  return annotation.text === undefined && fileNameOf(annotation.filename) === fileNameOf(path);
}

/** Whether a file is still to be downloaded: never tried, or failed once and not yet given up on. */
function wanted(kept: KeptFile | undefined): boolean {
  return !kept || (kept.url === undefined && kept.error === undefined);
}

/** Bytes the thread keeps already, each stored file counted once. */
function keptBytes(files: readonly NamedFile[]): number {
  const sizes = new Map<string, number>();
  for (const { holder } of files) if (holder.kept?.url && holder.kept.bytes) sizes.set(holder.kept.url, holder.kept.bytes);
  return [...sizes.values()].reduce((sum, n) => sum + n, 0);
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
}
