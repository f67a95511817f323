/**
 * A text the composer keeps, kept by the extension host so it outlives a window reload (the
 * webview's own state does not always): the unsent draft, and the additional instructions for the
 * next runs (each in a store of its own). Every change carries a sequence number made by the webview
 * (`Math.max(Date.now(), last + 1)`, so it keeps rising across pages), and a send clears the draft
 * with a number of its own: a draft write that arrives late can never bring back a question
 * already sent.
 */
import type { FileSystem } from '../workspace/fileSystem';
import { readJsonFile } from '../workspace/fileSystem';

/** A draft as one change left it: its text and that change's sequence number. */
export interface Draft {
  text: string;
  seq: number;
}

export const EMPTY_DRAFT: Draft = { text: '', seq: 0 };

/**
 * The draft after `change`. A write is taken only when it is newer than what is kept; a clear (a
 * send was accepted) also wins a tie, since the send took the text of that very change.
 */
export function applyDraftChange(kept: Draft, change: { kind: 'save' | 'clear'; draft: Draft }): Draft {
  const { draft } = change;
  if (change.kind === 'clear') return draft.seq >= kept.seq ? { text: '', seq: draft.seq } : kept;
  return draft.seq > kept.seq ? draft : kept;
}

/** Sequence numbers are epoch milliseconds or just above: anything else is not one of ours. */
function isDraft(value: unknown): value is Draft {
  if (typeof value !== 'object' || value === null) return false;
  const { text, seq } = value as Partial<Draft>;
  return typeof text === 'string' && typeof seq === 'number' && Number.isFinite(seq) && seq >= 0;
}

export interface DraftStoreOptions {
  /** Errors writing the file (disk full, say): the draft stays in memory and the webview. */
  onError?: (error: unknown) => void;
}

/**
 * One JSON file (`{ "text", "seq" }`) written atomically. Every change is written at once, with
 * no pause for more keystrokes: a window that reloads or closes may stop this process before any
 * timer fires, and the last word typed is the one a user misses. Writes go out one after another,
 * so an older write never lands after a newer one; changes made while one is going out are
 * written together, as the newest, once it is done.
 */
export class DraftStore {
  private kept: Draft = EMPTY_DRAFT;
  private loaded: Promise<void> | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** A write is queued behind `writing` and has not started: it takes whatever is newest then. */
  private queued = false;
  /** The last draft a write was tried with (a failed write is tried again with the next change). */
  private tried: Draft = EMPTY_DRAFT;

  constructor(
    private readonly fs: FileSystem,
    private readonly file: string,
    private readonly options: DraftStoreOptions = {},
  ) {}

  /**
   * The kept draft. The file is read once (a missing or damaged file is no draft) and taken as one
   * more write: changes that came before the read was done are ordered against it by number.
   */
  async current(): Promise<Draft> {
    this.loaded ??= readJsonFile(this.fs, this.file).then(
      (parsed) => {
        if (!isDraft(parsed)) return;
        this.tried = parsed;
        this.kept = applyDraftChange(parsed, { kind: this.kept.text ? 'save' : 'clear', draft: this.kept });
      },
      (error: unknown) => this.options.onError?.(error),
    );
    await this.loaded;
    return this.kept;
  }

  /** The composer changed: kept now and written at once. Resolves once it (or a newer change) is on disk or its write failed. */
  save(draft: Draft): Promise<void> {
    if (!isDraft(draft)) return Promise.resolve();
    this.kept = applyDraftChange(this.kept, { kind: 'save', draft });
    return this.flush();
  }

  /** A send was accepted: the draft is empty from change `seq` on. Resolves once that is on disk. */
  async clear(seq: number): Promise<void> {
    this.kept = applyDraftChange(this.kept, { kind: 'clear', draft: { text: '', seq } });
    await this.flush();
  }

  /** Writes what is kept now, if no write was tried with it yet. */
  async flush(): Promise<void> {
    await this.current();
    if (!this.queued) {
      this.queued = true;
      this.writing = this.writing.then(async () => {
        this.queued = false;
        const draft = this.kept;
        if (draft === this.tried) return;
        this.tried = draft;
        try {
          await this.fs.writeFileAtomic(this.file, new TextEncoder().encode(JSON.stringify(draft)));
        } catch (error) {
          this.options.onError?.(error);
        }
      });
    }
    await this.writing;
  }
}
