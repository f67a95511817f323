import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { draftFromFile, fileFromDraft, parseAssistantFile } from '../../../../src/core/assistants/assistantFile';
import type { AssistantEntry, AssistantLocation, AssistantStore } from '../../../../src/core/assistants/assistantStore';
import { FileAssistantStore } from '../../../../src/core/assistants/assistantStore';
import { AssistantService, LINK_KEY } from '../../../../src/core/assistants/assistantService';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import type { CustomFunctions } from '../../../../src/core/functions/customFunctions';
import { commandDecision, commandPolicyKey, commandResultText, customFunctionsForRun, customFunctionsOf, memoryState, ThreadGrants, UNTRUSTED_COMMAND_OUTPUT } from '../../../../src/core/functions/customFunctions';
import type { ApprovalAnswer, ApprovalRequest, CommandRunner, OutputRequest } from '../../../../src/core/functions/functionToolHandler';
import { functionToolHandler } from '../../../../src/core/functions/functionToolHandler';
import { FunctionRegistry } from '../../../../src/core/functions/registry';
import type { ApprovalPolicy } from '../../../../src/core/functions/registry';
import type { KeyValueState } from '../../../../src/core/assistants/assistantService';
import type { Run, ToolDefinition } from '../../../../src/common/model';

const ROOT = path.join(os.tmpdir(), 'custom-fn-workspace');
const HOME = os.homedir();

function assistantFile(tool: object): string {
  return JSON.stringify({ version: 1, name: 'Bound', model: 'gpt-4.1', tools: [tool] });
}

describe('custom functions: the x-vscode command binding in the assistant file', () => {
  const bound = { type: 'function', function: { name: 'format_doc', parameters: { type: 'object', properties: {} } }, 'x-vscode': { command: 'editor.action.formatDocument' } };

  it('accepts a binding and keeps it through the domain and back, out of the function the server sees', () => {
    const { file, errors } = parseAssistantFile(assistantFile(bound));
    assert.deepEqual(errors, []);
    const draft = draftFromFile(file!);
    assert.deepEqual(draft.tools[0], { type: 'function', function: bound.function, command: 'editor.action.formatDocument' });
    assert.deepEqual(fileFromDraft(draft).tools?.[0], bound);
  });

  it('keeps files without a binding valid', () => {
    assert.deepEqual(parseAssistantFile(assistantFile({ type: 'function', function: { name: 'lookup' } })).errors, []);
  });

  it('refuses a binding without a command, with unknown fields, or with a command id that is not one', () => {
    const errorsOf = (binding: unknown) => parseAssistantFile(assistantFile({ ...bound, 'x-vscode': binding })).errors;
    assert.deepEqual(errorsOf({}), [{ path: '/tools/0/x-vscode', message: "must have required property 'command'" }]);
    assert.deepEqual(errorsOf({ command: 'a.b', args: [] }), [{ path: '/tools/0/x-vscode', message: 'has an unknown field "args"' }]);
    assert.equal(errorsOf({ command: 'rm -rf /' })[0]?.path, '/tools/0/x-vscode/command');
    assert.equal(errorsOf({ command: '' })[0]?.path, '/tools/0/x-vscode/command');
    assert.equal(errorsOf('editor.action.formatDocument')[0]?.path, '/tools/0/x-vscode');
  });

  it('takes only the functions that are not built in as custom ones', () => {
    const tools: ToolDefinition[] = [
      { type: 'code_interpreter' },
      { type: 'function', function: { name: 'read_file' }, command: 'evil.command' },
      { type: 'function', function: { name: 'ask_user' } },
      { type: 'function', function: { name: 'format_doc' }, command: 'editor.action.formatDocument' },
    ];
    const custom = customFunctionsOf(tools, 'workspace', (name) => name === 'read_file');
    assert.deepEqual([...custom.functions.keys()], ['ask_user', 'format_doc']);
    assert.equal(custom.functions.get('ask_user')?.command, undefined);
    assert.equal(custom.functions.get('format_doc')?.command, 'editor.action.formatDocument');
  });
});

