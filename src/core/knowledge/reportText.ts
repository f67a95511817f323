/**
 * What a knowledge report says in the Assistants log and the notification. The paths come from the
 * workspace (a repository may name a file with a line break) or from a vector store's attributes
 * (anyone who can write to the store chooses them), the reasons from the server too: each is put on
 * one line (`oneLine`), so no name can forge a line of the log, add a line to the notification, or
 * turn the text after it around.
 */
import { oneLine } from '../../common/showable';
import type { KnowledgeReport } from './sync';

/** A file left out, with why. */
export interface Skipped {
  path: string;
  reason: string;
}

/** One log line per file of `report` and of `skipped`, each starting with `what` (the command's name), then the summary line. */
export function knowledgeLogLines(what: string, report: KnowledgeReport, skipped: readonly Skipped[], summary: string): string[] {
  const name = (path: string) => oneLine(path);
  return [
    ...report.added.map((path) => `${what}: added ${name(path)}`),
    ...report.replaced.map((path) => `${what}: replaced ${name(path)} (changed)`),
    ...report.retried.map((path) => `${what}: added ${name(path)} again (its indexing had failed)`),
    ...report.removed.map((path) => `${what}: removed ${name(path)}`),
    ...report.keptMissing.map((path) => `${what}: kept ${name(path)} (deleted in the workspace)`),
    ...report.leftAlone.map((path) => `${what}: left ${name(path)} alone (not added by this extension with this key)`),
    ...[...skipped, ...report.refused].map((s) => `${what}: skipped ${name(s.path)}: ${oneLine(s.reason)}`),
    ...report.failed.map((f) => `${what}: left ${name(f.path)} as it is: unchanged, and its indexing failed: ${oneLine(f.reason)}`),
    oneLine(summary),
  ];
}

/** The reasons files were left out, for the notification: up to four, each with how many files it kept out. */
export function skipReasons(left: readonly Pick<Skipped, 'reason'>[]): string {
  const counts = new Map<string, number>();
  for (const s of left) {
    const key = oneLine(s.reason).replace(/\.$/, '');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .slice(0, 4)
    .map(([reason, count]) => `${count} file${count === 1 ? '' : 's'}: ${reason}`)
    .join('; ');
}
