/**
 * What the host decides about a file's bytes before the chat shows or saves them. Pure (no
 * `vscode`), so it runs in plain Node tests.
 */
import type { ImageMime } from '../../core/threads/images';
import { IMAGE_EXTENSIONS, sniffImage } from '../../core/threads/images';
import { fileNameOf } from '../../core/threads/keptFiles';
import { isStoredOutput } from '../../common/model';

/** Larger images would bloat the webview message and the page for little gain in a sidebar. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

export type ImageResult = { dataUrl: string; mime: ImageMime } | { error: string };

/** The bytes as a `data:` URL the webview's CSP allows, or a sentence saying why not. */
export function imageDataUrl(bytes: Uint8Array): ImageResult {
  if (bytes.byteLength > MAX_IMAGE_BYTES) {
    return { error: `The image is too large to show here (${megabytes(bytes.byteLength)} MB; the limit is ${megabytes(MAX_IMAGE_BYTES)} MB). Save it to open it.` };
  }
  const mime = sniffImage(bytes);
  if (!mime) return { error: 'The file is not an image the chat can show (PNG, JPEG, GIF or WebP).' };
  return { dataUrl: `data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`, mime };
}

/**
 * The name a save dialog suggests: the file's own name without any directory (a code
 * interpreter names files like `/mnt/data/chart.png`), made a name any file system takes and that
 * reads as it is (`fileNameOf`: no text-direction or control characters, no device name, bounded),
 * else, for a file nobody named, the server's id (a file kept beside the thread: `image-` or `file-`
 * and the start of its hash) with the extension its bytes show (the kept file's own, when they show none).
 */
export function suggestedFileName(fileId: string, bytes: Uint8Array, filename?: string): string {
  const base = fileNameOf(filename);
  if (base) return base;
  const mime = sniffImage(bytes);
  const stored = isStoredOutput(fileId) ? /^stored-output:([0-9a-f]{8})[0-9a-f]*\.(\w{1,8})$/.exec(fileId) : null;
  if (stored) return mime ? `image-${stored[1]}.${IMAGE_EXTENSIONS[mime]}` : `file-${stored[1]}.${stored[2]}`;
  return `${fileId.replace(/[^\w.-]+/g, '_')}.${mime ? IMAGE_EXTENSIONS[mime] : 'bin'}`;
}

/** A map that forgets its oldest entries past `capacity`; reading an entry makes it the newest. */
export class RecentCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
}