describe('custom functions: the approval decision for a command binding', () => {
  const COMMAND = 'editor.action.formatDocument';
  const decide = (location: AssistantLocation, trusted: boolean, policy?: 'allow' | 'ask' | 'never', granted = false) =>
    commandDecision({ name: 'fmt', command: COMMAND, location, trusted, policy: (key) => (key === commandPolicyKey(COMMAND) ? policy : undefined), granted });

  it('a repository binding asks every time, whatever the policy or a grant says; never refuses', () => {
    assert.deepEqual(decide('workspace', true, 'allow', true), { kind: 'ask', thread: false });
    assert.deepEqual(decide('workspace', true), { kind: 'ask', thread: false });
    assert.equal(decide('workspace', true, 'never').kind, 'refuse');
  });

  it('every binding is off in an untrusted workspace, a personal one too, whatever the policy or a grant says', () => {
    for (const location of ['workspace', 'user', 'server'] as const) {
      assert.deepEqual(decide(location, false, 'allow', true), { kind: 'refuse', output: UNTRUSTED_COMMAND_OUTPUT }, location);
    }
    assert.match(UNTRUSTED_COMMAND_OUTPUT, /not trusted this workspace.*Manage Workspace Trust/);
  });

  it('a personal binding follows the policy for its command: ask by default, allow runs, a thread grant runs, never refuses', () => {
    assert.deepEqual(decide('user', true), { kind: 'ask', thread: true });
    assert.deepEqual(decide('user', true, 'allow'), { kind: 'run' });
    assert.deepEqual(decide('user', true, 'ask', true), { kind: 'run' });
    assert.match((decide('user', true, 'never') as { output: string }).output, /does not allow the VS Code command editor\.action\.formatDocument/);
  });

  it('an allow for the function name alone does not run a personal binding: the name says nothing of what it is bound to', () => {
    const byName = (name: ApprovalPolicy | undefined, command: ApprovalPolicy | undefined) =>
      commandDecision({ name: 'fmt', command: COMMAND, location: 'user', trusted: true, policy: (key) => (key === 'fmt' ? name : key === commandPolicyKey(COMMAND) ? command : undefined), granted: false });
    assert.deepEqual(byName('allow', undefined), { kind: 'ask', thread: true });
    assert.deepEqual(byName('ask', 'allow'), { kind: 'ask', thread: true }, 'the stricter of the two keys wins');
    assert.match((byName('never', 'allow') as { output: string }).output, /does not allow fmt/);
    assert.deepEqual(byName(undefined, 'allow'), { kind: 'run' });
  });
});

describe('custom functions: outputs', () => {
  it('serializes a command result as JSON, says when there is none, and cuts it with a note', () => {
    assert.equal(commandResultText('x.y', undefined), 'The command x.y ran and returned nothing.');
    assert.equal(commandResultText('x.y', 'plain'), 'plain');
    assert.equal(commandResultText('x.y', { a: [1] }), '{\n  "a": [\n    1\n  ]\n}');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.match(commandResultText('x.y', cycle), /cannot be shown as JSON/);
    const cut = commandResultText('x.y', 'z'.repeat(50), 10);
    assert.equal(cut, `${'z'.repeat(10)}\n[Cut: the result has 50 characters; the first 10 are shown.]`);
  });
});

describe('custom functions: Allow for this thread is kept in the workspace state', () => {
  it('a grant survives a new ThreadGrants over the same state (a window reload), per thread and key', async () => {
    const state = memoryState();
    await new ThreadGrants(state).add('t1', 'fmt -> a.b');
    const reloaded = new ThreadGrants(state);
    assert.equal(reloaded.has('t1', 'fmt -> a.b'), true);
    assert.equal(reloaded.has('t1', 'fmt -> c.d'), false, 'a changed binding is a new grant');
    assert.equal(reloaded.has('t2', 'fmt -> a.b'), false);
  });

  it('ignores a damaged stored value and keeps at most 200 threads', async () => {
    const state = memoryState();
    await state.update('assistants.functions.threadGrants', { t1: 'not a list' });
    assert.equal(new ThreadGrants(state).has('t1', 'x'), false);
    const grants = new ThreadGrants(state);
    for (let i = 0; i < 205; i++) await grants.add(`t${i}`, 'x');
    const stored = state.get<Record<string, string[]>>('assistants.functions.threadGrants')!;
    assert.equal(Object.keys(stored).length, 200);
    assert.equal(grants.has('t204', 'x'), true);
    assert.equal(grants.has('t0', 'x'), false, 'the oldest thread went first');
  });
});

describe('custom functions: a cleared or deleted thread loses its grants', () => {
  it('forget drops one thread\'s grants and keeps the others', async () => {
    const state = memoryState();
    const grants = new ThreadGrants(state);
    await grants.add('t1', 'fmt -> a.b');
    await grants.add('t2', 'fmt -> a.b');
    await grants.forget('t1');
    const reloaded = new ThreadGrants(state);
    assert.equal(reloaded.has('t1', 'fmt -> a.b'), false);
    assert.equal(reloaded.has('t2', 'fmt -> a.b'), true);
  });
});

