import * as fs from 'node:fs';

/** What each test tier reports to the `npm test` summary. */
export interface TierReport {
  passed: number;
  failed: number;
  skipped: number;
  /** One line per failure: test title and message. */
  failures: string[];
}

export function emptyReport(): TierReport {
  return { passed: 0, failed: 0, skipped: 0, failures: [] };
}

/** Reads a report a mocha run wrote; a missing one means the suite never got to the end. */
export function readReport(file: string): TierReport {
  if (!fs.existsSync(file)) return { ...emptyReport(), failed: 1, failures: ['The suite wrote no report (it did not start or crashed).'] };
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TierReport;
}
