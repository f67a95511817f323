/**
 * One test tier as a child process with a wall-clock limit, for `npm test`. Each tier runs in its own
 * process group; past its limit the group gets SIGTERM (a tier process ends on it and closes what it
 * started, see endOnSignal.ts), and SIGKILL if it is still there after a grace period. A tier stopped
 * this way fails with a sentence naming it, so a hook that leaves a server listening cannot hang the run.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './codeServer';
import type { TierReport } from './report';
import { emptyReport, readReport } from './report';

/** How a tier's process ended. */
export interface TierExit {
  /** Exit code; null when a signal ended it. */
  code: number | null;
  /** True when the wall-clock limit ended it. */
  timedOut: boolean;
}

export interface TierCommand {
  /** Tier name, as the summary shows it. */
  tier: string;
  command: string;
  args: string[];
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Wall-clock limit in milliseconds. */
  limitMs: number;
  /** Time between SIGTERM and SIGKILL once the limit passed, in milliseconds; 10 s unless given. */
  graceMs?: number;
  /** The tier's output: shown (the default) or dropped. */
  output?: 'inherit' | 'ignore';
}

/** The tier process running now, so that a Ctrl+C on `npm test` stops it too. */
let current: ChildProcess | undefined;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

/** Runs a tier's command from the repository root, output inherited, ended after `limitMs`. */
export async function runTierCommand(options: TierCommand): Promise<TierExit> {
  const child = spawn(options.command, options.args, { cwd: repoRoot, stdio: options.output ?? 'inherit', detached: true, env: { ...process.env, ...options.env } });
  current = child;
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const limitTimer = setTimeout(() => {
    timedOut = true;
    console.log(`\nThe ${options.tier} tier did not finish within ${formatLimit(options.limitMs)}: stopping it.`);
    signalGroup(child, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), options.graceMs ?? 10_000);
  }, options.limitMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    // Whatever the tier left behind in its group goes with it.
    if (child.pid !== undefined) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* nothing left */ }
    return { code, timedOut };
  } finally {
    clearTimeout(limitTimer);
    clearTimeout(killTimer);
    current = undefined;
  }
}

/** Stops the running tier's process group, if any (for a Ctrl+C on the runner). */
export function stopCurrentTier(): void {
  if (current) signalGroup(current, 'SIGTERM');
}

function formatLimit(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** The summary line of a tier its limit ended. */
export function limitFailure(tier: string, limitMs: number): string {
  return `The ${tier} tier did not finish within ${formatLimit(limitMs)} and was stopped (a hook or test that never ends, or something left running).`;
}

/** A report for a tier that is a check, not a suite: one test that passed or did not. */
export function checkReport(tier: string, exit: TierExit, limitMs: number): TierReport {
  if (exit.timedOut) return { ...emptyReport(), failed: 1, failures: [limitFailure(tier, limitMs)] };
  return exit.code === 0 ? { ...emptyReport(), passed: 1 } : { ...emptyReport(), failed: 1, failures: [`${tier} failed (see above)`] };
}

/**
 * Adds the limit's failure to a tier's report when its limit ended it; a report with no test means
 * the suite never got going.
 */
export function withExit(tier: string, report: TierReport, exit: TierExit, limitMs: number): TierReport {
  if (exit.timedOut) return { ...report, failed: report.failed + 1, failures: [...report.failures, limitFailure(tier, limitMs)] };
  if (report.passed + report.failed === 0) return { ...report, failed: 1, failures: [`${tier}: no test ran`] };
  return report;
}

export interface MochaTierOptions {
  /** Added to the environment of the mocha process. */
  env?: NodeJS.ProcessEnv;
  /** Mocha's per-test timeout in milliseconds (`.mocharc.json`'s unless given). */
  testTimeoutMs?: number;
  limitMs: number;
  graceMs?: number;
  output?: 'inherit' | 'ignore';
}

/** Runs mocha on `pattern` as a tier, reporting through summaryReporter.cjs. */
export async function mochaTier(tier: string, pattern: string, options: MochaTierOptions): Promise<TierReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assistants-tier-'));
  const summary = path.join(dir, 'summary.json');
  // tsx first: command-line requires load before .mocharc.json's.
  const args = ['mocha', '--require', 'tsx/cjs', '--require', path.join('test', 'support', 'endOnSignal.ts'), '--reporter', path.join('test', 'support', 'summaryReporter.cjs'), pattern];
  if (options.testTimeoutMs) args.push('--timeout', String(options.testTimeoutMs));
  try {
    const exit = await runTierCommand({ tier, command: 'npx', args, env: { MOCHA_SUMMARY_FILE: summary, ...options.env }, limitMs: options.limitMs, graceMs: options.graceMs, output: options.output });
    const report = fs.existsSync(summary) ? readReport(summary) : emptyReport();
    return withExit(tier, report, exit, options.limitMs);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
