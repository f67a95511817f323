/**
 * A thread written out for people and for other tools: Markdown (questions, answers, the tool calls
 * of each run in brief, citations as numbered sources, images and the files runs made as files
 * beside the document, `sandbox:` links pointing at them) and JSON (the stored thread, images and
 * kept files inline). Pure: what a thread keeps beside it comes in through `readImage`, and the
 * caller writes the result. Nothing here knows the API key; a thread holds none.
 */
import { createHash, randomBytes } from 'node:crypto';
import { IMAGE_EXTENSIONS, imageFromDataUrl, sniffImage } from './images';
import { fileNameOf, filesOfThread, sandboxPathOf } from './keptFiles';
import type { Annotation, CodeInterpreterOutput, KeptFile, Message, MessageContent, Run, RunStep, ToolCall } from '../../common/model';
import { isStoredOutput } from '../../common/model';
import type { RunRecord, StoredThread } from './threadStore';
import { stripAnsi } from '../text/ansi';

/** The bytes of an output a thread keeps (`url` a stored output: an image, or a file a run made), or undefined when they are gone. */
export type ReadImage = (url: string) => Promise<Uint8Array | undefined>;

export interface MarkdownExportOptions {
  /** The name of the thread's assistant, for the meta line, and the heading of an answer whose run names no known assistant; default "Assistant". */
  assistantName?: string;
  /** Assistant names by id, now: an answer is headed by the assistant its run recorded (a thread may have had several), under its name now or, when gone, its name then. */
  assistantNames?: ReadonlyMap<string, string>;
  /** Reads an image kept beside the thread (`ThreadStore.readOutput`). */
  readImage: ReadImage;
  /** The folder, relative to the Markdown file, the images and kept files go into (e.g. `thread-images`). */
  imageFolder: string;
  /**
   * Whether `path` (relative to the Markdown file) already holds something other than `bytes`: a
   * file of the user's, a folder, a link. The image or file then goes under the next name
   * (`chart-2.png`), so an export replaces nothing and writes through no link. Default: nothing does.
   */
  occupied?: (path: string, bytes: Uint8Array) => Promise<boolean>;
}

/** Names tried for one image or file before the export gives up (each an `occupied` look). */
export const EXPORT_NAME_TRIES = 100;

/** An image or file the Markdown refers to, to be written at `path` (relative to the Markdown file, `/`-separated). */
export interface ExportedImage {
  path: string;
  bytes: Uint8Array;
}

export interface MarkdownExport {
  markdown: string;
  images: ExportedImage[];
}

/** Longest function-call output quoted in Markdown (characters); the rest is counted, not shown. */
const OUTPUT_PREVIEW = 300;

/**
 * The thread as a Markdown document: a heading with the title, then each question ("You") and
 * answer (the assistant's name) in order; before an answer, the tool calls of its run in brief
 * (function calls with their arguments and the start of their output, file-search queries and
 * result counts, code-interpreter code and logs); citations as numbered marks and a list of
 * sources under the answer (file name and id, where the answer cites it, the quoted text when the
 * citation has one); images as files in `imageFolder` (named by content hash, so each is
 * written once; a name `occupied` says is held by something else is numbered), images on the
 * server or the web as links. A run that failed says so. Throws an Error with a sentence when
 * EXPORT_NAME_TRIES names of one file are all occupied.
 */
