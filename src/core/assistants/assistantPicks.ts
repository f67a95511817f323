/**
 * How lists of assistants let the user tell them apart: where each lives (a workspace file, a
 * personal file, the server) and its file name, a file's own published copy listed once (as the
 * file), and a free name for an import that would take an existing one. Pure, so it is tested
 * without VS Code.
 */
import * as path from 'node:path';
import type { AssistantEntry, AssistantLocation } from './assistantStore';
import type { Assistant } from '../../common/model';

/** Where an assistant lives, in words. */
export const LOCATION_LABELS: Record<AssistantLocation, string> = { workspace: 'workspace', user: 'personal', server: 'server' };

/**
 * Where `entry` lives, as a list says it: "workspace · helper.assistant.json", "personal ·
 * helper.assistant.json", "server · asst_123" (`placeFirst`: "helper.assistant.json ·
 * workspace"). Two assistants of one name differ here.
 */
export function whereLabel(entry: AssistantEntry, options: { placeFirst?: boolean } = {}): string {
  const place = entry.location === 'server' ? entry.id : entry.file ? path.basename(entry.file) : undefined;
  const parts = [LOCATION_LABELS[entry.location], place];
  // Where a row is cut short (a narrow view), the part that tells two of one name apart comes first.
  return (options.placeFirst ? parts.reverse() : parts).filter(Boolean).join(' · ');
}

/**
 * The entries without the server copies this user published from a file that is listed too (under
 * Assistants v2 a file runs as its server copy): the file stands for both. `linkedFile` names the
 * file a server assistant was published from by this user (`AssistantService.linkedFile`).
 */
export function withoutPublishedCopies(entries: readonly AssistantEntry[], linkedFile: (assistant: Assistant) => string | undefined): AssistantEntry[] {
  const ids = new Set(entries.map((entry) => entry.id));
  return entries.filter((entry) => {
    if (entry.location !== 'server' || !entry.assistant) return true;
    const file = linkedFile(entry.assistant);
    return file === undefined || !ids.has(file);
  });
}

const LOCATION_ORDER: Record<AssistantLocation, number> = { workspace: 0, user: 1, server: 2 };
const byName = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/**
 * `entries` in the order a view lists them, which does not depend on use: by name (case and accents
 * aside, numbers by value), then where they live (workspace, personal, server), then file or id. A
 * pick list puts the most recently used first; a tree must not, or the row just clicked (made
 * active) would jump to the top and the next click would land on another assistant. Returns a new array.
 */
export function viewOrder(entries: readonly AssistantEntry[]): AssistantEntry[] {
  const tieBreak = (entry: AssistantEntry) => entry.file ?? entry.id;
  return [...entries].sort((a, b) => byName.compare(a.name.trim(), b.name.trim()) || LOCATION_ORDER[a.location] - LOCATION_ORDER[b.location] || (tieBreak(a) < tieBreak(b) ? -1 : tieBreak(a) > tieBreak(b) ? 1 : 0));
}

/** The entries that can run, and those that cannot (an invalid or refused file), in their order. */
export function byValidity(entries: readonly AssistantEntry[]): { valid: AssistantEntry[]; invalid: AssistantEntry[] } {
  return { valid: entries.filter((entry) => entry.assistant), invalid: entries.filter((entry) => !entry.assistant) };
}

/** The entry of `entries` named `name` (case and surrounding spaces aside), if any. */
export function sameName(entries: readonly AssistantEntry[], name: string): AssistantEntry | undefined {
  const wanted = name.trim().toLocaleLowerCase();
  return entries.find((entry) => entry.name.trim().toLocaleLowerCase() === wanted);
}

/** `name`, else "name (2)", "name (3)", …: the first no entry of `entries` has. */
export function freeName(entries: readonly AssistantEntry[], name: string): string {
  if (!sameName(entries, name)) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name} (${n})`;
    if (!sameName(entries, candidate)) return candidate;
  }
}

/**
 * What to call each of `entries` where only a name fits (a Threads row, a view's title, the chat's
 * header, a Compare column), by id: its name, and where it lives after it (`whereLabel`) when
 * another assistant a list shows has the same name (case and surrounding spaces aside), its file
 * first, as a narrow view may cut the rest: "Helper (helper.assistant.json · workspace)". A file's own published copy (`linkedFile`, see
 * `withoutPublishedCopies`) is not listed, so it does not make its file's name clash; it is itself
 * named with where it lives, beside the file it was published from.
 */
export function distinctNames(entries: readonly AssistantEntry[], linkedFile: (assistant: Assistant) => string | undefined): Map<string, string> {
  const key = (name: string) => name.trim().toLocaleLowerCase();
  const listed = new Set(withoutPublishedCopies(entries, linkedFile));
  const counts = new Map<string, number>();
  for (const entry of listed) counts.set(key(entry.name), (counts.get(key(entry.name)) ?? 0) + 1);
  return new Map(
    entries.map((entry) => {
      const others = (counts.get(key(entry.name)) ?? 0) - (listed.has(entry) ? 1 : 0);
      return [entry.id, others > 0 ? `${entry.name.trim()} (${whereLabel(entry, { placeFirst: true })})` : entry.name];
    }),
  );
}
