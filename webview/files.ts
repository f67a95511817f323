/**
 * Images the assistant made, asked of the host once each (the page never fetches anything). No
 * DOM here: renderers watch a file's status and redraw their figure when it settles.
 */
import type { HostToWebview, WebviewToHost } from '../src/common/protocol';
import { isRasterDataImage } from './links';

/**
 * A file as the host can download it: a container file when `containerId` is set; an image kept
 * beside the thread when `threadId` is set (`fileId` is then its stored-output URL).
 */
export interface FileRef {
  fileId: string;
  containerId?: string;
  threadId?: string;
}

export type FileStatus = { state: 'loading' } | { state: 'ready'; dataUrl: string } | { state: 'error'; error: string };

export type FileContent = Extract<HostToWebview, { type: 'file/content' }>;

export interface FileRequestsDeps {
  post(message: WebviewToHost): void;
  newRequestId(): string;
  /** Schedules the request's time-out (a parameter so tests need not wait). */
  setTimer(callback: () => void, ms: number): void;
}

/** The host downloads through the network: give it time, but not forever. */
export const FILE_TIMEOUT_MS = 20_000;

export const TIMEOUT_ERROR = 'The image did not arrive in time.';

interface Entry {
  requestId: string;
  status: FileStatus;
  /** A time-out may be luck: the next render asks again; a refusal by the host is final. */
  retry: boolean;
  listeners: Set<(status: FileStatus) => void>;
}

export function fileKey(ref: FileRef): string {
  return `${ref.containerId ?? ''}/${ref.fileId}`;
}

export class FileRequests {
  private readonly entries = new Map<string, Entry>();
  private readonly keysByRequest = new Map<string, string>();

  constructor(
    private readonly deps: FileRequestsDeps,
    private readonly timeoutMs = FILE_TIMEOUT_MS,
  ) {}

  /** The file's status now; asks the host unless it already has, and calls `listener` once the file settles. */
  watch(ref: FileRef, listener: (status: FileStatus) => void): FileStatus {
    const key = fileKey(ref);
    let entry = this.entries.get(key);
    if (!entry || (entry.status.state === 'error' && entry.retry)) {
      entry = this.request(key, ref, entry?.listeners);
    }
    if (entry.status.state === 'loading') entry.listeners.add(listener);
    return entry.status;
  }

  /** Takes the host's answer; one for a request nobody made (or a superseded one) is ignored. */
  receive(message: FileContent): void {
    const key = this.keysByRequest.get(message.requestId);
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (!entry || entry.requestId !== message.requestId) return;
    this.keysByRequest.delete(message.requestId);
    const status: FileStatus =
      message.dataUrl !== undefined && isRasterDataImage(message.dataUrl)
        ? { state: 'ready', dataUrl: message.dataUrl }
        : { state: 'error', error: message.error ?? 'The image could not be shown.' };
    this.settle(entry, status, false);
  }

  private request(key: string, ref: FileRef, listeners = new Set<(status: FileStatus) => void>()): Entry {
    const requestId = this.deps.newRequestId();
    const entry: Entry = { requestId, status: { state: 'loading' }, retry: false, listeners };
    this.entries.set(key, entry);
    this.keysByRequest.set(requestId, key);
    this.deps.post({
      type: 'file/request',
      requestId,
      fileId: ref.fileId,
      ...(ref.containerId ? { containerId: ref.containerId } : {}),
      ...(ref.threadId ? { threadId: ref.threadId } : {}),
    });
    this.deps.setTimer(() => {
      // A late answer still counts: the request id stays known.
      if (entry.status.state === 'loading' && this.entries.get(key) === entry) this.settle(entry, { state: 'error', error: TIMEOUT_ERROR }, true);
    }, this.timeoutMs);
    return entry;
  }

  private settle(entry: Entry, status: FileStatus, retry: boolean): void {
    entry.status = status;
    entry.retry = retry;
    const listeners = [...entry.listeners];
    // A late answer after a time-out must reach figures drawn since; keep listening until final.
    if (!retry) entry.listeners.clear();
    for (const listener of listeners) listener(status);
  }
}