export async function threadToMarkdown(stored: StoredThread, options: MarkdownExportOptions): Promise<MarkdownExport> {
  const images = new Map<string, Uint8Array>();
  const imageLink = async (url: string, alt: string): Promise<string> => {
    const bytes = isStoredOutput(url) ? await options.readImage(url) : url.startsWith('data:') ? imageFromDataUrl(url) : undefined;
    const mime = bytes && sniffImage(bytes);
    if (!bytes || !mime) return url.startsWith('http://') || url.startsWith('https://') ? `![${alt}](<${url}>)` : `*(${alt}: no longer available)*`;
    const path = await freePath(`${createHash('sha256').update(bytes).digest('hex')}.${IMAGE_EXTENSIONS[mime]}`, bytes);
    images.set(path, bytes);
    return `![${alt}](<${path}>)`;
  };
  // A file a run made, kept with the thread, is written under the name the model gave it (a second
  // file of the same name, in any case, gets `-2`: `Chart.png` and `chart.png` are one file on
  // Windows and macOS); the same kept file is written once.
  const filePaths = new Map<string, string | undefined>();
  const taken = (path: string, bytes: Uint8Array) => [...images].some(([written, held]) => written.toLowerCase() === path.toLowerCase() && Buffer.compare(held, bytes) !== 0);
  const occupied = options.occupied ?? (() => Promise.resolve(false));
  /** `name` in the folder, numbered past names this export or something already there holds. */
  const freePath = async (name: string, bytes: Uint8Array): Promise<string> => {
    for (let n = 1; n <= EXPORT_NAME_TRIES; n++) {
      const path = `${options.imageFolder}/${n === 1 ? name : numbered(name, n)}`;
      if (!taken(path, bytes) && !(await occupied(path, bytes))) return path;
    }
    throw new Error(`${options.imageFolder} already holds ${EXPORT_NAME_TRIES} other files named like ${name}, so the thread was not exported; choose another file name or folder.`);
  };
  const fileLink = async (kept: KeptFile | undefined): Promise<string | undefined> => {
    if (kept?.url === undefined) return undefined;
    if (filePaths.has(kept.url)) return filePaths.get(kept.url);
    const bytes = await options.readImage(kept.url);
    let path: string | undefined;
    if (bytes) {
      path = await freePath(safeFileName(kept.filename ?? kept.url.slice(kept.url.indexOf(':') + 1)), bytes);
      images.set(path, bytes);
    }
    filePaths.set(kept.url, path);
    return path;
  };
  const keptLink: KeptLink = { image: imageLink, file: fileLink };

  const { thread } = stored;
  const assistantName = options.assistantName ?? 'Assistant';
  const blocks: string[] = [`# ${escapeInline(thread.title)}`, metaLine(stored, options.assistantName)];
  const runsShown = new Set<string>();
  for (const message of stored.messages) {
    const record = message.runId ? stored.runs[message.runId] : undefined;
    if (record && !runsShown.has(record.run.id)) {
      runsShown.add(record.run.id);
      blocks.push(...(await runBlocks(record, keptLink)));
    }
    // The assistant that ran the answer, as the chat shows it: the thread's may have changed since.
    const recorded = record?.assistant;
    const answeredBy = recorded ? (options.assistantNames?.get(recorded.id) ?? recorded.name) : assistantName;
    blocks.push(message.role === 'user' ? '## You' : `## ${escapeInline(answeredBy)}`);
    blocks.push(...(await messageBlocks(message, keptLink, record?.run)));
  }
  // A run that produced no message (it failed before answering) still shows what it did.
  for (const record of Object.values(stored.runs)) {
    if (!runsShown.has(record.run.id)) blocks.push(...(await runBlocks(record, keptLink)));
  }
  return { markdown: `${blocks.filter(Boolean).join('\n\n')}\n`, images: [...images].map(([path, bytes]) => ({ path, bytes })) };
}

/**
 * The thread as JSON: the stored thread (`thread`, `messages`, `runs`; no run in progress) with
 * every image and file it keeps beside it inline as a `data:` URL (a kept file's `kept.url`), so
 * the file stands alone, and `ThreadStore.save` takes it back as it is. One whose bytes are gone
 * keeps its stored URL.
 *
 * A thread may keep 256 MB of files: each is encoded in a turn of its own, and the document is
 * written around short placeholders that the `data:` URLs then take the place of, so neither the
 * encoding nor the writing of hundreds of megabytes holds the extension host in one step
 * (`JSON.stringify` of the inlined thread took 1.7 s at the limit). A `data:` URL of base64 needs no
 * escaping in JSON.
 */
