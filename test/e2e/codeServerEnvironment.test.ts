import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CodeServer } from '../support/codeServer';
import { ensureCodeServer, freePort, repoRoot, startCodeServer } from '../support/codeServer';

/** True when something answers HTTP on 127.0.0.1:port. */
async function answers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Variables a developer's shell may hold that code-server reads for itself: each would move it off
 * the harness's port or keep it from starting. `portTaken` is where PORT points.
 */
function hostileEnvironment(portTaken: number): Record<string, string> {
  return {
    PORT: String(portTaken),
    // Would bind another address than --bind-addr's (127.0.0.2 is loopback too, but not the harness's).
    CODE_SERVER_HOST: '127.0.0.2',
    // Set in VS Code's own terminals: code-server would hand the folder to that editor and exit.
    VSCODE_IPC_HOOK_CLI: path.join(os.tmpdir(), 'no-such-vscode-ipc.sock'),
    // Would make it wait for a parent code-server's handshake.
    CODE_SERVER_PARENT_PID: String(process.pid),
  };
}

describe('code-server started by the harness, with code-server variables in the environment', function () {
  this.timeout(120_000);
  const saved = { ...process.env };
  let server: CodeServer | undefined;
  let root: string;

  before(() => {
    ensureCodeServer();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'assistants-env-'));
  });

  afterEach(async () => {
    process.env = { ...saved };
    await server?.stop();
    server = undefined;
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers on the harness port and not on PORT', async () => {
    const portFromEnvironment = await freePort();
    Object.assign(process.env, hostileEnvironment(portFromEnvironment));
    server = await startCodeServer({
      userDataDir: path.join(root, 'user-data'),
      extensionsDir: path.join(root, 'extensions'),
      logFile: path.join(root, 'code-server.log'),
    });
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the harness port answers');
    assert.notEqual(server.port, portFromEnvironment);
    assert.equal(await answers(portFromEnvironment), false, 'nothing listens on PORT');
  });
});

describe('npm start -- --port N, with code-server variables in the environment', function () {
  this.timeout(180_000);
  let start: ChildProcess | undefined;

  afterEach(async () => {
    if (start?.pid === undefined || start.exitCode !== null) return;
    const exited = new Promise((resolve) => start!.once('exit', resolve));
    try { process.kill(-start.pid, 'SIGKILL'); } catch { /* already gone */ }
    await exited;
  });

  it('prints its URL on port N, answers there and not on PORT, and frees N on Ctrl+C', async () => {
    const port = await freePort();
    const portFromEnvironment = await freePort();
    // As package.json's start script runs it: one Node process that gets the signal itself.
    start = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--mock', '--port', String(port)], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...hostileEnvironment(portFromEnvironment) },
    });
    let output = '';
    start.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    start.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => start!.once('exit', (code) => resolve(code)));
    const printed = new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.includes('Press Ctrl+C to stop.')) resolve();
        else if (start!.exitCode !== null) reject(new Error(`npm start ended early:\n${output}`));
        else return;
        clearInterval(timer);
      }, 100);
    });
    await printed;
    assert.match(output, new RegExp(`http://127\\.0\\.0\\.1:${port}/\\?folder=`), 'the printed URL names port N');
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200, 'port N answers');
    assert.equal(await answers(portFromEnvironment), false, 'nothing listens on PORT');

    process.kill(-start.pid!, 'SIGINT');
    assert.equal(await exited, 0, `npm start ends cleanly on Ctrl+C:\n${output}`);
    assert.equal(await answers(port), false, 'code-server is gone after Ctrl+C');
  });
});
