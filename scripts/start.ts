/**
 * `npm start`: builds the extension and starts VS Code (code-server on 127.0.0.1) with it installed
 * and the sample workspace open, then prints the URL to open. OPENAI_API_KEY / OPENAI_BASE_URL from
 * the environment reach the extension. `npm start -- --mock` points it at the project's fake server
 * instead, so everything can be tried offline. `--port N` picks the port; default 8080. PORT in the
 * environment is left alone: on a web developer's machine it belongs to their own server.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';
import { PortInUseError, ensureCodeServer, repoRoot, startCodeServer } from '../test/support/codeServer';

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

async function main(): Promise<void> {
  const mock = process.argv.includes('--mock');
  const portArg = argValue('--port');
  const port = Number(portArg ?? 8080);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`"${portArg}" is not a port: give a number from 1 to 65535, as in npm start -- --port 9000.`);

  if (spawnSync('node', ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' }).status !== 0) process.exit(1);
  ensureCodeServer();

  // The offline demo has a profile of its own, so its settings never leak into a real one.
  const home = path.join(repoRoot, '.vscode-test', mock ? 'start-mock' : 'start');
  const extensionsDir = path.join(home, 'extensions');
  const userDataDir = path.join(home, 'user-data');
  fs.mkdirSync(extensionsDir, { recursive: true });
  // The extension folder linked in as an installed extension: rebuilds (npm run watch) show after a window reload.
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const link = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(repoRoot, link, 'dir');
  fs.rmSync(path.join(extensionsDir, 'extensions.json'), { force: true });
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    const settings: Record<string, unknown> = {
      'workbench.startupEditor': 'none',
      // The sample workspace sits inside this repository: no prompt to open the parent repository.
      'git.openRepositoryInParentFolders': 'never',
    };
    // Offline, every tool is worth a click: the fake server plays file search and code interpreter too.
    if (mock) Object.assign(settings, { 'assistants.tools.fileSearch': true, 'assistants.tools.codeInterpreter': true });
    fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  }

  const env: NodeJS.ProcessEnv = {};
  let stopFake: (() => Promise<void>) | undefined;
  if (mock) {
    const fake = await FakeOpenAIServer.start();
    stopFake = () => fake.close();
    Object.assign(env, { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'fake-key-for-the-offline-server', ASSISTANTS_MOCK: '1' });
    console.log(`Fake OpenAI server: ${fake.baseUrl}`);
  }

  const server = await startCodeServer({ port, userDataDir, extensionsDir, logFile: path.join(home, 'code-server.log'), env }).catch(async (error: unknown) => {
    await stopFake?.();
    throw error instanceof PortInUseError ? new Error(`${error.message} Pick another with npm start -- --port N.`) : error;
  });
  const workspace = path.join(repoRoot, 'sample-workspace');
  console.log(`\nVS Code with Assistants is running. Open:\n\n  ${server.url}/?folder=${encodeURIComponent(workspace)}\n`);
  console.log(mock ? 'Talking to the fake server (offline).' : 'Set your key with "Assistants: Set API Key" (or export OPENAI_API_KEY before npm start).');
  console.log('Press Ctrl+C to stop.');

  const shutdown = async () => {
    await server.stop();
    await stopFake?.();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