export async function threadToJson(stored: StoredThread, readImage: ReadImage): Promise<string> {
  const copy: StoredThread = structuredClone({ thread: stored.thread, messages: stored.messages, runs: stored.runs });
  // Placeholders no thread text can hold: a fresh random word each export.
  const nonce = randomBytes(12).toString('hex');
  const dataUrls: string[] = [];
  const placeholder = (dataUrl: string): string => `inline-${nonce}-${dataUrls.push(dataUrl) - 1}`;
  const encoded = async (bytes: Uint8Array, mime: string): Promise<string> => {
    const url = placeholder(`data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`);
    await new Promise((resolve) => setTimeout(resolve, 0));
    return url;
  };
  const inline = async (url: string): Promise<string> => {
    if (!isStoredOutput(url)) return url;
    const bytes = await readImage(url);
    const mime = bytes && sniffImage(bytes);
    return bytes && mime ? encoded(bytes, mime) : url;
  };
  const inlined = new Map<string, string>();
  for (const { holder } of filesOfThread(copy)) {
    const url = holder.kept?.url;
    if (url === undefined || !isStoredOutput(url)) continue;
    if (!inlined.has(url)) {
      const bytes = await readImage(url);
      inlined.set(url, bytes ? await encoded(bytes, sniffImage(bytes) ?? mimeOfExtension(url)) : url);
    }
    holder.kept = { ...holder.kept, url: inlined.get(url) };
  }
  for (const message of copy.messages) {
    for (const part of message.content) if (part.type === 'image_url') part.url = await inline(part.url);
  }
  for (const record of Object.values(copy.runs)) {
    for (const call of toolCallsOf(record.steps)) {
      if (call.type !== 'code_interpreter') continue;
      for (const output of call.outputs) if (output.type === 'image' && output.url !== undefined) output.url = await inline(output.url);
    }
  }
  const pieces = `${JSON.stringify(copy, null, 2)}\n`.split(new RegExp(`inline-${nonce}-(\\d+)`));
  // Odd pieces are the placeholders' numbers.
  return pieces.map((piece, i) => (i % 2 === 1 ? dataUrls[Number(piece)] : piece)).join('');
}

type ImageLink = (url: string, alt: string) => Promise<string>;

/** How the Markdown links what a thread keeps: an image by its URL, a kept file by where it was written (undefined when it is not). */
interface KeptLink {
  image: ImageLink;
  file(kept: KeptFile | undefined): Promise<string | undefined>;
}

/** The type a kept file that is no image goes inline with, by its stored extension. */
function mimeOfExtension(url: string): string {
  const ext = url.slice(url.lastIndexOf('.') + 1);
  return ({ csv: 'text/csv', tsv: 'text/tab-separated-values', txt: 'text/plain', json: 'application/json', md: 'text/markdown', html: 'text/html', pdf: 'application/pdf', zip: 'application/zip', svg: 'image/svg+xml' } as Record<string, string>)[ext] ?? 'application/octet-stream';
}

