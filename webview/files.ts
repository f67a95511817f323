/**
 * Images the assistant made, asked of the host once each (the page never fetches anything). No
 * DOM here: renderers watch a file's status and redraw their figure when it settles.
 */
import type { FileRefPayload } from '../src/common/protocol';
import type { LateReply, RequestOptions } from '../src/common/requests';
import { RequestError } from '../src/common/requests';
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

/** The host downloads through the network: give it time, but not forever (the `file/read` request's time-out). */
export const FILE_TIMEOUT_MS = 20_000;

export const TIMEOUT_ERROR = 'The image did not arrive in time.';

interface Entry {
  status: FileStatus;
  /** A time-out may be luck: the next render asks again; a refusal by the host is final. */
  retry: boolean;
  listeners: Set<(status: FileStatus) => void>;
}

export function fileKey(ref: FileRef): string {
  return `${ref.containerId ?? ''}/${ref.fileId}`;
}

/** What asks the host for a file: the requester of any page whose requests include the chat's `file/read`. */
export interface FileReader {
  request(kind: 'file/read', payload: FileRefPayload, options?: RequestOptions<{ dataUrl: string }>): Promise<{ dataUrl: string }>;
}

export class FileRequests {
  private readonly entries = new Map<string, Entry>();

  /** @param requests Asks the host (`file/read`), with the time-out `FILE_TIMEOUT_MS`. */
  constructor(private readonly requests: FileReader) {}

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

  private request(key: string, ref: FileRef, listeners = new Set<(status: FileStatus) => void>()): Entry {
    const entry: Entry = { status: { state: 'loading' }, retry: false, listeners };
    this.entries.set(key, entry);
    // An answer to a request asked again since (after a time-out) is superseded.
    const current = () => this.entries.get(key) === entry;
    const answered = (reply: LateReply<{ dataUrl: string }>) => {
      if (current()) this.settle(entry, statusOf(reply), false);
    };
    const payload = {
      fileId: ref.fileId,
      ...(ref.containerId ? { containerId: ref.containerId } : {}),
      ...(ref.threadId ? { threadId: ref.threadId } : {}),
    };
    this.requests
      // A late answer still counts: it reaches the figures drawn since the time-out.
      .request('file/read', payload, { late: answered })
      .then(
        (value) => answered({ ok: true, value }),
        (error: unknown) => {
          if (error instanceof RequestError && error.reason === 'timeout') {
            if (entry.status.state === 'loading' && current()) this.settle(entry, { state: 'error', error: TIMEOUT_ERROR }, true);
          } else answered({ ok: false, error: error instanceof Error ? error.message : String(error) });
        },
      );
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

/** What the host's answer makes of the file: only an image `data:` URL is shown. */
function statusOf(reply: LateReply<{ dataUrl: string }>): FileStatus {
  if (reply.ok && typeof reply.value?.dataUrl === 'string' && isRasterDataImage(reply.value.dataUrl)) return { state: 'ready', dataUrl: reply.value.dataUrl };
  return { state: 'error', error: (reply.ok ? undefined : reply.error) || 'The image could not be shown.' };
}
