/** Images the assistant made, drawn as figures with a Save button, and saving files it wrote. */
import type { WebviewToHost } from '../../src/common/protocol';
import type { KeptFile } from '../../src/common/model';
import type { FileRef, FileRequests, FileStatus } from '../files';
import { codicon, h } from '../ui/dom';
import { button } from '../ui/kit';

export interface FigureOptions {
  /** Alternative text: what the image is, for screen readers and when it does not load. */
  alt: string;
  /** Shown under the image and suggested when saving. */
  filename?: string;
  /** Shown under the image when there is no file name. */
  caption?: string;
  /**
   * Where the figure stands in the thread (a run's figure by number, a message's part), when it has
   * a place: a figure drawn again there shows the image it showed while its new source loads (the
   * copy kept beside the thread, which replaces the server's file or the inline image once written).
   */
  place?: string;
}

/** A file to save: one the host downloads, or an image the server sent inline (`dataUrl`). */
export interface SaveTarget extends FileRef {
  filename?: string;
  dataUrl?: string;
}

export class Figures {
  /** The image each place last showed (see `FigureOptions.place`), for the open thread. */
  private readonly shown = new Map<string, string>();

  constructor(
    private readonly requests: FileRequests,
    private readonly post: (message: WebviewToHost) => void,
    /** The thread the chat shows: stored outputs are read from beside it. */
    private readonly threadId: () => string | undefined,
  ) {}

  /**
   * A figure for a file the host reads; it fills in when the image arrives. Save is offered once it
   * has, or at once when `savable` (a kept file the chat cannot draw can still be saved).
   */
  file(ref: FileRef, options: FigureOptions, savable = true): HTMLElement {
    const frame = h('div', { className: 'file-figure-frame' });
    const figure = this.figure(frame, { ...ref, filename: options.filename }, options);
    const save = figure.querySelector<HTMLElement>('.file-figure-save');
    const place = options.place;
    const show = (status: FileStatus): void => {
      if (save) save.hidden = !savable && status.state !== 'ready';
      if (place !== undefined && status.state === 'ready') this.shown.set(place, status.dataUrl);
      const earlier = place !== undefined && status.state === 'loading' ? this.shown.get(place) : undefined;
      const drawn = earlier !== undefined ? { state: 'ready' as const, dataUrl: earlier } : status;
      // The same image arriving from its new source is left as it is drawn.
      if (drawn.state === 'ready' && frame.querySelector('img')?.getAttribute('src') === drawn.dataUrl) return;
      frame.replaceChildren(frameContent(drawn, options.alt));
    };
    show(this.requests.watch(ref, show));
    return figure;
  }

  /**
   * A figure for an image a run made on the server, as the thread keeps it: drawn from beside the
   * thread once kept; one sentence, and no Save, when it could not be kept; while its download is on
   * its way (or for a thread kept before files were), the host answers once it settles.
   */
  server(ref: FileRef, kept: KeptFile | undefined, options: FigureOptions): HTMLElement {
    const threadId = this.threadId();
    const named = { ...options, filename: kept?.filename ?? options.filename };
    if (kept?.url !== undefined) return this.file({ fileId: kept.url, threadId }, named);
    if (kept?.error !== undefined) {
      const frame = h('div', { className: 'file-figure-frame' }, frameContent({ state: 'error', error: kept.error }, options.alt));
      const figure = this.figure(frame, { ...ref, filename: named.filename }, named);
      figure.querySelector('.file-figure-save')?.remove();
      return figure;
    }
    return this.file({ ...ref, threadId }, named, false);
  }

  /** Asks the host to save a kept file (see `KeptFile`); false when there is none to save. */
  saveKept(kept: KeptFile | undefined, fallbackName?: string): boolean {
    if (kept?.url === undefined) return false;
    const filename = kept.filename ?? fallbackName;
    this.save({ fileId: kept.url, threadId: this.threadId(), ...(filename ? { filename } : {}) });
    return true;
  }

  /** A figure for an image kept beside the thread (a stored-output URL); the host reads it from disk. */
  stored(url: string, options: FigureOptions): HTMLElement {
    return this.file({ fileId: url, threadId: this.threadId() }, options);
  }

  /** A figure for an image the server sent inline (a `data:` URL), shown at once. */
  inline(dataUrl: string, ref: FileRef, options: FigureOptions): HTMLElement {
    if (options.place !== undefined) this.shown.set(options.place, dataUrl);
    const frame = h('div', { className: 'file-figure-frame' }, frameContent({ state: 'ready', dataUrl }, options.alt));
    return this.figure(frame, { ...ref, filename: options.filename, dataUrl }, options);
  }

  /** Another thread is shown: the places of the one before are gone, and their images are let go. */
  forgetPlaces(): void {
    this.shown.clear();
  }

  /** Asks the host to save the file into the workspace (it shows the save dialog). */
  save(target: SaveTarget): void {
    this.post({
      type: 'file/save',
      fileId: target.fileId,
      ...(target.containerId ? { containerId: target.containerId } : {}),
      ...(target.threadId ? { threadId: target.threadId } : {}),
      ...(target.filename ? { filename: target.filename } : {}),
      ...(target.dataUrl ? { dataUrl: target.dataUrl } : {}),
    });
  }

  private figure(frame: HTMLElement, target: SaveTarget, options: FigureOptions): HTMLElement {
    const save = button({ label: 'Save', icon: 'save', secondary: true, onClick: () => this.save(target) });
    save.setAttribute('aria-label', `Save ${options.filename ?? 'image'} to the workspace`);
    save.classList.add('file-figure-save');
    const caption = h(
      'figcaption',
      { className: 'file-figure-caption' },
      h('span', { className: 'file-figure-name', text: options.filename ?? options.caption ?? options.alt, attrs: { title: target.fileId } }),
      save,
    );
    return h('figure', { className: 'file-figure', attrs: { 'data-file-id': target.fileId } }, frame, caption);
  }
}

function frameContent(status: FileStatus, alt: string): HTMLElement {
  switch (status.state) {
    case 'loading':
      return h('div', { className: 'file-figure-status', attrs: { role: 'status' } }, codicon('loading', { spin: true }), h('span', { text: 'Loading image…' }));
    case 'ready':
      return h('img', { className: 'file-image', attrs: { src: status.dataUrl, alt } });
    case 'error':
      return h('div', { className: 'file-figure-status file-figure-error', attrs: { role: 'note' } }, codicon('warning'), h('span', { text: status.error }));
  }
}