/** A file name safe in any file system and in a Markdown link target. */
function safeFileName(name: string): string {
  const safe = (fileNameOf(name) ?? 'file').replace(/[<>:"|?*\\/\s]+/g, '_');
  return safe.replace(/^\.+/, '_') || 'file';
}

/** `x.csv` as its `n`th of the name: `x-2.csv`. */
function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}-${n}${name.slice(dot)}` : `${name}-${n}`;
}

function metaLine(stored: StoredThread, assistantName: string | undefined): string {
  const { thread } = stored;
  const parts = [
    assistantName ? `Assistant: ${escapeInline(assistantName)}` : undefined,
    `Started: ${isoDate(thread.createdAt)}`,
    `Last activity: ${isoDate(thread.updatedAt)}`,
    `${stored.messages.length} message${stored.messages.length === 1 ? '' : 's'}`,
  ];
  return `*${parts.filter(Boolean).join(' · ')}*`;
}

/** A cited file or URL, under one number, with every place the answer cites it. */
interface Source {
  first: Annotation;
  citations: Annotation[];
}

async function messageBlocks(message: Message, link: KeptLink, run: Run | undefined): Promise<string[]> {
  const blocks: string[] = [];
  const sources: Source[] = [];
  let index = 0;
  for (const part of message.content) {
    index++;
    blocks.push(await partText(part, message.role, index, link, sources));
  }
  const stopped = (run?.status === 'cancelled' || run?.status === 'cancelling') && message.status !== 'completed';
  // A run the user stopped reads as the chat reads it, not as one the server cut off.
  if (stopped) blocks.push('*The answer was stopped before it finished; what had arrived is kept.*');
  else if (message.status === 'incomplete') blocks.push('*The answer was cut off before it finished.*');
  if (message.attachments?.length) {
    blocks.push(`Attached: ${message.attachments.map((a) => `\`${escapeCode(a.filename ?? a.fileId)}\` (${a.tools.join(', ').replace(/_/g, ' ')})`).join(', ')}`);
  }
  if (sources.length) blocks.push(`Sources:\n\n${sources.map((source, i) => `${i + 1}. ${sourceText(source)}`).join('\n')}`);
  return blocks;
}

async function partText(part: MessageContent, role: Message['role'], index: number, link: KeptLink, sources: Source[]): Promise<string> {
  switch (part.type) {
    case 'text':
      // A question is what the user typed, shown as typed; an answer is Markdown already.
      return role === 'user' ? fenceIfMarkdown(part.text) : withSandboxLinks(withCitations(part.text, part.annotations, sources), part.annotations, link);
    case 'image_url':
      return link.image(part.url, `Image ${index}`);
    case 'image_file':
      return keptImage(part.kept, `Image ${index}`, part.fileId, link);
  }
}

/** A server image as the thread keeps it: written beside the document, or why it is not. */
function keptImage(kept: KeptFile | undefined, alt: string, fileId: string, link: KeptLink): Promise<string> | string {
  if (kept?.url !== undefined) return link.image(kept.url, alt);
  if (kept?.error !== undefined) return `*(${alt}: ${escapeInline(kept.error)})*`;
  return `*(${alt}: file \`${escapeCode(fileId)}\` on the server)*`;
}

/**
 * Points each `sandbox:` link of an answer at the file the thread keeps (written beside the
 * document); a link to a file that is not kept loses its target and says why after its text.
 */
async function withSandboxLinks(text: string, annotations: readonly Annotation[], link: KeptLink): Promise<string> {
  const files = annotations.flatMap((a) => (a.type === 'file_path' ? [a] : []));
  const pattern = /\[([^\]\n]*)\]\((sandbox:\/[^\s)]+)\)/g;
  const targets = new Map<string, string | undefined>();
  for (const [, , target] of text.matchAll(pattern)) {
    const path = sandboxPathOf(target);
    if (path === undefined || targets.has(target)) continue;
    const cited = files.find((a) => sandboxPathOf(a.text) === path) ?? files.find((a) => a.text === undefined && fileNameOf(a.filename) === fileNameOf(path));
    targets.set(target, await link.file(cited?.kept));
  }
  return text.replace(pattern, (_link, label: string, target: string) => {
    const written = targets.get(target);
    return written ? `[${label}](<${written}>)` : `${label} *(${escapeInline(fileNameOf(sandboxPathOf(target)) ?? 'file')}: not kept)*`;
  });
}

/**
 * Numbers the message's citations in order of first appearance (one number per cited file or URL),
 * puts `[n]` where the server placed each (replacing its marker text, such as `【4:0†source】`, or at
 * its end index), and adds the sources to `sources` (each with all its citations). The private-use
 * citation markers some models write are removed.
 */
