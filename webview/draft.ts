/**
 * The composer's draft, kept in two places: the page's own state (it survives the view being
 * hidden and the webview reloaded) and the extension host (it survives a window reload, which the
 * page's state does not always). Both get every change at once, and the host writes each to disk
 * as it comes (the newest winning): the last keystrokes before a reload are the ones a user misses.
 * Every change carries a sequence number that keeps rising across pages, so whichever copy is
 * newer wins, and a send clears both with one number that no older write can beat. The additional
 * instructions for the next runs are kept the same way, by a DraftSync of their own that no send
 * clears.
 */
import type { DraftView } from '../src/common/protocol';

/** The next sequence number: the clock in milliseconds, but always above the last one. */
export function nextDraftSeq(last: number, nowMs: number): number {
  return Math.max(Math.floor(nowMs), last + 1);
}

/** The newer of the page's draft and the host's; the page's on a tie (it is the one on screen). */
export function newerDraft(page: DraftView, host: DraftView | undefined): DraftView {
  return host && host.seq > page.seq ? host : page;
}

export interface DraftSyncDeps {
  /** Posts `draft/save` to the host. */
  post(draft: DraftView): void;
  /** Writes the page's own state (setState). */
  persist(draft: DraftView): void;
  now(): number;
}

export class DraftSync {
  private draft: DraftView;
  /** The highest number given out (a send's clear takes one before it is applied). */
  private issued: number;

  constructor(
    private readonly deps: DraftSyncDeps,
    initial: DraftView,
  ) {
    this.draft = initial;
    this.issued = initial.seq;
  }

  get current(): DraftView {
    return this.draft;
  }

  /** The user changed the composer's text: both copies take it now. */
  changed(text: string): void {
    this.draft = { text, seq: this.nextSeq() };
    this.deps.persist(this.draft);
    this.deps.post(this.draft);
  }

  /**
   * A send is about to go out: it carries the returned number, with which the host clears its copy
   * once it accepts the message (until then both keep the text, should the send be refused).
   */
  sending(): number {
    return this.nextSeq();
  }

  /**
   * The send that carried `seq` was accepted: the page's copy is empty from that change on.
   * Returns false when the text changed after the send (the newer text stays).
   */
  cleared(seq: number): boolean {
    if (seq < this.draft.seq) return false;
    this.draft = { text: '', seq };
    this.deps.persist(this.draft);
    return true;
  }

  /** The host's copy arrived: returns its text when it is newer than the page's (which it replaces). */
  adopt(host: DraftView | undefined): string | undefined {
    const newer = newerDraft(this.draft, host);
    if (newer === this.draft) return undefined;
    this.draft = newer;
    this.issued = Math.max(this.issued, newer.seq);
    this.deps.persist(this.draft);
    return newer.text;
  }

  private nextSeq(): number {
    this.issued = nextDraftSeq(this.issued, this.deps.now());
    return this.issued;
  }
}
