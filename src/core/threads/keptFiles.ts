/**
 * Files the assistant made on the server (code-interpreter figures and files), kept with their
 * thread: where a thread names them, the name the model gave each, and how a kept state carries
 * over when the backend sends a step or message again. No I/O (see `FileKeeper` for that).
 */
import { createHash } from 'node:crypto';
import type { OutputFileRef } from '../files';
import type { Annotation, KeptFile, Message, RunStep } from '../../common/model';
import type { StoredThread } from './threadFile';
import { UNSHOWABLE_RUNS } from '../../common/showable';

/** Something in a thread that names a server file and holds what became of it. */
export interface KeptFileHolder {
  kept?: KeptFile;
}

/** A server file a thread names, where (`holder`), and the name the answer gave it, if any. */
export interface NamedFile {
  ref: OutputFileRef;
  holder: KeptFileHolder;
  /** The name the answer gives it (a citation's file name, a `sandbox:` link's last segment). */
  hint?: string;
  /** Whether its step or message has completed (or ended otherwise): only then is it downloaded. */
  ready: boolean;
}

/** The key of a server file: the same file named twice (a figure and a citation of it) is kept once. */
export function keptFileKey(ref: OutputFileRef): string {
  return `${ref.containerId ?? ''}/${ref.fileId}`;
}

/** The server files a run step names: the images of its code-interpreter calls that came as files. */
export function filesOfStep(step: RunStep): NamedFile[] {
  if (step.details.type !== 'tool_calls') return [];
  const ready = step.status !== 'in_progress';
  const named: NamedFile[] = [];
  for (const call of step.details.toolCalls) {
    if (call.type !== 'code_interpreter') continue;
    for (const output of call.outputs) {
      // An image the server sent inline has a `url` and is kept by the thread store itself.
      if (output.type !== 'image' || output.url !== undefined) continue;
      named.push({ ref: refOf(output.fileId, output.containerId ?? call.containerId), holder: output, ready });
    }
  }
  return named;
}

/** The server files a message names: its `image_file` parts and `file_path` citations. */
export function filesOfMessage(message: Message): NamedFile[] {
  const ready = message.status !== 'in_progress';
  const named: NamedFile[] = [];
  for (const part of message.content) {
    if (part.type === 'image_file') named.push({ ref: refOf(part.fileId, part.containerId), holder: part, ready });
    if (part.type !== 'text') continue;
    for (const annotation of part.annotations) {
      if (annotation.type !== 'file_path') continue;
      const hint = annotation.filename ?? sandboxPathOf(annotation.text);
      named.push({ ref: refOf(annotation.fileId, annotation.containerId), holder: annotation, ready, ...(hint ? { hint } : {}) });
    }
  }
  return named;
}

/** Every server file a thread names, messages first (their citations carry the model's names). */
export function filesOfThread(stored: Pick<StoredThread, 'messages' | 'runs'>): NamedFile[] {
  const steps = Object.values(stored.runs).flatMap((record) => record.steps);
  return [...stored.messages.flatMap(filesOfMessage), ...steps.flatMap(filesOfStep)];
}

/** Calls `visit` with each server file the thread names and the object that holds its kept state. */
export function forEachKeptFile(stored: Pick<StoredThread, 'messages' | 'runs'>, visit: (ref: OutputFileRef, holder: KeptFileHolder) => void): void {
  for (const { ref, holder } of filesOfThread(stored)) visit(ref, holder);
}

/**
 * Names the images `step`'s code sent inline (a `data:` URL, or kept beside the thread since) that
 * are the very bytes of `kept` (a file the run cited by name): Save then suggests that name. Stored
 * outputs are named by content hash, so equal URLs, or a `data:` URL of bytes with that hash, are
 * the same file. Returns whether any was named.
 */
export function nameInlineImages(step: RunStep, kept: KeptFile): boolean {
  const hash = /^stored-output:([0-9a-f]{64})\./.exec(kept.url ?? '')?.[1];
  if (step.details.type !== 'tool_calls' || !hash || !kept.filename) return false;
  let named = false;
  for (const call of step.details.toolCalls) {
    if (call.type !== 'code_interpreter') continue;
    for (const output of call.outputs) {
      if (output.type !== 'image' || output.url === undefined || output.kept?.filename) continue;
      const same = output.url === kept.url || (output.url.startsWith('data:') && hashOf(dataUrlBytes(output.url)) === hash);
      if (!same) continue;
      output.kept = { filename: kept.filename };
      named = true;
    }
  }
  return named;
}

function hashOf(bytes: Uint8Array | undefined): string | undefined {
  return bytes ? createHash('sha256').update(bytes).digest('hex') : undefined;
}

/**
 * Gives the server files of `fresh` (a step or message the backend sent again) the kept state the
 * same files had in `old`, where `fresh` has none: a server knows nothing of what was kept here.
 */
export function carryKept<T extends RunStep | Message>(old: T | undefined, fresh: T): T {
  if (!old) return fresh;
  if ('details' in old && 'details' in fresh) carryInlineNames(old, fresh as RunStep);
  const files = (item: RunStep | Message): NamedFile[] => ('details' in item ? filesOfStep(item) : filesOfMessage(item));
  const before = new Map<string, KeptFile>();
  for (const { ref, holder } of files(old)) if (holder.kept) before.set(keptFileKey(ref), holder.kept);
  if (before.size === 0) return fresh;
  for (const { ref, holder } of files(fresh)) {
    const kept = before.get(keptFileKey(ref));
    if (kept && !holder.kept) holder.kept = { ...kept };
  }
  // A link the keeper resolved lives only here: carry its citation over too.
  if ('content' in old && 'content' in fresh) carryLinkCitations(old, fresh as Message);
  return fresh;
}

