import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAssistantFile, validateJsonSchema } from '../../../../src/core/assistants/assistantFile';
import { FileAssistantStore } from '../../../../src/core/assistants/assistantStore';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import { customFunctionsOf } from '../../../../src/core/functions/customFunctions';
import { functionToolHandler } from '../../../../src/core/functions/functionToolHandler';
import type { WorkspaceFunction } from '../../../../src/core/functions/registry';
import { FunctionRegistry } from '../../../../src/core/functions/registry';
import type { Run, ToolDefinition } from '../../../../src/common/model';
import type { FunctionFixture } from './fixture';
import { functionFixture } from './fixture';
import { assertPrompt, startClock } from '../../support/prompt';

const RUN: Run = { id: 'run', threadId: 'thread', assistantId: 'a', status: 'requires_action', createdAt: 0 };

/** Runs `work` and fails when it (or the event loop it blocks) does not answer promptly (`assertPrompt`). */
async function promptly<T>(what: string, work: () => Promise<T>): Promise<T> {
  const clock = startClock();
  const result = await work();
  assertPrompt(what, clock);
  return result;
}

/** A schema nesting `depth` objects, as JSON text (JSON.stringify itself overflows the stack on such values). */
function nestedText(depth: number): string {
  return `${'{"type":"object","properties":{"x":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`;
}

function nested(depth: number): Record<string, unknown> {
  return JSON.parse(nestedText(depth)) as Record<string, unknown>;
}

function assistantText(name: string, parameters?: string): string {
  const tools = parameters ? `,"tools":[{"type":"function","function":{"name":"f","parameters":${parameters}}}]` : '';
  return `{"version":1,"name":${JSON.stringify(name)},"model":"gpt-4.1"${tools}}`;
}

function mkfifo(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('mkfifo', [file]);
}

