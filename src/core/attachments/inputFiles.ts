import { Buffer } from 'node:buffer';
import type { AttachmentTool } from '../../common/model';

/**
 * Files the model is given whole, as `input_file` parts of a message (Responses), rather than
 * through a vector store. They are uploaded with the purpose `user_data` (the Files API's purpose
 * for files given to a model as input; `assistants` is for the Assistants API and vector stores),
 * and the model reads at most 32 MB and 100 pages of a PDF.
 * Source: https://platform.openai.com/docs/guides/pdf-files; `InputFileContent` and
 * `CreateFileRequest.purpose` in the OpenAPI description.
 */
export const MAX_INPUT_FILE_BYTES = 32 * 1024 * 1024;
export const MAX_INPUT_FILE_PAGES = 100;

/** Whether an attachment reaches the model whole: a PDF attached for file search (its pages as text and images). */
export function readsWhole(tools: readonly AttachmentTool[], filename: string | undefined): boolean {
  return tools.includes('file_search') && /\.pdf$/i.test(filename ?? '');
}

/** Why the model would refuse this file whole, given its size in bytes, before it is read; undefined when it may go. */
export function inputFileSizeRefusal(bytes: number): string | undefined {
  if (bytes <= MAX_INPUT_FILE_BYTES) return undefined;
  return `it has ${(bytes / (1024 * 1024)).toFixed(1)} MB; the model reads a PDF whole only up to 32 MB. Add it to the assistant's knowledge instead (file search takes up to 512 MB), or split it.`;
}

/** Why the model would refuse this PDF whole, from its bytes (its page count); undefined when it may go. */
export function inputFilePagesRefusal(data: Uint8Array): string | undefined {
  const pages = pdfPageCount(data);
  if (pages === undefined || pages <= MAX_INPUT_FILE_PAGES) return undefined;
  return `it has ${pages} pages; the model reads at most ${MAX_INPUT_FILE_PAGES} pages of a PDF whole. Add it to the assistant's knowledge instead, or split it.`;
}

/**
 * The number of pages of a PDF, read from its page tree without a PDF library: the largest
 * `/Count` of a `/Type /Pages` node (the root's), else the number of `/Type /Page` objects.
 * Undefined when neither can be seen, as in a PDF whose objects are all in compressed object
 * streams; the server then judges the file. Source: ISO 32000-1, 7.7.3 (page tree).
 */
export function pdfPageCount(data: Uint8Array): number | undefined {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  let count = 0;
  for (const object of text.matchAll(/\bobj\b([\s\S]*?)\bendobj\b/g)) {
    if (!/\/Type\s*\/Pages(?![a-zA-Z])/.test(object[1])) continue;
    const value = /\/Count\s+(\d+)/.exec(object[1]);
    if (value) count = Math.max(count, Number(value[1]));
  }
  if (count > 0) return count;
  const leaves = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return leaves > 0 ? leaves : undefined;
}
