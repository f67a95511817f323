/**
 * The integration suite's entry, loaded by VS Code's extension host (code-server here, or a desktop
 * build through @vscode/test-electron). VS Code calls `run()` and reports its outcome.
 */
import * as fs from 'node:fs';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  // The suites are bundled with this file; define mocha's globals before their modules evaluate.
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- must load after the globals exist
  require('./suites');
  const failures: string[] = [];
  const stats = await new Promise<{ passes: number; failures: number; pending: number }>((resolve) => {
    const runner = mocha.run(() => resolve({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? 0, pending: runner.stats?.pending ?? 0 }));
    runner.on('fail', (test, error: Error) => failures.push(`${test.fullTitle()}: ${error.message}`));
  });
  const reportFile = process.env.ASSISTANTS_TEST_REPORT;
  if (reportFile) {
    fs.writeFileSync(reportFile, JSON.stringify({ passed: stats.passes, failed: stats.failures, skipped: stats.pending, failures }));
  }
  if (stats.failures > 0) throw new Error(`${stats.failures} integration test(s) failed.`);
}