/** The names given to inline images (`nameInlineImages`), output by output of the same call. */
function carryInlineNames(old: RunStep, fresh: RunStep): void {
  if (old.details.type !== 'tool_calls' || fresh.details.type !== 'tool_calls') return;
  for (const call of fresh.details.toolCalls) {
    const before = old.details.toolCalls.find((c) => c.id === call.id);
    if (call.type !== 'code_interpreter' || before?.type !== 'code_interpreter') continue;
    call.outputs.forEach((output, index) => {
      const was = before.outputs[index];
      if (output.type === 'image' && output.url !== undefined && !output.kept && was?.type === 'image' && was.kept) output.kept = { ...was.kept };
    });
  }
}

function carryLinkCitations(old: Message, fresh: Message): void {
  old.content.forEach((part, index) => {
    const target = fresh.content[index];
    if (part.type !== 'text' || target?.type !== 'text') return;
    for (const annotation of part.annotations) {
      if (!isLinkCitation(annotation)) continue;
      if (!target.annotations.some((a) => a.type === 'file_path' && a.text === annotation.text)) target.annotations.push({ ...annotation });
    }
  });
}

/** A citation the keeper added for a `sandbox:` link the server did not cite (it has no position). */
function isLinkCitation(annotation: Annotation): annotation is Extract<Annotation, { type: 'file_path' }> {
  return annotation.type === 'file_path' && annotation.startIndex === undefined && sandboxPathOf(annotation.text) !== undefined;
}

/** The most characters, and UTF-8 bytes, of a name `fileNameOf` gives (file systems allow 255 bytes or UTF-16 units). */
export const MAX_FILE_NAME_CHARACTERS = 120;
const MAX_FILE_NAME_BYTES = 200;
/** Names Windows keeps for devices, with any extension ("con.png" opens the console, not a file). */
const DEVICE_NAMES = /^(?:con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$|clock\$)(?:\.|$)/i;

/**
 * The name to save a file as: the last segment of `candidates`' first usable one (a citation's name,
 * a link, the server's path), made a name every file system takes and that reads as it is:
 * control and text-direction characters removed ("chart\u202Egnp.exe" is `chartgnp.exe`, not a
 * name shown as "chartexe.png"), `< > : " | ? *` as `_`, trailing dots and spaces dropped (Windows
 * drops them), a Windows device name (`con.png`, `LPT1`) given a leading `_`, and a long name cut
 * in its stem, keeping its extension, to 120 characters and 200 UTF-8 bytes (never inside a
 * character). Undefined when none is usable (empty, or only dots).
 */
export function fileNameOf(...candidates: (string | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    const base = candidate?.split(/[/\\]/).pop();
    if (base === undefined) continue;
    const name = base.replace(UNSHOWABLE_RUNS, '').replace(/[<>:"|?*]/g, '_').trim().replace(/[. ]+$/, '');
    if (!name || /^\.*$/.test(name)) continue;
    return shortName(DEVICE_NAMES.test(name) ? `_${name}` : name);
  }
  return undefined;
}

/** `name` cut in its stem, whole characters at a time, to the characters and bytes a name may have; its extension kept. */
function shortName(name: string): string {
  const fits = (text: string) => [...text].length <= MAX_FILE_NAME_CHARACTERS && Buffer.byteLength(text, 'utf8') <= MAX_FILE_NAME_BYTES;
  if (fits(name)) return name;
  const ext = /\.[^.\s]{1,16}$/.exec(name)?.[0] ?? '';
  const stem = [...name.slice(0, name.length - ext.length)].slice(0, MAX_FILE_NAME_CHARACTERS);
  while (stem.length > 0 && !fits(`${stem.join('')}…${ext}`)) stem.pop();
  return `${stem.join('')}…${ext}`;
}

/**
 * The file extension to keep a file under: the name's (lower-case letters and digits, at most 8),
 * else `bin`. An image's is the one its bytes show (see `ThreadStore.keepFile`).
 */
export function extensionOf(filename: string | undefined): string {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(filename ?? '')?.[1]?.toLowerCase();
  return ext ?? 'bin';
}

/** The bytes of a base64 `data:` URL of any type (a kept file exported inline); undefined for anything else. */
export function dataUrlBytes(url: string): Uint8Array | undefined {
  const match = /^data:[\w.+-]+\/[\w.+-]+;base64,([A-Za-z0-9+/=\s]*)$/i.exec(url);
  return match ? new Uint8Array(Buffer.from(match[1], 'base64')) : undefined;
}

const SANDBOX = /sandbox:(\/[^\s)\]>"'`<]+)/g;

/** The path a `sandbox:` link names (`sandbox:/mnt/data/x.csv` → `/mnt/data/x.csv`), percent-decoded; undefined for anything else. */
export function sandboxPathOf(text: string | undefined): string | undefined {
  const match = /^sandbox:(\/[^\s]+)$/.exec(text?.trim() ?? '');
  return match ? decodePath(match[1]) : undefined;
}

/** Every distinct `sandbox:` path the text links to, in order. */
export function sandboxLinksIn(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(SANDBOX), (m) => decodePath(m[1])))];
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function refOf(fileId: string, containerId: string | undefined): OutputFileRef {
  return containerId ? { fileId, containerId } : { fileId };
}
