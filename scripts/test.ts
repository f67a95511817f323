/**
 * `npm test`: lint, type-check, build, then every test tier: unit (plain Node), contract (against
 * the OpenAPI file), integration (inside a real VS Code: code-server), e2e (Chromium driving
 * code-server with the packaged .vsix). Each tier runs as a process of its own with a wall-clock
 * limit; one that passes it is stopped and counted as failed. Ends with one line
 * `N passed, N failed`; exits non-zero on any failure. `npm test -- --only unit,contract` runs a subset.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../test/support/codeServer';
import type { TierReport } from '../test/support/report';
import { emptyReport, readReport } from '../test/support/report';
import { checkReport, mochaTier, runTierCommand, stopCurrentTier, withExit } from '../test/support/tierProcess';

type TierName = 'lint' | 'typecheck' | 'build' | 'unit' | 'contract' | 'integration' | 'package' | 'e2e';
const ALL: TierName[] = ['lint', 'typecheck', 'build', 'unit', 'contract', 'integration', 'package', 'e2e'];

const MINUTE = 60_000;
/**
 * Wall-clock limit of each tier, a few times what it takes on a 2-core machine. Integration and e2e
 * include installing code-server on a fresh clone (about two minutes).
 */
const LIMITS: Record<TierName, number> = {
  lint: 5 * MINUTE,
  typecheck: 5 * MINUTE,
  build: 5 * MINUTE,
  unit: 10 * MINUTE,
  contract: 10 * MINUTE,
  integration: 20 * MINUTE,
  package: 5 * MINUTE,
  e2e: 30 * MINUTE,
};

const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? (process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined);
const selected = new Set<TierName>(onlyArg ? (onlyArg.split(',') as TierName[]) : ALL);
const artifacts = path.join(repoRoot, 'test-results');
fs.mkdirSync(artifacts, { recursive: true });

/** A check that is not a test suite counts as one test: it passed or it did not. */
async function check(name: TierName, command: string, args: string[]): Promise<TierReport> {
  return checkReport(name, await runTierCommand({ tier: name, command, args, limitMs: LIMITS[name] }), LIMITS[name]);
}

async function integrationTier(): Promise<TierReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assistants-tier-'));
  const reportFile = path.join(dir, 'report.json');
  try {
    const args = ['--import', 'tsx', path.join('test', 'integration', 'tier.ts'), path.join(artifacts, 'integration'), reportFile];
    const exit = await runTierCommand({ tier: 'integration', command: process.execPath, args, limitMs: LIMITS.integration });
    const report = exit.timedOut && !fs.existsSync(reportFile) ? emptyReport() : readReport(reportFile);
    return withExit('integration', report, exit, LIMITS.integration);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runTier(name: TierName): Promise<TierReport> {
  switch (name) {
    case 'lint':
      return check(name, 'npx', ['eslint', '.']);
    case 'typecheck':
      return check(name, 'npm', ['run', '--silent', 'typecheck']);
    case 'build':
      return check(name, 'node', ['esbuild.mjs', '--tests']);
    case 'unit':
      return mochaTier(name, 'test/unit/**/*.test.ts', { limitMs: LIMITS.unit });
    case 'contract':
      return mochaTier(name, 'test/contract/**/*.test.ts', { limitMs: LIMITS.contract });
    case 'integration':
      return integrationTier();
    case 'package':
      return check(name, 'npm', ['run', '--silent', 'package']);
    case 'e2e':
      return mochaTier(name, 'test/e2e/**/*.test.ts', { env: { ASSISTANTS_ARTIFACTS: path.join(artifacts, 'e2e') }, testTimeoutMs: 180_000, limitMs: LIMITS.e2e });
    default: {
      const exhaustive: never = name;
      return exhaustive;
    }
  }
}

async function main(): Promise<void> {
  // Tiers run in process groups of their own, which a Ctrl+C on the terminal does not reach.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopCurrentTier();
      process.exit(130);
    });
  }
  const rows: { name: TierName; report: TierReport; seconds: number }[] = [];
  for (const name of ALL) {
    if (!selected.has(name)) continue;
    console.log(`\n=== ${name} ===`);
    const started = Date.now();
    let report: TierReport;
    try {
      report = await runTier(name);
    } catch (error) {
      report = { ...emptyReport(), failed: 1, failures: [`${name}: ${error instanceof Error ? error.message : String(error)}`] };
    }
    rows.push({ name, report, seconds: (Date.now() - started) / 1000 });
  }
  console.log('\n=== summary ===');
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const { name, report, seconds } of rows) {
    passed += report.passed;
    failed += report.failed;
    skipped += report.skipped;
    console.log(`${name.padEnd(12)} ${String(report.passed).padStart(4)} passed ${String(report.failed).padStart(3)} failed ${String(report.skipped).padStart(3)} skipped ${seconds.toFixed(1).padStart(7)} s`);
    for (const failure of report.failures) console.log(`  - ${failure}`);
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed > 0 ? 1 : 0);
}

void main();
