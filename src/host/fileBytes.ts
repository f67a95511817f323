/**
 * What the host decides about a file's bytes before the chat shows or saves them. Pure (no
 * `vscode`), so it runs in plain Node tests.
 */

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** Larger images would bloat the webview message and the page for little gain in a sidebar. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

const EXTENSIONS: Record<ImageMime, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

/** The image type by its magic bytes; a server's content type or a file name may lie, the bytes do not. */
export function sniffImage(bytes: Uint8Array): ImageMime | undefined {
  const starts = (offset: number, ...expected: number[]) => expected.every((byte, i) => bytes[offset + i] === byte);
  if (starts(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0, ...ascii('GIF87a')) || starts(0, ...ascii('GIF89a'))) return 'image/gif';
  if (starts(0, ...ascii('RIFF')) && starts(8, ...ascii('WEBP'))) return 'image/webp';
  return undefined;
}

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

/** Decodes a base64 image `data:` URL; undefined unless it is one and its bytes really are an image. */
export function imageFromDataUrl(url: string): Uint8Array | undefined {
  const match = /^data:image\/[\w.+-]+;base64,([A-Za-z0-9+/=\s]*)$/i.exec(url);
  if (!match) return undefined;
  const bytes = new Uint8Array(Buffer.from(match[1], 'base64'));
  return sniffImage(bytes) ? bytes : undefined;
}

/**
 * The name a save dialog suggests: the file's own name without any directory (a code
 * interpreter names files like `/mnt/data/chart.png`), else the id with the extension its bytes show.
 */
export function suggestedFileName(fileId: string, bytes: Uint8Array, filename?: string): string {
  const base = filename?.split(/[/\\]/).pop()?.trim();
  if (base && base !== '.' && base !== '..') return base;
  const mime = sniffImage(bytes);
  return `${fileId.replace(/[^\w.-]+/g, '_')}.${mime ? EXTENSIONS[mime] : 'bin'}`;
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

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
}
