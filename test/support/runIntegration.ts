/**
 * Runs the mocha suite in out/test/integration inside a real VS Code extension host: code-server
 * with the smoke-test driver, opened by Chromium with a test payload. The workbench reports the
 * suite's end through `window.codeAutomationExit`; the suite also writes a JSON report, which is
 * what we trust (code-server's own log always says exit code 0).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { CodeServer } from './codeServer';
import { chromiumArgs, chromiumPath, ensureCodeServer, remoteUri, repoRoot, startCodeServer } from './codeServer';
import type { TierReport } from './report';
import { readReport } from './report';

/** Lines of mocha's spec reporter (suite titles are indented, results marked). */
const suiteOutput = /^\s+(✔|✓|\d+\)|\d+ (passing|failing|pending))|^ {2,}(?!at )\S/;

export interface IntegrationOptions {
  /** Folder opened as the workspace (copied to a temp folder first, so tests may write). */
  workspaceTemplate: string;
  /** Environment for the extension host (fake server URL, API key...). */
  extensionEnvironment: Record<string, string>;
  /** User settings written before start. */
  settings?: Record<string, unknown>;
  artifactsDir: string;
  timeoutMs?: number;
}

export async function runIntegration(options: IntegrationOptions): Promise<TierReport> {
  ensureCodeServer();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'assistants-it-'));
  const userDataDir = path.join(root, 'user-data');
  const workspace = path.join(root, 'workspace');
  fs.cpSync(options.workspaceTemplate, workspace, { recursive: true });
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, ...options.settings }, null, 2),
  );
  fs.mkdirSync(options.artifactsDir, { recursive: true });
  const reportFile = path.join(root, 'report.json');
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(tmp);
  // Whatever fails, what was started is closed in `finally`.
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer({
      userDataDir,
      extensionsDir: path.join(root, 'extensions'),
      smokeTestDriver: true,
      logFile: path.join(options.artifactsDir, 'code-server.log'),
      env: { TMPDIR: tmp },
    });
    browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    // The workbench's console (extension host included) goes to a file; the suite's own lines also to stdout.
    const consoleLog = fs.createWriteStream(path.join(options.artifactsDir, 'console.log'));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const line = format(...args);
      consoleLog.write(`[${type}] ${line}\n`);
      if (suiteOutput.test(line)) process.stdout.write(`${line}\n`);
    });
    const payload = [
      ['extensionDevelopmentPath', remoteUri(server.port, repoRoot)],
      ['extensionTestsPath', remoteUri(server.port, path.join(repoRoot, 'out', 'test', 'integration', 'index.js'))],
      ['skipWelcome', 'true'],
      ['extensionEnvironment', JSON.stringify({ ...options.extensionEnvironment, ASSISTANTS_TEST_REPORT: reportFile })],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    const timeoutMs = options.timeoutMs ?? 300_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<number>((resolve) => { timer = setTimeout(() => resolve(-1), timeoutMs); });
    const code = await Promise.race([exitCode, timedOut]);
    clearTimeout(timer);
    await page.screenshot({ path: path.join(options.artifactsDir, 'integration-end.png') }).catch(() => undefined);
    const report = readReport(reportFile);
    if (code === -1) return { ...report, failed: report.failed + 1, failures: [...report.failures, `The suite did not finish within ${timeoutMs / 1000} s.`] };
    if (code !== 0 && report.failed === 0) return { ...report, failed: 1, failures: [...report.failures, `The workbench reported exit code ${code}.`] };
    return report;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
