/**
 * The rules of the thread list: a thread's title, the order threads are listed in, the filter by
 * assistant, and how an item names its assistant and its last activity. Pure; the Threads view,
 * Switch Thread and Send to Another Assistant all list threads through these.
 */
import type { ThreadSummary } from './threadStore';

/** Longest title a new thread gets from its first question (characters, an ellipsis included). */
export const TITLE_LENGTH = 60;

/** Longest title Rename accepts (characters). */
export const MAX_TITLE_LENGTH = 200;

/**
 * The title a thread gets from its first question: the text on one line (runs of white space,
 * line breaks included, become one space), cut to `TITLE_LENGTH` characters with an ellipsis.
 */
export function titleFromQuestion(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > TITLE_LENGTH ? `${line.slice(0, TITLE_LENGTH - 1)}…` : line;
}

/** Longest label the Threads view gives a thread (characters, an ellipsis included): past it the assistant and last activity would be pushed out of a narrow side bar. */
export const LIST_LABEL_LENGTH = 24;

/**
 * A title as short as a list row wants it: unchanged up to `max` characters, else cut to `max`
 * with an ellipsis, at the last space when that keeps at least half of it (the whole title goes in
 * the tooltip).
 */
export function shortTitle(title: string, max = LIST_LABEL_LENGTH): string {
  if (title.length <= max) return title;
  const cut = title.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space >= max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Why `title` cannot be a thread's title (a sentence for an input box), or undefined when it can. */
export function titleProblem(title: string): string | undefined {
  if (!title.trim()) return 'Give the thread a title.';
  if (title.trim().length > MAX_TITLE_LENGTH) return `At most ${MAX_TITLE_LENGTH} characters.`;
  return undefined;
}

/** The title as kept: on one line, trimmed. Check it with `titleProblem` first. */
export function normalizeTitle(title: string): string {
  return title.replace(/\s+/g, ' ').trim();
}

/**
 * `title` with `suffix` after it (" (fork)", say), the title shortened (see `shortTitle`) so the
 * whole stays within `MAX_TITLE_LENGTH`.
 */
export function titleWithSuffix(title: string, suffix: string): string {
  return `${shortTitle(normalizeTitle(title), MAX_TITLE_LENGTH - suffix.length)}${suffix}`;
}

/**
 * Threads in list order, newest activity first (`updatedAt`, then `createdAt`, then id, so the
 * order is stable), keeping only those of the assistant `assistantId` when one is given.
 */
export function listThreads(threads: readonly ThreadSummary[], assistantId?: string): ThreadSummary[] {
  return threads
    .filter((thread) => assistantId === undefined || thread.assistantId === assistantId)
    .sort((a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt || a.id.localeCompare(b.id));
}

/**
 * What a list says a thread's assistant is: its name, "deleted assistant" when it no longer exists;
 * undefined when the thread recorded none, or the assistants could not be listed (`names` undefined).
 */
export function assistantLabel(assistantId: string | undefined, names: ReadonlyMap<string, string> | undefined): string | undefined {
  if (assistantId === undefined || names === undefined) return undefined;
  return names.get(assistantId) ?? 'deleted assistant';
}

/**
 * A thread's last activity as a list says it, relative to `now` (both Unix seconds): "just now",
 * "5 min ago", "3 h ago", "yesterday", "4 days ago", then the date (YYYY-MM-DD, UTC).
 */
export function lastActivityLabel(updatedAt: number, now: number): string {
  const seconds = Math.max(0, now - updatedAt);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  const days = Math.floor(seconds / 86_400);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return new Date(updatedAt * 1000).toISOString().slice(0, 10);
}