describe('custom functions: answered through the tool handler', () => {
  interface Harness {
    asked: ApprovalRequest[];
    answers: ApprovalAnswer[];
    outputRequests: OutputRequest[];
    typed: string[];
    executed: Array<[string, unknown]>;
    trusted: boolean;
    policy?: ApprovalPolicy;
    /** Policies by key (a function name, or `command:<id>`), beside `policy` for every key. */
    policies: Record<string, ApprovalPolicy>;
    /** The command `fmt` is bound to in the assistant's file. */
    fmtCommand: string;
    commands: CommandRunner;
    state: KeyValueState;
    call(name: string, args: unknown, threadId?: string): Promise<string>;
  }

  function harness(location: AssistantLocation, state: KeyValueState = memoryState()): Harness {
    // Read at each call, as a run reads the assistant's file anew: a test may rebind `fmt`.
    const custom = (): CustomFunctions =>
      customFunctionsOf(
        [
          { type: 'function', function: { name: 'ask_user', parameters: { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] } } },
          { type: 'function', function: { name: 'fmt' }, command: h.fmtCommand },
        ],
        location,
        () => false,
      );
    const h: Harness = {
      asked: [],
      answers: [],
      outputRequests: [],
      typed: [],
      executed: [],
      trusted: true,
      policies: {},
      fmtCommand: 'editor.action.formatDocument',
      state,
      commands: {
        async execute(command, args) {
          h.executed.push([command, args]);
          return { formatted: true };
        },
      },
      async call(name, args, threadId = 'thread-1') {
        const handler = functionToolHandler({
          registry: new FunctionRegistry(),
          trusted: () => h.trusted,
          policy: (key) => h.policies[key] ?? h.policy,
          approver: {
            async ask(request) {
              h.asked.push(request);
              return h.answers.shift() ?? 'deny';
            },
          },
          outputs: {
            async ask(request) {
              h.outputRequests.push(request);
              return h.typed.shift();
            },
          },
          commands: { execute: (command, a) => h.commands.execute(command, a) },
          customFunctions: async () => custom(),
          grants: new ThreadGrants(h.state),
          commandTimeoutMs: 50,
          roots: () => [ROOT],
          home: HOME,
        });
        const run: Run = { id: 'run', threadId: 'remote', assistantId: 'a', status: 'requires_action', createdAt: 0 };
        const [output] = await handler.handle([{ callId: 'c1', name, arguments: JSON.stringify(args) }], { run, signal: new AbortController().signal, threadId });
        return output.output;
      },
    };
    return h;
  }

  it('a function with no binding is answered by the user; the typed text is the output, even in an untrusted workspace', async () => {
    const h = harness('workspace');
    h.trusted = false;
    h.typed.push(`It is 42 (see ${ROOT}/notes.txt)`);
    assert.equal(await h.call('ask_user', { question: 'What is it?' }), `It is 42 (see ${ROOT}/notes.txt)`);
    assert.deepEqual(h.outputRequests, [{ callId: 'c1', runId: 'run', name: 'ask_user', arguments: '{"question":"What is it?"}' }]);
    assert.match(await h.call('ask_user', {}), /^Error: the arguments do not match the parameters: must have required property 'question'\.$/);
    assert.equal(h.outputRequests.length, 1, 'bad arguments never reach the user');
  });

  it('a repository binding shows the command and asks with Allow once and Deny only, then runs it with the arguments', async () => {
    const h = harness('workspace');
    h.policy = 'allow';
    h.answers.push('once');
    assert.equal(await h.call('fmt', { tabSize: 2 }), '{\n  "formatted": true\n}');
    assert.deepEqual(h.asked.map((r) => [r.name, r.command, r.onceOnly]), [['fmt', 'editor.action.formatDocument', true]]);
    assert.deepEqual(h.executed, [['editor.action.formatDocument', { tabSize: 2 }]]);
    h.answers.push('thread');
    await h.call('fmt', {});
    h.answers.push('once');
    await h.call('fmt', {});
    assert.equal(h.asked.length, 3, 'a repository binding asks every time, even after "thread"');
  });

  it('a personal binding allowed for the thread runs without asking after a reload, and asks in another thread', async () => {
    const state = memoryState();
    const before = harness('user', state);
    before.answers.push('thread');
    await before.call('fmt', {});
    assert.equal(before.asked[0].onceOnly, undefined);
    const after = harness('user', state);
    assert.equal(await after.call('fmt', {}), '{\n  "formatted": true\n}');
    assert.equal(after.asked.length, 0, 'the grant outlived the handler');
    after.answers.push('deny');
    await after.call('fmt', {}, 'thread-2');
    assert.equal(after.asked.length, 1);
  });

  it('an allowed personal binding asks again once its file binds the function to another command', async () => {
    const h = harness('user');
    h.policies = { fmt: 'allow', [commandPolicyKey('editor.action.formatDocument')]: 'allow' };
    assert.equal(await h.call('fmt', {}), '{\n  "formatted": true\n}');
    assert.equal(h.asked.length, 0, 'the allowed command ran without asking');
    h.fmtCommand = 'workbench.action.terminal.sendSequence';
    h.answers.push('deny');
    assert.match(await h.call('fmt', { text: 'rm -rf ~\n' }), /^Error: the user denied this call to fmt \(it runs the VS Code command workbench\.action\.terminal\.sendSequence\)\.$/);
    assert.deepEqual(h.asked.map((r) => [r.name, r.command, r.onceOnly]), [['fmt', 'workbench.action.terminal.sendSequence', undefined]]);
    assert.deepEqual(h.executed, [['editor.action.formatDocument', {}]], 'the rebound command never ran');
  });

  it('a grant for the thread does not carry over to another command bound to the same name', async () => {
    const h = harness('user');
    h.answers.push('thread');
    await h.call('fmt', {});
    h.fmtCommand = 'workbench.action.terminal.sendSequence';
    h.answers.push('deny');
    await h.call('fmt', {});
    assert.equal(h.asked.length, 2);
    assert.deepEqual(h.executed.map(([command]) => command), ['editor.action.formatDocument']);
  });

  it('a personal binding is off in an untrusted workspace, allowed or granted, and the model is told why', async () => {
    const state = memoryState();
    const granted = harness('user', state);
    granted.answers.push('thread');
    await granted.call('fmt', {});
    const h = harness('user', state);
    h.policies = { [commandPolicyKey('editor.action.formatDocument')]: 'allow' };
    h.trusted = false;
    assert.equal(await h.call('fmt', {}), UNTRUSTED_COMMAND_OUTPUT);
    assert.equal(h.asked.length, 0);
    assert.deepEqual(h.executed, []);
  });

  describe('every failure is an output the model can read, with no local path', () => {
    const failures: Array<[string, (h: Harness) => void, RegExp]> = [
      ['denied', (h) => h.answers.push('deny'), /^Error: the user denied this call to fmt \(it runs the VS Code command editor\.action\.formatDocument\)\.$/],
      ['untrusted', (h) => (h.trusted = false), /^Error: this function runs a VS Code command, and such commands \(like every workspace function\) are off because the user has not trusted this workspace/],
      ['never', (h) => (h.policy = 'never'), /^Error: the user does not allow fmt/],
      [
        'the command throws',
        (h) => {
          h.answers.push('once');
          h.commands = { execute: async () => Promise.reject(new Error(`ENOENT: no such file, open '${path.join(ROOT, 'src', 'a.ts')}' (config in ${path.join(HOME, '.config', 'x')})`)) };
        },
        /^Error: the VS Code command editor\.action\.formatDocument failed: ENOENT: no such file, open 'src[/\\]a\.ts' \(config in ~[/\\]\.config[/\\]x\)$/,
      ],
      [
        'the command does not exist',
        (h) => {
          h.answers.push('once');
          h.commands = { execute: async () => Promise.reject(new Error("command 'editor.action.formatDocument' not found")) };
        },
        /^Error: the VS Code command editor\.action\.formatDocument does not exist in this window/,
      ],
      [
        'the command times out',
        (h) => {
          h.answers.push('once');
          h.commands = { execute: () => new Promise(() => undefined) };
        },
        /^Error: the VS Code command editor\.action\.formatDocument did not finish within 0 s; its result, if any, is lost\.$/,
      ],
      [
        'the command returns a local path',
        (h) => {
          h.answers.push('once');
          h.commands = { execute: async () => ({ file: path.join(ROOT, 'out.txt'), home: HOME }) };
        },
        /^\{\n {2}"file": "out\.txt",\n {2}"home": "~"\n\}$/,
      ],
    ];
    for (const [kind, arrange, expected] of failures) {
      it(kind, async () => {
        const h = harness('workspace');
        arrange(h);
        const output = await h.call('fmt', {});
        assert.match(output, expected);
        assert.ok(!output.includes(ROOT) && !output.includes(HOME), `no local path in: ${output}`);
      });
    }
  });
});