function withCitations(text: string, annotations: readonly Annotation[], sources: Source[]): string {
  const numbers = new Map<string, number>();
  const numberOf = (annotation: Annotation): number => {
    const key = annotation.type === 'url_citation' ? `url:${annotation.url}` : `file:${annotation.fileId}`;
    const known = numbers.get(key);
    if (known !== undefined) {
      sources[known - 1].citations.push(annotation);
      return known;
    }
    const number = sources.push({ first: annotation, citations: [annotation] });
    numbers.set(key, number);
    return number;
  };
  const marks = annotations.map((annotation) => ({ annotation, mark: `[${numberOf(annotation)}]` }));
  // A `sandbox:` link's citation spans the link's target: its mark goes at the end, the link stays whole.
  const inLink = (annotation: Annotation) => annotation.type === 'file_path' && annotation.text?.startsWith('sandbox:') === true;
  let result = text;
  const trailing = new Set<string>();
  // From the end, so the indices of earlier ones stay right.
  for (const { annotation, mark } of marks.sort((a, b) => (b.annotation.startIndex ?? -1) - (a.annotation.startIndex ?? -1))) {
    const { startIndex, endIndex } = annotation;
    const marker = 'text' in annotation ? annotation.text : undefined;
    if (inLink(annotation)) trailing.add(mark);
    else if (marker && startIndex !== undefined && endIndex !== undefined && result.slice(startIndex, endIndex) === marker) {
      result = `${result.slice(0, startIndex)}${mark}${result.slice(endIndex)}`;
    } else if (marker && result.includes(marker)) {
      result = result.replace(marker, mark);
    } else if (endIndex !== undefined && endIndex <= result.length) {
      result = `${result.slice(0, endIndex)}${mark}${result.slice(endIndex)}`;
    } else trailing.add(mark);
  }
  result = result.replace(/\uE200[^\uE200\uE201]*\uE201|[\uE200-\uE20F]/g, '');
  return trailing.size ? `${result} ${[...trailing].sort().join('')}` : result;
}

/**
 * One entry of an answer's sources: what is cited (a file by name and id, a URL by title), where the
 * answer cites it (character offsets in the answer's text as the server sent it), and the quoted
 * text of each citation that has one.
 */
function sourceText({ first, citations }: Source): string {
  const where = citedAt(citations);
  const quotes = [...new Set(citations.flatMap((c) => (c.type === 'file_citation' && c.quote?.trim() ? [c.quote.trim()] : [])))];
  const quoted = quotes.map((quote) => ` — "${escapeInline(quote)}"`).join('');
  switch (first.type) {
    case 'url_citation':
      return `[${escapeInline(first.title || first.url)}](<${first.url}>)${where ? ` (${where})` : ''}`;
    case 'file_citation':
    case 'file_path': {
      const details = [
        first.type === 'file_path' ? 'a file the code interpreter wrote' : undefined,
        first.filename ? `file id \`${escapeCode(first.fileId)}\`` : undefined,
        where,
      ].filter(Boolean).join('; ');
      return `\`${escapeCode(first.filename ?? first.fileId)}\`${details ? ` (${details})` : ''}${quoted}`;
    }
  }
}

/** "cited at character 42", "cited at characters 12–30, 57": where in the answer's text the citations stand. */
function citedAt(citations: readonly Annotation[]): string | undefined {
  const places = [...new Set(citations.flatMap(({ startIndex, endIndex }) => {
    if (startIndex === undefined) return [];
    return [endIndex !== undefined && endIndex > startIndex ? `${startIndex}–${endIndex}` : String(startIndex)];
  }))];
  if (places.length === 0) return undefined;
  const plural = places.length > 1 || places[0].includes('–');
  return `cited at character${plural ? 's' : ''} ${places.join(', ')}`;
}

/** The tool calls and failure of one run, briefly, as a quoted block before its answer. */
async function runBlocks(record: RunRecord, link: KeptLink): Promise<string[]> {
  const lines: string[] = [];
  for (const step of record.steps) {
    if (step.details.type === 'reasoning' && step.details.summary.trim()) lines.push(`*Reasoning:* ${escapeInline(step.details.summary.trim().replace(/\s+/g, ' '))}`);
  }
  for (const call of toolCallsOf(record.steps)) lines.push(...(await toolCallLines(call, link)));
  const { run } = record;
  if (run.status === 'failed' || run.status === 'expired' || run.status === 'cancelled') {
    lines.push(`*The run ${run.status === 'failed' ? 'failed' : `was ${run.status}`}${run.lastError ? `: ${escapeInline(run.lastError.message)}` : ''}.*`);
  }
  if (lines.length === 0) return [];
  return [lines.join('\n\n').split('\n').map((line) => (line ? `> ${line}` : '>')).join('\n')];
}

