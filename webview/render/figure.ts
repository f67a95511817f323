/** Images the assistant made, drawn as figures with a Save button, and saving files it wrote. */
import type { WebviewToHost } from '../../src/common/protocol';
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
}

/** A file to save: one the host downloads, or an image the server sent inline (`dataUrl`). */
export interface SaveTarget extends FileRef {
  filename?: string;
  dataUrl?: string;
}

export class Figures {
  constructor(
    private readonly requests: FileRequests,
    private readonly post: (message: WebviewToHost) => void,
    /** The thread the chat shows: stored outputs are read from beside it. */
    private readonly threadId: () => string | undefined,
  ) {}

  /** A figure for a file the host downloads; it fills in when the image arrives. */
  file(ref: FileRef, options: FigureOptions): HTMLElement {
    const frame = h('div', { className: 'file-figure-frame' });
    const show = (status: FileStatus): void => frame.replaceChildren(frameContent(status, options.alt));
    show(this.requests.watch(ref, show));
    return this.figure(frame, { ...ref, filename: options.filename }, options);
  }

  /** A figure for an image kept beside the thread (a stored-output URL); the host reads it from disk. */
  stored(url: string, options: FigureOptions): HTMLElement {
    return this.file({ fileId: url, threadId: this.threadId() }, options);
  }

  /** A figure for an image the server sent inline (a `data:` URL), shown at once. */
  inline(dataUrl: string, ref: FileRef, options: FigureOptions): HTMLElement {
    const frame = h('div', { className: 'file-figure-frame' }, frameContent({ state: 'ready', dataUrl }, options.alt));
    return this.figure(frame, { ...ref, filename: options.filename, dataUrl }, options);
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
