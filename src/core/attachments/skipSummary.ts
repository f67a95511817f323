/**
 * The words for files left out of an attach or a knowledge add, as one clause:
 * "skipped 1: .env-local may hold secrets (assistants.functions.deny)".
 */

import { oneLine } from '../../common/showable';

/** A file left out: its workspace path, and what is wrong with it said of it ("is ignored by .gitignore"). */
export interface SkippedFile {
  display: string;
  reason: string;
}

/** Names shown per reason before the rest are counted ("a, b, c and 4 more"). */
const NAMES_SHOWN = 3;

/** The plural of a reason's leading verb, for several files sharing it. */
const PLURAL_VERBS: Record<string, string> = { is: 'are', has: 'have', contains: 'contain', links: 'link', goes: 'go' };

/**
 * "skipped 3: .env may hold secrets (assistants.functions.deny); dist/a.js and dist/b.js are
 * ignored by .gitignore": the files grouped by reason, in the order the reasons first came, a few
 * names each. Empty for no file. Each reason is a clause without its subject (see `SkippedFile`).
 */
export function skipSummary(skipped: readonly SkippedFile[]): string {
  if (skipped.length === 0) return '';
  const byReason = new Map<string, string[]>();
  for (const { display, reason } of skipped) {
    const key = reason.replace(/\.$/, '');
    // A repository's file may be named with a line break or a direction override: shown on one line.
    byReason.set(key, [...(byReason.get(key) ?? []), oneLine(display)]);
  }
  const groups = [...byReason.entries()].map(([reason, names]) => `${namesOf(names)} ${names.length === 1 ? reason : plural(reason)}`);
  return `skipped ${skipped.length}: ${groups.join('; ')}`;
}

function namesOf(names: readonly string[]): string {
  if (names.length === 1) return names[0];
  if (names.length <= NAMES_SHOWN) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, NAMES_SHOWN).join(', ')} and ${names.length - NAMES_SHOWN} more`;
}

function plural(reason: string): string {
  const [verb, ...rest] = reason.split(' ');
  const many = PLURAL_VERBS[verb];
  return many ? [many, ...rest].join(' ') : reason;
}