async function toolCallLines(call: ToolCall, link: KeptLink): Promise<string[]> {
  switch (call.type) {
    case 'function': {
      const lines = [`**Function call** \`${escapeCode(call.name)}(${escapeCode(call.arguments)})\``];
      if (call.output !== undefined) {
        const output = call.output.length > OUTPUT_PREVIEW ? `${call.output.slice(0, OUTPUT_PREVIEW)}… (${call.output.length} characters in all)` : call.output;
        lines.push(fenced(output, ''));
      }
      return lines;
    }
    case 'file_search': {
      const queries = call.queries?.length ? `: ${call.queries.map((q) => `"${escapeInline(q)}"`).join(', ')}` : '';
      const results = call.results === undefined ? '' : ` — ${call.results.length} result${call.results.length === 1 ? '' : 's'}${call.results.length ? ` (${[...new Set(call.results.map((r) => r.filename ?? r.fileId))].map((f) => `\`${escapeCode(f)}\``).join(', ')})` : ''}`;
      return [`**File search**${queries}${results}`];
    }
    case 'code_interpreter': {
      const lines = ['**Code interpreter**', fenced(call.input, 'python')];
      let index = 0;
      for (const output of call.outputs) lines.push(await codeOutput(output, ++index, link));
      return lines;
    }
    case 'mcp_list_tools':
      return [`**MCP server ${escapeInline(call.serverLabel)}** ${call.error ? `could not list its tools: ${escapeInline(call.error)}` : `offered ${call.tools.length} tool${call.tools.length === 1 ? '' : 's'}`}`];
    case 'mcp': {
      const lines = [`**${call.approval ? 'Approval asked for MCP call' : 'MCP call'}** \`${escapeCode(call.serverLabel)}/${escapeCode(call.name)}(${escapeCode(call.arguments)})\``];
      if (call.error !== undefined) lines.push(`*${escapeInline(call.error)}*`);
      else if (call.output !== undefined) lines.push(fenced(call.output.length > OUTPUT_PREVIEW ? `${call.output.slice(0, OUTPUT_PREVIEW)}… (${call.output.length} characters in all)` : call.output, ''));
      return lines;
    }
  }
}

async function codeOutput(output: CodeInterpreterOutput, index: number, link: KeptLink): Promise<string> {
  if (output.type === 'logs') return fenced(output.logs, 'text');
  if (output.url !== undefined) return link.image(output.url, `Output ${index}`);
  return keptImage(output.kept, `Output ${index}`, output.fileId, link);
}

function toolCallsOf(steps: readonly RunStep[]): ToolCall[] {
  return steps.flatMap((step) => (step.details.type === 'tool_calls' ? step.details.toolCalls : []));
}

/**
 * A fenced code block whose fence is longer than any run of backticks in `text`. Terminal escape
 * sequences (a log's colours) are left out: a Markdown reader would show them as `[0;31m`.
 */
function fenced(raw: string, language: string): string {
  const text = stripAnsi(raw);
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/** A question as typed: plain text stays as it is; text holding Markdown that would change its meaning (a heading, a fence) is quoted line by line. */
function fenceIfMarkdown(text: string): string {
  return /^(#|```|~~~|---|===)/m.test(text) ? text.split('\n').map((line) => `> ${line}`).join('\n') : text;
}

/** Text for one line of Markdown (a heading, a list item): line breaks become spaces, Markdown's link and emphasis characters are escaped. */
function escapeInline(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>#|])/g, '\\$1');
}

/** Text inside a code span: backticks cannot be escaped there, so they become a look-alike. */
function escapeCode(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/`/g, 'ˋ');
}

function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}
