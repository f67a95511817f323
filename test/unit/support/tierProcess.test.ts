import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mochaTier, runTierCommand } from '../../support/tierProcess';

async function answers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

describe('a test tier with a wall-clock limit (npm test runner)', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assistants-tier-test-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ends a tier whose failed hook left a server listening, within its limit, as a failure naming the tier', async () => {
    const portFile = path.join(dir, 'port');
    const limitMs = 6000;
    const graceMs = 3000;
    const started = Date.now();
    const report = await mochaTier('fixture', 'test/unit/support/fixtures/failingHook.fixture.ts', { env: { FIXTURE_PORT_FILE: portFile }, limitMs, graceMs, output: 'ignore' });
    const elapsed = Date.now() - started;

    assert.ok(elapsed < limitMs + graceMs + 2000, `ended after ${elapsed} ms`);
    assert.ok(elapsed >= limitMs, `the limit ended it, not the suite (${elapsed} ms)`);
    assert.ok(report.failed >= 2, `the hook's failure and the limit both count (${JSON.stringify(report)})`);
    assert.ok(report.failures.some((line) => /before all" hook.*deliberate failure/.test(line)), report.failures.join('\n'));
    assert.ok(report.failures.some((line) => /^The fixture tier did not finish within 6 s and was stopped/.test(line)), report.failures.join('\n'));
    assert.equal(await answers(Number(fs.readFileSync(portFile, 'utf8'))), false, 'the server the hook left is gone');
  });

  it('kills the whole process group, not only the process it started', async () => {
    const pidFile = path.join(dir, 'pid');
    // A shell that starts a sleeper of its own and waits for it.
    const exit = await runTierCommand({ tier: 'fixture', command: 'sh', args: ['-c', `sleep 60 & echo $! > ${pidFile}; wait`], limitMs: 1000, graceMs: 1000 });
    assert.deepEqual(exit.timedOut, true);
    const sleeper = Number(fs.readFileSync(pidFile, 'utf8'));
    // A killed process lingers a moment until it is reaped.
    const gone = () => { try { process.kill(sleeper, 0); return false; } catch { return true; } };
    for (const deadline = Date.now() + 3000; !gone() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(gone(), 'the sleeper is gone too');
  });

  it('reports a tier that ends by itself with its exit code and no limit failure', async () => {
    const exit = await runTierCommand({ tier: 'fixture', command: 'sh', args: ['-c', 'exit 3'], limitMs: 10_000 });
    assert.deepEqual(exit, { code: 3, timedOut: false });
  });
});
