/**
 * `npm test`: lint, type-check, build, then every test tier: unit (plain Node), contract (against
 * the OpenAPI file), integration (inside a real VS Code: code-server), e2e (Chromium driving
 * code-server with the packaged .vsix). Ends with one line `N passed, N failed`; exits non-zero on
 * any failure. `npm test -- --only unit,contract` runs a subset.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runIntegrationTier } from '../test/integration/tier';
import { repoRoot } from '../test/support/codeServer';
import type { TierReport } from '../test/support/report';
import { emptyReport, readReport } from '../test/support/report';

type TierName = 'lint' | 'typecheck' | 'build' | 'unit' | 'contract' | 'integration' | 'package' | 'e2e';
const ALL: TierName[] = ['lint', 'typecheck', 'build', 'unit', 'contract', 'integration', 'package', 'e2e'];

const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? (process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined);
const selected = new Set<TierName>(onlyArg ? (onlyArg.split(',') as TierName[]) : ALL);
const artifacts = path.join(repoRoot, 'test-results');
fs.mkdirSync(artifacts, { recursive: true });

function command(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): boolean {
  const result = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status === 0;
}

/** A check that is not a test suite counts as one test: it passed or it did not. */
function check(name: string, ok: boolean): TierReport {
  return ok ? { ...emptyReport(), passed: 1 } : { ...emptyReport(), failed: 1, failures: [`${name} failed (see above)`] };
}

function mochaTier(name: string, pattern: string, extraEnv: NodeJS.ProcessEnv = {}, timeoutMs?: number): TierReport {
  const summary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'assistants-tier-')), 'summary.json');
  const args = ['mocha', '--reporter', path.join('test', 'support', 'summaryReporter.cjs'), pattern];
  if (timeoutMs) args.push('--timeout', String(timeoutMs));
  command('npx', args, { MOCHA_SUMMARY_FILE: summary, ...extraEnv });
  const report = readReport(summary);
  if (report.passed + report.failed === 0) return { ...report, failed: 1, failures: [`${name}: no test ran`] };
  return report;
}

async function runTier(name: TierName): Promise<TierReport> {
  switch (name) {
    case 'lint':
      return check('lint', command('npx', ['eslint', '.']));
    case 'typecheck':
      return check('typecheck', command('npm', ['run', '--silent', 'typecheck']));
    case 'build':
      return check('build', command('node', ['esbuild.mjs', '--tests']));
    case 'unit':
      return mochaTier('unit', 'test/unit/**/*.test.ts');
    case 'contract':
      return mochaTier('contract', 'test/contract/**/*.test.ts');
    case 'integration': {
      return runIntegrationTier(path.join(artifacts, 'integration'));
    }
    case 'package':
      return check('package', command('npm', ['run', '--silent', 'package']));
    case 'e2e':
      return mochaTier('e2e', 'test/e2e/**/*.test.ts', { ASSISTANTS_ARTIFACTS: path.join(artifacts, 'e2e') }, 180_000);
    default: {
      const exhaustive: never = name;
      return exhaustive;
    }
  }
}

async function main(): Promise<void> {
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
