import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { AssistantEntry, AssistantLocation } from '../../../../src/core/assistants/assistantStore';
import type { ApprovalAnswer, ApprovalRequest } from '../../../../src/core/functions/functionToolHandler';
import { functionToolHandler, UNTRUSTED_OUTPUT } from '../../../../src/core/functions/functionToolHandler';
import { FunctionRegistry } from '../../../../src/core/functions/registry';
import { parseMcpConfig } from '../../../../src/core/mcp/vscodeConfig';
import type { McpServerTool, Run } from '../../../../src/common/model';
import { unshowableIn } from '../../../../src/common/showable';
import { assertPrompt, startClock } from '../../support/prompt';
import { McpSecrets } from '../../../../src/host/mcp/mcpSecrets';
import type { SecretUse } from '../../../../src/host/mcp/mcpSecrets';
import { hostedServersLeftOut, McpServers } from '../../../../src/host/mcp/mcpServers';
import type { McpServersDeps } from '../../../../src/host/mcp/mcpServers';

const FIXTURE = path.join(__dirname, '../../../fakes/mcp/notesServer.mjs');
const RAW_FIXTURE = path.join(__dirname, '../../../fakes/mcp/rawServer.mjs');
const notes = (extra: Partial<McpServerTool['local'] & object> = {}): McpServerTool => ({ type: 'mcp', serverLabel: 'notes', local: { transport: 'stdio', command: process.execPath, args: [FIXTURE], ...extra } as McpServerTool['local'] });
const entry = (location: AssistantLocation, ...tools: McpServerTool[]): AssistantEntry => ({ id: `${location}:a`, name: 'A', location, assistant: { id: `${location}:a`, name: 'A', model: 'm', createdAt: 0, tools } });
const run = { id: 'run_1', threadId: 'thread_1', assistantId: 'user:a', status: 'requires_action', createdAt: 0 } as Run;

function memorySecrets(): vscode.SecretStorage {
  const values = new Map<string, string>();
  return { get: async (k: string) => values.get(k), store: async (k: string, v: string) => void values.set(k, v), delete: async (k: string) => void values.delete(k), onDidChange: (() => ({ dispose() {} })) as unknown as vscode.Event<vscode.SecretStorageChangeEvent> };
}

/** A log that keeps its lines, a trust switch, start questions and warnings: what a window gives the servers. */
function harness(overrides: Partial<McpServersDeps> = {}) {
  const lines: string[] = [];
  const log = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l), error: (l: string) => lines.push(l) } as unknown as vscode.LogOutputChannel;
  const state = { trusted: true, confirms: [] as string[], warnings: [] as string[], answer: true };
  const secrets = new McpSecrets(memorySecrets());
  const servers = new McpServers({
    log,
    trusted: () => state.trusted,
    secrets,
    folder: () => path.dirname(FIXTURE),
    confirmStart: async (server, description) => (state.confirms.push(`${server}: ${description}`), state.answer),
    warn: (message) => state.warnings.push(message),
    ...overrides,
  });
  return { servers, lines, state, secrets };
}

/** The chat's tool handler with no workspace functions, and an approver answering from a list. */
function handlerFor(servers: McpServers, target: AssistantEntry, answers: ApprovalAnswer[], trusted = () => true) {
  const asked: ApprovalRequest[] = [];
  const handler = functionToolHandler({
    registry: new FunctionRegistry(),
    trusted,
    policy: () => undefined,
    approver: { ask: async (request) => (asked.push(request), answers.shift() ?? 'deny') },
    roots: () => [],
    runFunctions: async () => (await servers.additions(target)).registry,
  });
  const call = async (name: string, args: Record<string, unknown>, signal = new AbortController().signal) =>
    (await handler.handle([{ callId: `c_${name}`, name, arguments: JSON.stringify(args) }], { run, signal }))[0].output;
  return { asked, call };
}