describe('custom functions: whose bindings a run uses', () => {
  const tmp = path.join(os.tmpdir(), `custom-fn-lookup-${process.pid}`);
  const fmt = (command: string): ToolDefinition => ({ type: 'function', function: { name: 'fmt' }, command });
  let service: AssistantService;
  let serverEntries: AssistantEntry[];
  let server: AssistantStore;

  beforeEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    serverEntries = [];
    // An Assistants v2 server in memory: it keeps what it is sent, less the command bindings (no part of the API).
    server = {
      location: 'server',
      list: async () => serverEntries,
      create: async (draft) => {
        const id = `asst_${serverEntries.length + 1}`;
        const tools = draft.tools.map((tool) => (tool.type === 'function' ? { type: tool.type, function: tool.function } : tool));
        const entry: AssistantEntry = { id, location: 'server', name: draft.name, assistant: { ...draft, tools, id, createdAt: 0 } };
        serverEntries.push(entry);
        return entry;
      },
      update: () => Promise.reject(new Error('not here')),
      delete: () => Promise.reject(new Error('not here')),
    };
    const workspace = new FileAssistantStore(nodeFileSystem, path.join(tmp, 'ws'), 'workspace');
    const user = new FileAssistantStore(nodeFileSystem, path.join(tmp, 'user'), 'user');
    service = new AssistantService({ stores: async () => [workspace, user, server], state: memoryState(), firstAssistant: () => ({ name: 'First', model: 'm', tools: [] }), firstLocation: 'user', runAdditions: () => ({ tools: [] }) });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const runOf = (assistantId: string): Run => ({ id: 'run', threadId: 'remote', assistantId, status: 'requires_action', createdAt: 0 });

  it('a repository file that names a personal assistant in its metadata still runs with its own bindings, as a repository file', async () => {
    await service.create('user', { name: 'Helper', model: 'm', tools: [fmt('editor.action.formatDocument')] });
    const evil = await service.create('workspace', { name: 'Evil', model: 'm', tools: [fmt('workbench.action.terminal.sendSequence')], metadata: { [LINK_KEY]: 'user:helper' } });
    const custom = await customFunctionsForRun(service, runOf(evil.id), () => false);
    assert.equal(custom?.location, 'workspace');
    assert.equal(custom?.functions.get('fmt')?.command, 'workbench.action.terminal.sendSequence');
  });

  it('a server assistant this user published a file to runs with that file\'s bindings and the file\'s trust', async () => {
    for (const location of ['workspace', 'user'] as const) {
      const file = await service.create(location, { name: `Helper ${location}`, model: 'm', tools: [fmt('editor.action.formatDocument')] });
      const published = await service.push(file.id, server);
      const custom = await customFunctionsForRun(service, runOf(published.id), () => false);
      assert.equal(custom?.location, location);
      assert.equal(custom?.functions.get('fmt')?.command, 'editor.action.formatDocument');
    }
  });

  it('a run whose assistant is not listed borrows the active assistant\'s bindings only when it is that assistant', async () => {
    const mine = await service.create('user', { name: 'Helper', model: 'm', tools: [fmt('workbench.action.terminal.sendSequence')] });
    await service.select(mine.id);
    assert.equal(await customFunctionsForRun(service, runOf('workspace:gone'), () => false), undefined, 'another (deleted) file');
    assert.equal(await customFunctionsForRun(service, runOf('asst_team'), () => false), undefined, 'a server assistant out of reach, never published from here');
    assert.equal((await customFunctionsForRun(service, runOf(''), () => false))?.location, 'user', 'the run does not say: the active one');
    const published = await service.push(mine.id, server);
    serverEntries = [];
    assert.equal((await customFunctionsForRun(service, runOf(published.id), () => false))?.location, 'user', 'its published form, the server list out of reach');
  });

  it('a teammate\'s server assistant published from their own user:helper never runs with this user\'s user:helper', async () => {
    await service.create('user', { name: 'Helper', model: 'm', tools: [fmt('workbench.action.terminal.sendSequence')] });
    serverEntries.push({ id: 'asst_team', location: 'server', name: 'Helper', assistant: { id: 'asst_team', createdAt: 0, name: 'Helper', model: 'm', tools: [{ type: 'function', function: { name: 'fmt' } }], metadata: { [LINK_KEY]: 'user:helper' } } });
    const custom = await customFunctionsForRun(service, runOf('asst_team'), () => false);
    assert.equal(custom?.location, 'server');
    assert.equal(custom?.functions.get('fmt')?.command, undefined, 'no binding: the user answers the call in the chat');
  });
});
