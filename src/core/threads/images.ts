/**
 * Image bytes as the stores and the host see them: what kind of image, and the bytes inside a
 * `data:` URL. Pure Node, no editor API.
 */

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** The file extension for each image type (no dot). */
export const IMAGE_EXTENSIONS: Record<ImageMime, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

/** The image type by its magic bytes; a server's content type or a file name may lie, the bytes do not. */
export function sniffImage(bytes: Uint8Array): ImageMime | undefined {
  const starts = (offset: number, ...expected: number[]) => expected.every((byte, i) => bytes[offset + i] === byte);
  if (starts(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0, ...ascii('GIF87a')) || starts(0, ...ascii('GIF89a'))) return 'image/gif';
  if (starts(0, ...ascii('RIFF')) && starts(8, ...ascii('WEBP'))) return 'image/webp';
  return undefined;
}

/** Decodes a base64 image `data:` URL; undefined unless it is one and its bytes really are an image. */
export function imageFromDataUrl(url: string): Uint8Array | undefined {
  const match = /^data:image\/[\w.+-]+;base64,([A-Za-z0-9+/=\s]*)$/i.exec(url);
  if (!match) return undefined;
  const bytes = new Uint8Array(Buffer.from(match[1], 'base64'));
  return sniffImage(bytes) ? bytes : undefined;
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}