describe('local MCP servers (stdio, the official SDK): started with the chat, approved like workspace functions', function () {
  this.timeout(30_000);
  const started: McpServers[] = [];
  afterEach(() => {
    for (const servers of started.splice(0)) servers.dispose();
  });
  const track = <T extends { servers: McpServers }>(h: T): T => (started.push(h.servers), h);

  it('offers a server\'s tools as functions; reads run, a write asks and runs once allowed, a denied write never runs', async () => {
    const h = track(harness());
    const target = entry('user', notes());
    const { registry, notes: said } = await h.servers.additions(target);
    assert.deepEqual(said, []);
    assert.deepEqual(registry.list().map((fn) => [fn.definition.name, fn.writes]), [['mcp_notes_read_note', false], ['mcp_notes_write_note', true], ['mcp_notes_hang', false], ['mcp_notes_fail', false]]);
    assert.ok(h.lines.some((line) => /^\[notes\] notes server ready/.test(line)), 'the server\'s stderr is in the log');
    assert.ok(h.lines.some((line) => line.startsWith('MCP server notes: started, 4 tools')));
    const { asked, call } = handlerFor(h.servers, target, ['deny', 'once']);
    assert.equal(await call('mcp_notes_read_note', { title: 'launch' }), 'The launch is on March 3.');
    assert.equal(await call('mcp_notes_write_note', { title: 'plan', text: 'Ship.' }), 'Error: the user denied this call to mcp_notes_write_note.');
    assert.equal(await call('mcp_notes_read_note', { title: 'plan' }), 'Error: read_note on the MCP server notes failed: No note is titled "plan".', 'the denied write did not run');
    assert.equal(await call('mcp_notes_write_note', { title: 'plan', text: 'Ship.' }), 'Saved the note "plan".');
    assert.equal(await call('mcp_notes_read_note', { title: 'plan' }), 'Ship.');
    assert.deepEqual(asked.map((a) => [a.name, a.server, a.writes]), [['mcp_notes_write_note', 'notes', true], ['mcp_notes_write_note', 'notes', true]]);
    assert.equal(await call('mcp_notes_read_note', { nope: 1 }), 'Error: the arguments do not match the parameters: must have required property \'title\'.', 'arguments are checked against the tool\'s schema first');
  });

  it('a tool whose output schema backtracks on its result answers at once with the check that failed, and the host is not held', async () => {
    const h = track(harness());
    const target = entry('user', notes({ env: { NOTES_HOSTILE_OUTPUT: '1' } }));
    await h.servers.additions(target);
    const { call } = handlerFor(h.servers, target, []);
    const clock = startClock();
    assert.match(await call('mcp_notes_measure', {}), /^Error: the MCP server notes could not run measure: .*must match pattern/);
    assertPrompt('the call', clock, 1_000);
  });

  it('in an untrusted workspace nothing starts and every call is refused', async () => {
    const h = track(harness());
    h.state.trusted = false;
    const target = entry('user', notes());
    assert.equal((await h.servers.additions(target)).registry.list().length, 0);
    assert.ok(!h.lines.some((line) => line.includes('started')));
    const { call } = handlerFor(h.servers, target, [], () => false);
    assert.equal(await call('mcp_notes_read_note', { title: 'launch' }), UNTRUSTED_OUTPUT);
  });

  it('asks once before a repository\'s file starts its server; declined, it does not start and the model is told why', async () => {
    const h = track(harness());
    h.state.answer = false;
    const target = entry('workspace', notes({ cwd: '.' }));
    const first = await h.servers.additions(target);
    assert.equal(first.registry.list().length, 0);
    assert.deepEqual(first.notes, ['The MCP server notes is not available: the user did not allow this workspace\'s assistant file to start it.']);
    await h.servers.additions(target);
    assert.equal(h.state.confirms.length, 1, 'asked once while the window lives');
    assert.match(h.state.confirms[0], new RegExp(`^notes: runs ${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*notesServer\\.mjs in \\.$`));
    assert.ok(!h.lines.some((line) => line.includes('started')));
    const mine = track(harness());
    await mine.servers.additions(entry('user', notes()));
    assert.equal(mine.state.confirms.length, 0, 'your own assistant\'s server starts without asking');
  });

  it('the start question says every variable the definition sets: one can change what runs, or hand over a secret', async () => {
    for (const [env, said] of [
      [{ PATH: 'bin:/usr/bin:/bin' }, ', setting PATH=bin:/usr/bin:/bin'],
      [{ NODE_OPTIONS: '--require ./x.js', NOTES_GREETING: '${secret:notes}' }, ', setting NODE_OPTIONS=--require ./x.js, NOTES_GREETING=${secret:notes}'],
      [{ 'LD_PRELOAD\u202e': `a\nb${'c'.repeat(100)}` }, `, setting LD_PRELOAD =a b${'c'.repeat(77)}…`],
    ] as const) {
      const h = track(harness());
      h.state.answer = false;
      await h.servers.additions(entry('workspace', notes({ env })));
      assert.equal(h.state.confirms.length, 1);
      assert.ok(h.state.confirms[0].endsWith(`notesServer.mjs${said}`), h.state.confirms[0]);
    }
  });

  it('a tool that does not answer in time, and Stop, end the call with a sentence', async () => {
    const h = track(harness({ callTimeoutMs: 300 }));
    const target = entry('user', notes());
    const { call } = handlerFor(h.servers, target, []);
    assert.equal(await call('mcp_notes_hang', {}), 'Error: the MCP server notes did not answer within 0.3 s; its answer, if any, is lost.');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    assert.equal(await call('mcp_notes_hang', {}, stop.signal), 'Error: mcp_notes_hang was stopped.');
    assert.equal(await call('mcp_notes_read_note', { title: 'launch' }), 'The launch is on March 3.', 'the server still answers after both');
  });

  it('a server that cannot start is left out with one sentence for the user and a note for the model', async () => {
    const h = track(harness());
    const missing = await h.servers.additions(entry('user', notes({ command: 'no-such-mcp-server-command' } as never)));
    assert.equal(missing.registry.list().length, 0);
    assert.match(missing.notes[0], /^The MCP server notes is not available: /);
    assert.equal(h.state.warnings.length, 1);
    assert.match(h.state.warnings[0], /^The MCP server notes could not start: .* Its tools are left out; "Assistants: Show Log" has its output\.$/);
    const crash = await h.servers.additions(entry('user', notes({ args: ['-e', 'process.exit(3)'] })));
    assert.equal(crash.registry.list().length, 0);
    assert.equal(h.state.warnings.length, 2);
  });

  it('a server whose answer is no protocol, or whose words break lines or turn text around, is said on one short line', async () => {
    const raw = (mode: string) => notes({ args: [RAW_FIXTURE], env: { RAW_MODE: mode } });
    const h = track(harness());
    for (const mode of ['bad-initialize', 'bad-list']) {
      await h.servers.additions(entry('user', raw(mode)));
      assert.equal(h.state.warnings.at(-1), 'The MCP server notes could not start: its answer is not what the MCP protocol allows. Its tools are left out; "Assistants: Show Log" has its output.', mode);
    }
    await h.servers.additions(entry('user', raw('error-initialize')));
    const said = h.state.warnings.at(-1) ?? '';
    assert.match(said, /^The MCP server notes could not start: MCP error -1: Set your token at https:\/\/evil\.example\/ lmth\.nigol MCP server notes: started \[2KZ+… Its tools are left out;/);
    assert.ok(said.length < 500, `${said.length} characters`);
    assert.ok(h.lines.every((line) => unshowableIn(line) === undefined), 'no log line broken or turned around');
  });

  it('a tool call failing with 3 MB of words, or answering 100,000 nulls, gives the model a sentence of a few hundred characters', async () => {
    for (const [mode, said] of [['error-call', /^Error: the MCP server notes could not run lookup: MCP error -32000: E+…$/], ['null-content', /^Error: the MCP server notes could not run lookup: its answer is not what the MCP protocol allows$/]] as const) {
      const h = track(harness());
      const target = entry('user', notes({ args: [RAW_FIXTURE], env: { RAW_MODE: mode } }));
      await h.servers.additions(target);
      const { call } = handlerFor(h.servers, target, []);
      const clock = startClock();
      const output = await call('mcp_notes_lookup', {});
      assertPrompt(mode, clock);
      assert.match(output, said);
      assert.ok(output.length < 1_000, `${output.length} characters`);
    }
  });

  it('puts a secret in the server\'s environment, stops the old server when the definition changes, and all on dispose', async () => {
    const h = track(harness());
    await h.secrets.set('greet', 'hello from the keychain', 'stdio');
    const target = entry('user', notes({ env: { NOTES_GREETING: '${secret:greet}' } }));
    const { call } = handlerFor(h.servers, target, []);
    assert.equal(await call('mcp_notes_read_note', { title: 'greeting' }), 'hello from the keychain');
    const pidOf = () => Number(/pid (\d+)/.exec([...h.lines].reverse().find((line) => line.includes('ready')) ?? '')?.[1]);
    const first = pidOf();
    await h.servers.additions(entry('user', notes()));
    await waitFor(() => !alive(first));
    const second = pidOf();
    assert.notEqual(second, first);
    h.servers.dispose();
    await waitFor(() => !alive(second));
    assert.ok(!h.lines.some((line) => line.includes('hello from the keychain')), 'the secret is not in the log');
  });
});

describe('MCP servers configured in VS Code (.vscode/mcp.json, the user\'s mcp.json and setting) beside the assistant\'s own', function () {
  this.timeout(30_000);
  const started: McpServers[] = [];
  afterEach(() => {
    for (const servers of started.splice(0)) servers.dispose();
  });
  /** A harness whose VS Code configuration is `text` of .vscode/mcp.json (a repository's) or of the user's mcp.json. */
  const configuredHarness = (text: string, location: AssistantLocation = 'workspace') => {
    const source = location === 'workspace' ? '.vscode/mcp.json' : 'your mcp.json';
    const config = parseMcpConfig(text, { label: source, location, folder: path.dirname(FIXTURE), home: os.homedir() });
    const warned: { message: string; secret?: SecretUse }[] = [];
    const h = harness({
      configured: async () => ({ servers: config.servers.map((tool) => ({ tool, location, source, inputs: config.inputs })), problems: config.problems }),
      warn: (message, secret) => void warned.push({ message, secret }),
    });
    started.push(h.servers);
    return { ...h, warned };
  };
  const mcpJson = (server: object, inputs: object[] = []) => `{
    // The repository's notes server.
    "inputs": ${JSON.stringify(inputs)},
    "servers": { "notes": ${JSON.stringify(server)}, },
  }`;
  const stdioServer = { type: 'stdio', command: process.execPath, args: ['${workspaceFolder}/notesServer.mjs'] };

  it('offers a repository\'s stdio server to any assistant once the user consents, named by its configuration; callable through the registry', async () => {
    const h = configuredHarness(mcpJson(stdioServer));
    const target = entry('user');
    const { registry, notes: said } = await h.servers.additions(target);
    assert.deepEqual(said, []);
    assert.deepEqual(registry.list().map((fn) => fn.definition.name), ['mcp_notes_read_note', 'mcp_notes_write_note', 'mcp_notes_hang', 'mcp_notes_fail']);
    assert.equal(h.state.confirms.length, 1);
    assert.match(h.state.confirms[0], /^notes: runs .* \S+notesServer\.mjs$/);
    const { asked, call } = handlerFor(h.servers, target, ['once']);
    assert.equal(await call('mcp_notes_read_note', { title: 'launch' }), 'The launch is on March 3.');
    assert.equal(await call('mcp_notes_write_note', { title: 'plan', text: 'Ship.' }), 'Saved the note "plan".');
    assert.deepEqual(asked.map((a) => [a.name, a.server]), [['mcp_notes_write_note', 'notes']], 'a writing tool asks on the card');
    await h.servers.additions(target);
    assert.equal(h.state.confirms.length, 1, 'consent is asked once per server');
  });

  it('starts nothing a repository configured when the user declines, or in an untrusted workspace; the user\'s own configuration starts without asking', async () => {
    const declined = configuredHarness(mcpJson(stdioServer));
    declined.state.answer = false;
    const first = await declined.servers.additions(entry('user'));
    assert.equal(first.registry.list().length, 0);
    assert.deepEqual(first.notes, ['The MCP server notes is not available: the user did not allow this workspace\'s .vscode/mcp.json to start it.']);
    assert.ok(!declined.lines.some((line) => line.includes('started')));
    const untrusted = configuredHarness(mcpJson(stdioServer));
    untrusted.state.trusted = false;
    assert.equal((await untrusted.servers.additions(entry('user'))).registry.list().length, 0);
    assert.deepEqual(untrusted.state.confirms, [], 'not even asked');
    assert.ok(!untrusted.lines.some((line) => line.includes('started')));
    const mine = configuredHarness(mcpJson(stdioServer), 'user');
    assert.equal((await mine.servers.additions(entry('user'))).registry.list().length, 4);
    assert.deepEqual(mine.state.confirms, []);
  });

  it('an assistant\'s own server of the same label wins over the configured one', async () => {
    const h = configuredHarness(mcpJson({ ...stdioServer, env: { NOTES_GREETING: 'configured' } }), 'user');
    await h.secrets.set('greet', 'own', 'stdio');
    const target = entry('user', notes({ env: { NOTES_GREETING: '${secret:greet}' } }));
    const { call } = handlerFor(h.servers, target, []);
    assert.equal(await call('mcp_notes_read_note', { title: 'greeting' }), 'own');
    assert.equal(h.lines.filter((line) => line.startsWith('MCP server notes: started')).length, 1);
  });

  it('fills ${input:ID} in args and env from the secret ID, never guessing; a missing one names the input and the secret to set', async () => {
    const inputs = [{ type: 'promptString', id: 'notes-greeting', description: 'The greeting note', password: true }];
    const server = { ...stdioServer, args: [...stdioServer.args, '--token=${input:notes-greeting}'], env: { NOTES_GREETING: '${input:notes-greeting}' } };
    const h = configuredHarness(mcpJson(server, inputs), 'user');
    const missing = await h.servers.additions(entry('user'));
    assert.equal(missing.registry.list().length, 0);
    const sentence = 'The MCP server notes of your mcp.json needs the input "notes-greeting" (The greeting note), which is not set: click Set MCP Secret (or run "Assistants: Set MCP Secret") and enter it.';
    assert.deepEqual(missing.notes, [`The MCP server notes is not available: ${sentence}`]);
    await waitFor(() => h.warned.length > 0);
    assert.deepEqual(h.warned, [{ message: `${sentence} Until then its tools are left out.`, secret: { name: 'notes-greeting', server: 'notes', target: 'stdio' } }]);
    await h.secrets.set('notes-greeting', 'hi from an input', 'stdio');
    const { call } = handlerFor(h.servers, entry('user'), []);
    assert.equal(await call('mcp_notes_read_note', { title: 'greeting' }), 'hi from an input');
    assert.ok(!h.lines.some((line) => line.includes('hi from an input')), 'the value is not in the log');
  });

  it('reads the environment of envFile under env, and says when the file is missing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-envfile-'));
    try {
      fs.writeFileSync(path.join(dir, 'notes.env'), '# for the notes server\nNOTES_GREETING="from the env file"\n');
      const h = configuredHarness(mcpJson({ ...stdioServer, envFile: path.join(dir, 'notes.env') }), 'user');
      const { call } = handlerFor(h.servers, entry('user'), []);
      assert.equal(await call('mcp_notes_read_note', { title: 'greeting' }), 'from the env file');
      const gone = configuredHarness(mcpJson({ ...stdioServer, envFile: path.join(dir, 'gone.env') }), 'user');
      assert.match((await gone.servers.additions(entry('user'))).notes[0], /^The MCP server notes is not available: .*its envFile .*gone\.env does not exist\.$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an envFile that says it is small and holds more is read no further than 64 KB (links to /proc/self/pagemap and /proc/kallsyms)', async function () {
    if (!fs.existsSync('/proc/self/pagemap')) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-envfile-'));
    try {
      // pagemap says it is empty and holds terabytes: read whole, it filled the extension host's memory.
      fs.symlinkSync('/proc/self/pagemap', path.join(dir, 'pagemap.env'));
      fs.symlinkSync('/proc/kallsyms', path.join(dir, 'kallsyms.env'));
      for (const name of ['pagemap.env', 'kallsyms.env']) {
        const h = configuredHarness(mcpJson({ ...stdioServer, envFile: path.join(dir, name) }), 'user');
        const notes = (await h.servers.additions(entry('user'))).notes;
        assert.match(notes[0] ?? JSON.stringify(notes), new RegExp(`^The MCP server notes is not available: its envFile .*${name.replace('.', '\\.')} is larger than 64 KB\\.$`));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [label, plant] of [
    ['a FIFO', (file: string) => execFileSync('mkfifo', [file])],
    ['a link to a FIFO', (file: string) => (execFileSync('mkfifo', [`${file}.pipe`]), fs.symlinkSync(`${file}.pipe`, file))],
    ['a folder', (file: string) => fs.mkdirSync(file)],
  ] as const) {
    it(`an envFile that is ${label} is not read, and the server says so (opening a FIFO would wait forever)`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-envfile-'));
      try {
        plant(path.join(dir, 'notes.env'));
        const h = configuredHarness(mcpJson({ ...stdioServer, envFile: path.join(dir, 'notes.env') }), 'user');
        assert.match((await h.servers.additions(entry('user'))).notes[0], /^The MCP server notes is not available: its envFile .*notes\.env is not a regular file \(a pipe, socket, device or folder\)\.$/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('hosted MCP servers under Assistants v2', () => {
  it('are named for the user (what to change) and for the model; local ones are not', () => {
    const hosted: McpServerTool = { type: 'mcp', serverLabel: 'github', serverUrl: 'https://api.github.test/mcp/' };
    const left = hostedServersLeftOut(entry('user', hosted, notes()));
    assert.equal(left.length, 1);
    assert.match(left[0].warning, /^The MCP server github is reached by the Responses API's hosted mcp tool, which Assistants v2 does not have, so it is left out\. Set assistants\.protocol/);
    assert.equal(left[0].note, 'The MCP server github is not available with this server.');
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