describe('nothing a model or a repository sends hangs the extension host', () => {
  let ws: FunctionFixture;
  beforeEach(() => {
    ws = functionFixture();
    ws.write('src/a.ts', 'export const a = 1;\n');
    ws.write('data/aaa.txt', `${'a'.repeat(5_000)}!\n`.repeat(40));
    ws.write(`names/${'a'.repeat(200)}`, 'x\n');
  });
  afterEach(() => ws.dispose());

  it('search_text matches hostile regular expressions in linear time', async () => {
    for (const query of ['(a+)+$', '^(a|aa)+b', '(a*)*b', '([a-z]+)*!x', '(a|a?)+!x', '(?:a+){10}c']) {
      const output = await promptly(query, () => ws.call('search_text', { query, isRegex: true }));
      assert.match(output, /^No matches/, `${query}: ${output.slice(0, 200)}`);
    }
    assert.match(await ws.call('search_text', { query: 'a+!', isRegex: true }), /data\/aaa\.txt:1:/, 'regular expressions still find what they should');
  });

  it('search_text refuses, in a sentence, what the linear engine cannot take', async () => {
    assert.match(await ws.call('search_text', { query: '(a)\\1', isRegex: true }), /cannot be used: .*backreferences or lookaround/);
    assert.match(await ws.call('search_text', { query: '(?=a)a', isRegex: true }), /cannot be used/);
    assert.match(await ws.call('search_text', { query: '((a{100}){100}){100}', isRegex: true }), /cannot be used|too large/);
    assert.match(await ws.call('search_text', { query: 'a'.repeat(1_001) }), /do not match the parameters/);
  });

  it('search_text refuses regular expressions whose counted repetitions add up, and matches long plain text at once', async () => {
    ws.write('data/lines.txt', `${'a'.repeat(9_999)}\n`.repeat(30));
    // Each took from one to 45 s on one 10,000-character line, or compiled for a second.
    for (const query of ['.{1000}'.repeat(20), `${'(?:a?){1000}'.repeat(4)}z`, 'a{0,1000}'.repeat(100), '[a-z]{1000}[a-z]{990}z', '(?:x|y){999}'.repeat(2), '\\p{L}{1000}'.repeat(50)]) {
      assert.match(await promptly(query.slice(0, 20), () => ws.call('search_text', { query, isRegex: true })), /is too large: its counted repetitions/, query.slice(0, 40));
    }
    assert.match(await promptly('[a-z]{900}z', () => ws.call('search_text', { query: '[a-z]{900}z', isRegex: true })), /^No matches/);
    // A pattern of 900 instructions is matched on the first 2,214 characters of a line (one test within MATCH_BUDGET), and says so.
    ws.write('data/short.txt', `${'b'.repeat(2_000)}!\n`);
    const large = await promptly('[a-z]{900}!', () => ws.call('search_text', { query: '[a-z]{900}!', isRegex: true }));
    assert.match(large, /^data\/short\.txt:1: b+…\n/);
    assert.match(large, /\n\[70 lines without a match are longer than 2,214 characters and were searched only in their first 2,214: data\/aaa\.txt:1, /);
    // Plain text is looked for as text: a 1,000-character query over long lines, with case ignored or not.
    assert.match(await promptly('plain', () => ws.call('search_text', { query: `${'A'.repeat(999)}!` })), /data\/aaa\.txt:1:/);
    assert.match(await promptly('plain, case', () => ws.call('search_text', { query: `${'A'.repeat(999)}!`, caseSensitive: true })), /^No matches/);
    assert.match(await promptly('plain, no match', () => ws.call('search_text', { query: `${'a'.repeat(999)}?` })), /^No matches/);
    assert.match(await ws.call('search_text', { query: '(a)' }), /^No matches/, 'plain text is not a pattern');
  });

  it('list_files and search_text refuse brace globs that expand too far, and match the rest in linear time', async () => {
    for (const glob of ['{1..100000}', '{1..100}{1..100}{1..100}', `**/${'{a,b}'.repeat(30)}`, `{${Array.from({ length: 300 }, (_, i) => i.toString(36).padStart(2, '0')).join(',')}}`]) {
      assert.match(await promptly(glob, () => ws.call('list_files', { glob })), /braces expand to more than 256 patterns/, glob);
      assert.match(await promptly(glob, () => ws.call('search_text', { query: 'a', glob })), /braces expand to more than 256 patterns/, glob);
    }
    for (const glob of [`${'*a'.repeat(12)}b`, '**/*a*a*a*a*a*a*a*a*a*a*a*b', '+(a|aa)+(a|aa)b', `${'**/'.repeat(100)}z`]) {
      assert.equal(await promptly(glob, () => ws.call('list_files', { glob })), 'No files match.', glob);
    }
    assert.match(await ws.call('list_files', { glob: 'x'.repeat(1_001) }), /do not match the parameters/);
  });

  it('a repository\'s long files.exclude or a .gitignore of alternating negations answers promptly, the first rules applied', async () => {
    for (let i = 0; i < 40; i++) ws.write(`${'d/'.repeat(60)}f${i}.txt`, 'x\n');
    for (const [label, exclude, gitignore] of [
      ['20,000 files.exclude globs', Array.from({ length: 20_000 }, (_, i) => `**/x${i}`), ''],
      ['300 files.exclude globs of 256 expansions', Array.from({ length: 300 }, (_, i) => `**/{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}/x${i}*`), ''],
      ['a .gitignore alternating rules and negations', [], Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `!*y${i}*` : `*x${i}*`)).join('\n')],
    ] as const) {
      ws.exclude.splice(0, ws.exclude.length, '**/names', ...exclude);
      ws.write('.gitignore', `data/\n${gitignore}`);
      const listed = await promptly(label, () => ws.call('list_files', {}));
      assert.match(listed, /d\/d\/.*\/f39\.txt/, label);
      assert.doesNotMatch(listed, /names\/|data\//, `${label}: the first rules still hide what they name`);
      assert.match(await promptly(label, () => ws.call('read_file', { path: 'src/a.ts' })), /export const a/);
    }
  });

  it('refuses paths of 20,000 segments or 100,000 characters before looking at them', async () => {
    ws.policies.propose_edit = 'allow';
    for (const requested of ['a/'.repeat(20_000), '../'.repeat(20_000), `${'./'.repeat(20_000)}src/a.ts`, 'x'.repeat(100_000)]) {
      for (const [name, args] of [
        ['read_file', { path: requested }],
        ['list_files', { folder: requested }],
        ['propose_edit', { path: requested, content: 'x' }],
      ] as const) {
        const output = await promptly(`${name} ${requested.slice(0, 9)}`, () => ws.call(name, args));
        assert.match(output, /Refused: the path has/, `${name}: ${output.slice(0, 100)}`);
      }
    }
  });

  it('propose_edit takes at most 100 replacements, so a proposal cannot scan a 2 MB file thousands of times', async () => {
    ws.policies.propose_edit = 'allow';
    ws.decide = (proposed) => ({ applied: true, text: proposed });
    ws.write('big.txt', `${'x'.repeat(1_999_000)}\nend\n`);
    for (const count of [101, 20_000]) {
      const edits = Array.from({ length: count }, () => ({ oldText: 'missing', newText: 'y' }));
      assert.match(await promptly(`${count} edits`, () => ws.call('propose_edit', { path: 'big.txt', edits })), /must NOT have more than 100 items/);
    }
    assert.match(await ws.call('propose_edit', { path: 'big.txt', edits: [{ oldText: 'end', newText: 'END' }] }), /applied the edit/);
  });

  it('a FIFO in the workspace is never opened for reading, linked or not', async function () {
    if (process.platform === 'win32') this.skip();
    mkfifo(path.join(ws.root, 'pipe.txt'));
    mkfifo(path.join(ws.root, 'src', 'also-a-pipe.ts'));
    fs.symlinkSync(path.join(ws.root, 'pipe.txt'), path.join(ws.root, 'linked-pipe.txt'));
    ws.write('.gitignore', 'ignored/\n');
    assert.match(await promptly('read_file', () => ws.call('read_file', { path: 'pipe.txt' })), /not a regular file/);
    assert.match(await promptly('read_file link', () => ws.call('read_file', { path: 'linked-pipe.txt' })), /not a regular file/);
    const listed = await promptly('list_files', () => ws.call('list_files', {}));
    assert.doesNotMatch(listed, /pipe/);
    assert.match(listed, /src\/a\.ts/);
    assert.match(await promptly('search_text', () => ws.call('search_text', { query: 'export' })), /src\/a\.ts:1:/);
    ws.policies.propose_edit = 'allow';
    assert.match(await promptly('propose_edit', () => ws.call('propose_edit', { path: 'pipe.txt', content: 'x' })), /not a file/);
  });

  it('a FIFO named like an assistant file is listed with the reason; the other assistants are listed as ever', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = path.join(ws.root, '.assistants');
    mkfifo(path.join(dir, 'pipe.assistant.json'));
    mkfifo(path.join(dir, 'second.assistant.json'));
    fs.writeFileSync(path.join(dir, 'good.assistant.json'), JSON.stringify({ version: 1, name: 'Good', model: 'gpt-4.1' }));
    const store = new FileAssistantStore(nodeFileSystem, dir, 'workspace', ws.confinement);
    const entries = await promptly('list', () => store.list());
    assert.deepEqual(entries.map((entry) => entry.name), ['good', 'pipe', 'second'].map((name) => (name === 'good' ? 'Good' : name)));
    assert.ok(entries.find((entry) => entry.name === 'Good')?.assistant);
    for (const name of ['pipe', 'second']) assert.match(entries.find((entry) => entry.name === name)?.errors?.[0]?.message ?? '', /not a regular file/);
  });

  it('a parameters schema nested thousands deep is a file error, not a stack overflow that hides every assistant', async () => {
    for (const depth of [200, 2_000, 3_000]) {
      const text = assistantText('Deep', nestedText(depth));
      const { file, errors } = await promptly(`depth ${depth}`, async () => parseAssistantFile(text));
      assert.equal(file, undefined);
      assert.deepEqual(errors, [{ path: '/tools/0/function/parameters', message: 'nests deeper than 64 levels; flatten the schema' }]);
      assert.match(validateJsonSchema(nested(depth), false)[0]?.message ?? '', /nests deeper than 64 levels/);
    }
    const deepText = `{"version":1,"name":"Deeper","model":"gpt-4.1","instructions":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    const fileDepthError = { path: '', message: 'the file nests deeper than 72 levels; an assistant file may nest at most 72' };
    assert.deepEqual(parseAssistantFile(deepText).errors, [fileDepthError]);
    // The whole file's limit is one number, said the same way wherever the nesting is.
    const nestedAt = (depth: number) => `{"version":1,"name":"Deeper","model":"gpt-4.1","metadata":${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}}`;
    assert.deepEqual(parseAssistantFile(nestedAt(73)).errors, [fileDepthError], 'one level past the limit');
    assert.ok(!parseAssistantFile(nestedAt(71)).errors.some((error) => /nests deeper/.test(error.message)), 'at the limit the depth is not the error');
    const dir = path.join(ws.root, '.assistants');
    ws.write('.assistants/deep.assistant.json', assistantText('Deep', nestedText(2_000)));
    ws.write('.assistants/good.assistant.json', assistantText('Good'));
    const entries = await new FileAssistantStore(nodeFileSystem, dir, 'workspace', ws.confinement).list();
    assert.deepEqual(entries.map((entry) => [entry.name, Boolean(entry.assistant)]), [['Deep', false], ['Good', true]]);
  });

  describe('custom functions: patterns and depth in the schema a repository wrote', () => {
    const handlerFor = (tools: ToolDefinition[], ran: unknown[], answers: string[] = []) =>
      functionToolHandler({
        registry: new FunctionRegistry(),
        trusted: () => true,
        policy: (key) => (key.startsWith('command:') ? 'allow' : undefined),
        approver: { ask: async () => (answers.shift() as 'once' | undefined) ?? 'once' },
        roots: () => [],
        customFunctions: async () => customFunctionsOf(tools, 'user', () => false),
        commands: { execute: async (_command, args) => void ran.push(args) },
        outputs: { ask: async () => 'typed by the user' },
      });
    const call = (handler: ReturnType<typeof handlerFor>, name: string, args: unknown, signal = new AbortController().signal) =>
      handler.handle([{ callId: 'c', name, arguments: typeof args === 'string' ? args : JSON.stringify(args) }], { run: RUN, signal }).then(([output]) => output.output);

    it('a pattern that backtracks is matched in linear time, in properties and in patternProperties', async () => {
      const ran: unknown[] = [];
      const tools: ToolDefinition[] = [
        { type: 'function', function: { name: 'bound', parameters: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } } }, command: 'x.run' },
        { type: 'function', function: { name: 'asked', parameters: { type: 'object', properties: { s: { type: 'string', pattern: '^(a|aa)+$' } } } } },
        { type: 'function', function: { name: 'keys', parameters: { type: 'object', patternProperties: { '^(x+x+)+y$': { type: 'number' } } } }, command: 'x.keys' },
      ];
      const handler = handlerFor(tools, ran);
      const hostile = `${'a'.repeat(5_000)}!`;
      assert.match(await promptly('bound', () => call(handler, 'bound', { s: hostile })), /must match pattern/);
      assert.match(await promptly('asked', () => call(handler, 'asked', { s: hostile })), /must match pattern/);
      assert.equal(await promptly('keys', () => call(handler, 'keys', { [`${'x'.repeat(5_000)}`]: 'not a number' })), 'The command x.keys ran and returned nothing.');
      assert.equal(await call(handler, 'bound', { s: 'aaaa' }), 'The command x.run ran and returned nothing.');
      assert.deepEqual(ran, [{ ['x'.repeat(5_000)]: 'not a number' }, { s: 'aaaa' }]);
    });

    it('a schema nested too deep, or with a pattern RE2 cannot take, is unusable; arguments nested too deep are refused', async () => {
      const ran: unknown[] = [];
      const tools: ToolDefinition[] = [
        { type: 'function', function: { name: 'deep', parameters: nested(2_000) }, command: 'x.deep' },
        { type: 'function', function: { name: 'backref', parameters: { type: 'object', properties: { s: { type: 'string', pattern: '(a)\\1' } } } }, command: 'x.ref' },
        { type: 'function', function: { name: 'any' }, command: 'x.any' },
      ];
      const handler = handlerFor(tools, ran);
      assert.match(await promptly('deep', () => call(handler, 'deep', { x: {} })), /not a usable JSON Schema \(they nest deeper than 64 levels\)/);
      assert.match(await call(handler, 'backref', { s: 'aa' }), /not a usable JSON Schema: the regular expression .* cannot be used/);
      for (const depth of [101, 5_000, 100_000]) {
        const args = `{"a":${'['.repeat(depth)}1${']'.repeat(depth)}}`;
        assert.match(await promptly(`arguments ${depth} deep`, () => call(handler, 'any', args)), /nest deeper than 100 levels/);
      }
      assert.deepEqual(ran, []);
    });

    it('a check whose alternatives and references multiply, or loop, or a value too long for its pattern, fails in a sentence', async () => {
      const ran: unknown[] = [];
      // Each level tries both of its branches on the same value: 2^40 subschemas, where 22 levels took 2 s.
      const chain = (applicator: 'anyOf' | 'oneOf', levels: number) => ({
        type: 'object',
        properties: { s: { $ref: '#/definitions/l0' } },
        definitions: Object.fromEntries([...Array.from({ length: levels }, (_, i) => [`l${i}`, { [applicator]: [{ $ref: `#/definitions/l${i + 1}` }, { $ref: `#/definitions/l${i + 1}` }] }]), [`l${levels}`, { type: 'string', minLength: 5 }]]),
      });
      // The same along the value: each level of {"x": …} tries both branches below it.
      const branch = (name: string) => ({ allOf: [{ properties: { x: { $ref: '#/definitions/n' } } }, { required: [name] }] });
      const alongValue = { type: 'object', properties: { s: { $ref: '#/definitions/n' } }, definitions: { n: { anyOf: [branch('y'), branch('z')] } } };
      const tools: ToolDefinition[] = [
        { type: 'function', function: { name: 'any', parameters: chain('anyOf', 40) }, command: 'x.any' },
        { type: 'function', function: { name: 'one', parameters: chain('oneOf', 30) }, command: 'x.one' },
        { type: 'function', function: { name: 'along', parameters: alongValue }, command: 'x.along' },
        { type: 'function', function: { name: 'loop', parameters: { type: 'object', properties: { s: { $ref: '#/definitions/a' } }, definitions: { a: { $ref: '#/definitions/b' }, b: { $ref: '#/definitions/a' } } } }, command: 'x.loop' },
        { type: 'function', function: { name: 'big', parameters: { type: 'object', properties: { s: { type: 'string', pattern: '[a-z]{900}' } } } }, command: 'x.big' },
        { type: 'function', function: { name: 'huge', parameters: { type: 'object', properties: { s: { type: 'string', pattern: '.{1000}'.repeat(20) } } } }, command: 'x.huge' },
      ];
      const handler = handlerFor(tools, ran);
      assert.match(await promptly('anyOf chain', () => call(handler, 'any', { s: 'a' })), /cannot be checked in bounded time/);
      assert.match(await promptly('oneOf chain', () => call(handler, 'one', { s: 'a' })), /cannot be checked in bounded time/);
      const deepValue = JSON.parse(`${'{"x":'.repeat(60)}{}${'}'.repeat(60)}`) as unknown;
      assert.match(await promptly('along the value', () => call(handler, 'along', { s: deepValue })), /cannot be checked in bounded time/);
      assert.match(await promptly('$ref loop', () => call(handler, 'loop', { s: 1 })), /refers to itself without end/);
      assert.match(await promptly('value too long', () => call(handler, 'big', { s: 'a'.repeat(100_000) })), /too long to match against the regular expression/);
      assert.match(await promptly('huge pattern', () => call(handler, 'huge', { s: 'a' })), /not a usable JSON Schema: the regular expression .* is too large/);
      assert.deepEqual(ran, []);
      assert.equal(await call(handler, 'any', { s: 'abcdef' }), 'The command x.any ran and returned nothing.', 'a value that passes early is checked as ever');
      assert.equal(await call(handler, 'big', { s: 'a'.repeat(900) }), 'The command x.big ran and returned nothing.');
    });

    it('a schema too large to compile in bounded time is unusable, said before it compiles', async () => {
      const ran: unknown[] = [];
      const properties = (count: number, schema: (i: number) => object) => ({ type: 'object', properties: Object.fromEntries(Array.from({ length: count }, (_, i) => [`p${i}`, schema(i)])) });
      const tools: ToolDefinition[] = [
        // Each took from 1.5 s to 13 s to compile on the extension host, or failed after it.
        { type: 'function', function: { name: 'many', parameters: properties(100_000, () => ({ type: 'string' })) }, command: 'x.many' },
        { type: 'function', function: { name: 'patterns', parameters: properties(300, (i) => ({ type: 'string', pattern: `[a-z]{${900 + (i % 90)}}x${i}` })) }, command: 'x.patterns' },
        { type: 'function', function: { name: 'some', parameters: properties(100, (i) => ({ type: 'string', pattern: `^[a-z]{${i + 1}}$` })) }, command: 'x.some' },
      ];
      const handler = handlerFor(tools, ran);
      assert.match(await promptly('100,000 properties', () => call(handler, 'many', {})), /not a usable JSON Schema: the schema holds more than 1,000 subschemas/);
      assert.match(await promptly('300 large patterns', () => call(handler, 'patterns', {})), /not a usable JSON Schema: the schema's patterns add up to more than 50,000 RE2 instructions/);
      assert.equal(await promptly('100 small patterns', () => call(handler, 'some', { p3: 'abcd' })), 'The command x.some ran and returned nothing.');
      assert.deepEqual(ran, [{ p3: 'abcd' }]);
    });

    it('arguments are checked after the user approves: a denied call is never validated or run', async () => {
      const ran: unknown[] = [];
      const tools: ToolDefinition[] = [{ type: 'function', function: { name: 'deep', parameters: nested(2_000) }, command: 'x.deep' }];
      const handler = functionToolHandler({
        registry: new FunctionRegistry(),
        trusted: () => true,
        policy: () => undefined,
        approver: { ask: async () => 'deny' },
        roots: () => [],
        customFunctions: async () => customFunctionsOf(tools, 'user', () => false),
        commands: { execute: async (_command, a) => void ran.push(a) },
      });
      assert.match(await call(handler, 'deep', { x: {} }), /the user denied this call/);
      assert.deepEqual(ran, []);
    });
  });

  describe('every call has a time limit and honours Stop', () => {
    const hung: WorkspaceFunction = {
      definition: { name: 'hung', description: 'never returns', parameters: { type: 'object', properties: {} } },
      writes: false,
      handle: () => new Promise<string>(() => undefined),
    };
    const heeding: WorkspaceFunction = {
      definition: { name: 'heeding', description: 'returns when aborted', parameters: { type: 'object', properties: {} } },
      writes: false,
      handle: (_args, { signal }) => new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('late answer'))),
    };
    const handlerWith = (functionTimeoutMs: number, execute = () => new Promise<unknown>(() => undefined)) =>
      functionToolHandler({
        registry: new FunctionRegistry([hung, heeding]),
        trusted: () => true,
        policy: (key) => (key.startsWith('command:') ? 'allow' : undefined),
        approver: { ask: async () => 'once' },
        roots: () => [],
        functionTimeoutMs,
        customFunctions: async () => customFunctionsOf([{ type: 'function', function: { name: 'slow_command' }, command: 'x.slow' }], 'user', () => false),
        commands: { execute },
      });

    it('a workspace function that never returns, or returns only once aborted, is cut at its time limit', async () => {
      for (const name of ['hung', 'heeding']) {
        const [output] = await promptly(name, () => handlerWith(200).handle([{ callId: 'c', name, arguments: '{}' }], { run: RUN, signal: new AbortController().signal }));
        assert.equal(output.output, `Error: ${name} did not finish within 0 s and was stopped; narrow the request (a folder, a glob, a line range).`);
      }
    });

    it('Stop ends a hung workspace function, a hung command and the calls after them at once', async () => {
      for (const name of ['hung', 'heeding', 'slow_command']) {
        const stop = new AbortController();
        setTimeout(() => stop.abort(), 100);
        const outputs = await promptly(name, () =>
          handlerWith(60_000).handle(
            [
              { callId: 'c1', name, arguments: '{}' },
              { callId: 'c2', name: 'hung', arguments: '{}' },
            ],
            { run: RUN, signal: stop.signal },
          ),
        );
        assert.match(outputs[0].output, /was stopped/, name);
        assert.equal(outputs[1].output, 'Error: the run was stopped before this call ran.');
      }
    });

    it('a listing or a search that reaches its walking time answers with what it found, and says so', async () => {
      const quick = functionFixture({ walkTimeLimitMs: 0 });
      try {
        quick.write('src/a.ts', 'export const a = 1;\n');
        assert.equal(await quick.call('list_files', {}), 'No files match.\n[Stopped after 0 s with the paths found so far; narrow the glob or the folder to see the rest.]');
        assert.equal(await quick.call('search_text', { query: 'export' }), 'No matches for "export".\n[Stopped after 0 s with the matches found so far (0 files searched); narrow the glob to search the rest.]');
      } finally {
        quick.dispose();
      }
      assert.doesNotMatch(await ws.call('list_files', {}), /Stopped after/);
      assert.doesNotMatch(await ws.call('search_text', { query: 'export' }), /Stopped after/);
    });

    it('a workspace search stopped mid-walk returns at once', async () => {
      for (let i = 0; i < 300; i++) ws.write(`many/f${i}.txt`, `${'line\n'.repeat(200)}`);
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 5);
      const [output] = await promptly('search', () => ws.handler.handle([{ callId: 'c', name: 'search_text', arguments: JSON.stringify({ query: '(l+)+x', isRegex: true }) }], { run: RUN, signal: stop.signal }));
      assert.match(output.output, /was stopped|No matches/);
    });
  });
});
