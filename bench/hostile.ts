/**
 * The hostile-input suite: tries, kind by kind, inputs a repository or a model controls against the
 * real modules (the workspace functions through the tool handler, the confinement, the assistant
 * store and file parser, custom functions) and prints per kind
 *
 *   inputs tried / escapes / hangs / lost writes / broken
 *
 * "Escape": a write landed outside the workspace, or text of a secret or outside file reached an
 * output. "Hang": the event loop was blocked for more than 2 s during the input (measured with
 * `monitorEventLoopDelay`), or the call had not returned 2 s after it should have (its answer, or
 * Stop). "Lost writes": writes the user made that are gone (`lostWrites.ts`: windows, the form and
 * Add to Knowledge racing on one assistant file). "Broken": the call threw instead of answering, or an innocent
 * neighbour (another assistant file) vanished with it. All should be 0.
 *
 * A kind is an entry of KINDS: a name and inputs, each an async `run` that returns what it saw.
 * Run with `npm run bench:hostile` (`-- --kind <name>` for one kind). Prints; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseAssistantFile } from '../src/core/assistants/assistantFile';
import { uploadFiles } from '../src/core/attachments/uploads';
import { FileAssistantStore } from '../src/core/assistants/assistantStore';
import { nodeFileSystem } from '../src/core/workspace/fileSystem';
import { customFunctionsOf } from '../src/core/functions/customFunctions';
import { functionToolHandler } from '../src/core/functions/functionToolHandler';
import type { WorkspaceFunction } from '../src/core/functions/registry';
import { FunctionRegistry } from '../src/core/functions/registry';
import { readFileFunction, WALK_TIME_LIMIT_MS } from '../src/core/functions/fileFunctions';
import { nodeWorkspaceFs } from '../src/core/workspace/fileSystem';
import type { WorkspaceFs } from '../src/core/workspace/workspaceFs';
import type { Run, ToolDefinition } from '../src/common/model';
import { ANSWER_KINDS } from './hostileAnswers';
import { SERVER_KINDS } from './hostileServer';
import { LOCK_KIND, LOST_WRITE_KIND } from './lostWrites';
import { functionFixture } from '../test/unit/core/functions/fixture';
import type { Input, Kind, Scene, Seen } from './hostileKind';

const HANG_MS = 2_000;
/** Past this an input is given up on (and counted as a hang); the bench goes on with the next. */
const GIVE_UP_MS = 15_000;
const SECRET = 'HOSTILE-BENCH-SECRET-7f3a';
const RUN: Run = { id: 'run', threadId: 'thread', assistantId: 'a', status: 'requires_action', createdAt: 0 };

function scene(): Scene {
  const ws = functionFixture();
  const outside = fs.realpathSync(fs.mkdtempSync(path.join(path.dirname(ws.root), 'outside-')));
  fs.writeFileSync(path.join(outside, 'target.txt'), `${SECRET} outside\n`);
  ws.write('src/a.ts', 'export const a = 1;\n');
  ws.policies.propose_edit = 'allow';
  ws.decide = (proposed) => ({ applied: true, text: proposed });
  const outsideSnapshot = () =>
    fs
      .readdirSync(outside, { recursive: true })
      .map(String)
      .sort()
      .map((name) => {
        const file = path.join(outside, name);
        return `${name}:${fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : ''}`;
      })
      .join('|');
  return { ws, outside, outsideSnapshot };
}

function link(scene: Scene, target: string, at: string): void {
  const file = path.join(scene.ws.root, at);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.symlinkSync(target, file);
}

/** propose_edit `at`, (optionally) swapping something during the review; an escape is any change outside. */
function writeThrough(label: string, prepare: (s: Scene) => void, at: string, swap?: (s: Scene) => void): Input {
  return {
    label,
    async run(s) {
      prepare(s);
      let before = s.outsideSnapshot();
      if (swap) {
        s.ws.decide = (proposed) => {
          swap(s);
          before = s.outsideSnapshot();
          return { applied: true, text: proposed };
        };
      }
      const output = await s.ws.call('propose_edit', { path: at, content: `${SECRET} written\n` });
      return { escaped: s.outsideSnapshot() !== before || output.includes(SECRET), note: output.slice(0, 60) };
    },
  };
}

/** read_file of src/a.ts with `swap` run right after the path's check, before the file is opened; an escape is the secret in the output. */
function readSwapped(label: string, swap: (s: Scene) => void): Input {
  return {
    label,
    async run(s) {
      fs.writeFileSync(path.join(s.outside, 'a.ts'), `${SECRET} outside\n`);
      let pending: ((scene: Scene) => void) | undefined = swap;
      const swapping: WorkspaceFs = {
        ...nodeWorkspaceFs,
        readChunks(absolute, chunkBytes, signal) {
          pending?.(s);
          pending = undefined;
          return nodeWorkspaceFs.readChunks(absolute, chunkBytes, signal);
        },
      };
      const read = readFileFunction({ fs: swapping, confinement: s.ws.confinement });
      const output = await read.handle({ path: 'src/a.ts' }, { signal: new AbortController().signal, run: RUN }).catch((error: unknown) => String(error));
      return { escaped: output.includes(SECRET), note: output.slice(0, 60) };
    },
  };
}

/** An assistant file created, updated and deleted in a workspace `.assistants` that `plant` makes lead out; an escape is any change outside. */
function assistantsFolderOut(label: string, plant: (s: Scene) => string): Input {
  return {
    label,
    async run(s) {
      fs.writeFileSync(path.join(s.outside, 'victim.assistant.json'), '{"version":1,"name":"Victim","model":"m"}');
      const dir = plant(s);
      const before = s.outsideSnapshot();
      const store = new FileAssistantStore(nodeFileSystem, dir, 'workspace', s.ws.confinement);
      const draft = { name: 'New', model: 'gpt-4.1', tools: [] };
      const outcomes = await Promise.all([store.create(draft), store.update('workspace:victim', draft, {}), store.delete('workspace:victim')].map((work) => work.then(() => 'done', (error: unknown) => String(error))));
      return { escaped: s.outsideSnapshot() !== before, note: outcomes[0].slice(0, 60) };
    },
  };
}

/** Calls a workspace function; an escape is the secret in its output. */
function readsSecret(label: string, prepare: (s: Scene) => void, name: string, args: Record<string, unknown>): Input {
  return {
    label,
    async run(s) {
      prepare(s);
      const output = await s.ws.call(name, args);
      return { escaped: output.includes(SECRET), note: output.slice(0, 60) };
    },
  };
}

/** Calls a workspace function; only its time counts (the harness measures it). */
function call(label: string, name: string, args: unknown, prepare: (s: Scene) => void = () => undefined): Input {
  return {
    label,
    async run(s) {
      prepare(s);
      const output = await s.ws.call(name, args);
      return { note: output.slice(0, 60) };
    },
  };
}

function nestedText(depth: number): string {
  return `${'{"type":"object","properties":{"x":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`;
}

function mkfifo(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('mkfifo', [file]);
}

/** A custom function called through the tool handler, its command allowed; the output is what the model reads. */
async function callCustom(tool: ToolDefinition, args: string): Promise<string> {
  const handler = functionToolHandler({
    registry: new FunctionRegistry(),
    trusted: () => true,
    policy: (key) => (key.startsWith('command:') ? 'allow' : undefined),
    approver: { ask: async () => 'once' },
    roots: () => [],
    customFunctions: async () => customFunctionsOf([tool], 'user', () => false),
    commands: { execute: async () => 'ran' },
    outputs: { ask: async () => 'typed' },
  });
  const [output] = await handler.handle([{ callId: 'c', name: tool.type === 'function' ? tool.function.name : '', arguments: args }], { run: RUN, signal: new AbortController().signal });
  return output.output;
}

/** The assistant store listing a hostile file beside a good one: broken when it throws or the good one is gone. */
function storeLists(label: string, plant: (dir: string) => void): Input {
  return {
    label,
    async run(s) {
      const dir = path.join(s.ws.root, '.assistants');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'good.assistant.json'), '{"version":1,"name":"Good","model":"gpt-4.1"}');
      plant(dir);
      const entries = await new FileAssistantStore(nodeFileSystem, dir, 'workspace', s.ws.confinement).list();
      return { broken: !entries.some((entry) => entry.name === 'Good' && entry.assistant), note: `${entries.length} listed` };
    },
  };
}

/** A call Stop ends: how long past Stop it took to answer. */
function stopped(label: string, fn: WorkspaceFunction | ToolDefinition): Input {
  return {
    label,
    async run() {
      const workspace = 'handle' in fn ? [fn] : [];
      const custom = 'handle' in fn ? [] : [fn];
      const handler = functionToolHandler({
        registry: new FunctionRegistry(workspace),
        trusted: () => true,
        policy: (key) => (key.startsWith('command:') ? 'allow' : undefined),
        approver: { ask: async () => 'once' },
        roots: () => [],
        customFunctions: async () => customFunctionsOf(custom, 'user', () => false),
        commands: { execute: () => new Promise(() => undefined) },
      });
      const stop = new AbortController();
      let stoppedAt = 0;
      setTimeout(() => {
        stoppedAt = performance.now();
        stop.abort();
      }, 100);
      const name = 'handle' in fn ? fn.definition.name : (fn.type === 'function' ? fn.function.name : '');
      const [output] = await handler.handle([{ callId: 'c', name, arguments: '{}' }], { run: RUN, signal: stop.signal });
      return { lateMs: performance.now() - stoppedAt, broken: !/stopped/.test(output.output), note: output.output.slice(0, 60) };
    },
  };
}

const never: WorkspaceFunction = { definition: { name: 'never', description: '', parameters: { type: 'object' } }, writes: false, handle: () => new Promise(() => undefined) };
const heedsLate: WorkspaceFunction = {
  definition: { name: 'heeds_late', description: '', parameters: { type: 'object' } },
  writes: false,
  handle: (_args, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => setTimeout(() => resolve('late'), 10_000))),
};

const secretFiles = ['.env-production', '.env_local', 'config/.env-dev', 'keys/site.pem', 'keys/putty.ppk', 'keys/AuthKey.p8', 'deploy/id_work', '.gnupg/secring.gpg', '.vault-token', 'gcp/token.json', 'Config/.ENV'];
const hostileRegexes = ['(a+)+$', '^(a|aa)+b', '(a*)*b', '([a-z]+)*!x', '(x+x+)+y', '(?:a+){10}c', '(\\w+\\s?)*$'];
/** Linear, but each character costs a step per instruction: counted repetitions that add up. */
const largeRegexes = ['.{1000}'.repeat(20), `${'(?:a?){1000}'.repeat(4)}z`, 'a{0,1000}'.repeat(100), '[a-z]{1000}[a-z]{990}z', '\\p{L}{1000}'.repeat(50), '[a-z]{900}z'];

/** `levels` definitions each trying both its branches on one value: 2^levels subschemas. */
function doubling(applicator: 'anyOf' | 'oneOf' | 'allOf', levels: number, leaf: object): Record<string, unknown> {
  return {
    type: 'object',
    properties: { s: { $ref: '#/definitions/l0' } },
    definitions: Object.fromEntries([...Array.from({ length: levels }, (_, i) => [`l${i}`, { [applicator]: [{ $ref: `#/definitions/l${i + 1}` }, { $ref: `#/definitions/l${i + 1}` }] }]), [`l${levels}`, leaf]]),
  };
}

/**
 * A call over `count` empty files in one folder (made without blocking the event loop). Such a walk
 * may take its whole time limit without holding the host: it is late only past WALK_TIME_LIMIT_MS.
 */
function manyFiles(label: string, count: number, name: string, args: Record<string, unknown>): Input {
  return {
    label,
    giveUpMs: WALK_TIME_LIMIT_MS + 120_000,
    async run(s) {
      const dir = path.join(s.ws.root, 'many');
      await fs.promises.mkdir(dir);
      for (let i = 0; i < count; i += 1_000) await Promise.all(Array.from({ length: Math.min(1_000, count - i) }, (_, j) => fs.promises.writeFile(path.join(dir, `f${i + j}.txt`), 'x\n')));
      const started = performance.now();
      const output = await s.ws.call(name, args);
      const took = performance.now() - started;
      return { lateMs: Math.max(0, took - WALK_TIME_LIMIT_MS), note: `${Math.round(took)} ms: ${output.slice(0, 40)}` };
    },
  };
}

/** A bound function with `parameters` called with `args`: broken unless the output says the check could not be made. */
function uncheckable(label: string, parameters: Record<string, unknown>, args: unknown): Input {
  return {
    label,
    async run() {
      const output = await callCustom({ type: 'function', function: { name: 'f', parameters }, command: 'x.f' }, JSON.stringify(args));
      return { broken: !/cannot be checked|too long to match|too large|more than/.test(output), note: output.slice(0, 60) };
    },
  };
}
const hostileGlobs = ['{1..100000}', '{1..100}{1..100}{1..100}', `**/${'{a,b}'.repeat(30)}`, `${'*a'.repeat(12)}b`, '+(a|aa)+(a|aa)b', `${'**/'.repeat(100)}z`, `${'{a,b}'.repeat(8)}${'?'.repeat(950)}`];
const longPaths = ['a/'.repeat(20_000), '../'.repeat(20_000), `${'./'.repeat(20_000)}src/a.ts`, 'x'.repeat(100_000)];

const KINDS: Kind[] = [
  {
    name: 'write through a link',
    inputs: [
      writeThrough('dangling link to an absolute path', (s) => link(s, path.join(s.outside, 'x'), 'notes.md'), 'notes.md'),
      writeThrough('dangling relative link', (s) => link(s, path.join(path.relative(s.ws.root, s.outside), 'y'), 'rel.md'), 'rel.md'),
      writeThrough('dangling linked folder in the middle', (s) => link(s, path.join(s.outside, 'no', 'dir'), 'gen'), 'gen/a/b.ts'),
      writeThrough('linked folder in the middle', (s) => link(s, s.outside, 'vendor'), 'vendor/new.txt'),
      writeThrough('chain of dangling links', (s) => (link(s, 'hop2', 'hop1'), link(s, path.join(s.outside, 'z'), 'hop2')), 'hop1'),
      writeThrough('file swapped for a link during review', () => undefined, 'src/a.ts', (s) => {
        fs.rmSync(path.join(s.ws.root, 'src', 'a.ts'));
        fs.symlinkSync(path.join(s.outside, 'target.txt'), path.join(s.ws.root, 'src', 'a.ts'));
      }),
      writeThrough('folder swapped for a link during review', () => undefined, 'src/a.ts', (s) => {
        fs.writeFileSync(path.join(s.outside, 'a.ts'), 'export const a = 1;\n');
        fs.rmSync(path.join(s.ws.root, 'src'), { recursive: true });
        fs.symlinkSync(s.outside, path.join(s.ws.root, 'src'));
      }),
      writeThrough('new file swapped for a dangling link during review', () => undefined, 'src/new.ts', (s) => fs.symlinkSync(path.join(s.outside, 'new.ts'), path.join(s.ws.root, 'src', 'new.ts'))),
      writeThrough('hard link to a file outside', (s) => fs.linkSync(path.join(s.outside, 'target.txt'), path.join(s.ws.root, 'notes.txt')), 'notes.txt'),
      writeThrough('second name made outside during review', () => undefined, 'src/a.ts', (s) => fs.linkSync(path.join(s.ws.root, 'src', 'a.ts'), path.join(s.outside, 'second.ts'))),
      assistantsFolderOut('.assistants is a link out', (s) => (link(s, s.outside, '.assistants'), path.join(s.ws.root, '.assistants'))),
      assistantsFolderOut('.assistants is a dangling link out', (s) => (link(s, path.join(s.outside, 'later'), '.assistants'), path.join(s.ws.root, '.assistants'))),
      assistantsFolderOut('a folder above .assistants is a link out', (s) => (fs.mkdirSync(path.join(s.outside, '.assistants')), link(s, s.outside, 'config'), path.join(s.ws.root, 'config', '.assistants'))),
    ],
  },
  {
    name: 'read a secret or outside',
    inputs: [
      ...secretFiles.map((file) => readsSecret(`read_file ${file}`, (s) => s.ws.write(file.toLowerCase(), `${SECRET}\n`), 'read_file', { path: file })),
      readsSecret('list_files and search_text over secrets', (s) => secretFiles.forEach((file) => s.ws.write(file.toLowerCase(), `${SECRET}\n`)), 'search_text', { query: 'HOSTILE-BENCH-SECRET-[0-9a-f]+', isRegex: true }),
      readsSecret('link to a secret', (s) => (s.ws.write('.env.prod', `${SECRET}\n`), link(s, path.join(s.ws.root, '.env.prod'), 'innocent.txt')), 'read_file', { path: 'innocent.txt' }),
      readsSecret('../ out', () => undefined, 'read_file', { path: '../outside/target.txt' }),
      readsSecret('link out', (s) => link(s, path.join(s.outside, 'target.txt'), 'config.txt'), 'read_file', { path: 'config.txt' }),
      readsSecret('percent-encoded ..', () => undefined, 'read_file', { path: '%2e%2e/target.txt' }),
      readSwapped('file swapped for a link out after the check', (s) => (fs.rmSync(path.join(s.ws.root, 'src', 'a.ts')), fs.symlinkSync(path.join(s.outside, 'a.ts'), path.join(s.ws.root, 'src', 'a.ts')))),
      readSwapped('folder swapped for a link out after the check', (s) => (fs.rmSync(path.join(s.ws.root, 'src'), { recursive: true }), fs.symlinkSync(s.outside, path.join(s.ws.root, 'src')))),
      readsSecret('.gitignore linking out, then listed', (s) => link(s, path.join(s.outside, 'target.txt'), '.gitignore'), 'list_files', {}),
      ...['.ENV', 'a/.Env.Local', 'x/PROD.ENV', 'secrets/.env.d/x', '.NPMRC', '.git-credentials', '.pypirc', 'Credentials.JSON', 'a.PFX', 'c.jks', 'd.keystore', 'id_ed25519.pub', 'keys/site.\u212Aey'].map((file) => readsSecret(`read_file ${file}`, (s) => s.ws.write(file, `${SECRET}\n`), 'read_file', { path: file })),
    ],
  },
  {
    name: 'regular expression (search_text)',
    inputs: [...hostileRegexes, ...largeRegexes].map((query) => call(query.slice(0, 40), 'search_text', { query, isRegex: true }, (s) => s.ws.write('data/a.txt', `${'a'.repeat(9_999)}\n`.repeat(50)))),
  },
  {
    name: 'glob (list_files, search_text)',
    inputs: [
      ...hostileGlobs.map((glob) => call(`list_files ${glob.slice(0, 24)}`, 'list_files', { glob }, (s) => s.ws.write(`names/${'a'.repeat(200)}`, 'x\n'))),
      call('search_text {1..100000}', 'search_text', { query: 'a', glob: '{1..100000}' }),
    ],
  },
  {
    name: 'glob from the repository (files.exclude, .gitignore)',
    inputs: [
      call('files.exclude *a*a…b', 'list_files', {}, (s) => (s.ws.exclude.push(`${'*a'.repeat(12)}b`), s.ws.write(`names/${'a'.repeat(200)}`, 'x\n'))),
      call('files.exclude {1..100000}', 'list_files', {}, (s) => s.ws.exclude.push('{1..100000}')),
      call('.gitignore *a*a…b', 'list_files', {}, (s) => (s.ws.write('.gitignore', `${'*a'.repeat(12)}b\n`), s.ws.write(`names/${'a'.repeat(200)}`, 'x\n'))),
      call('.gitignore {1..100000}', 'list_files', {}, (s) => s.ws.write('.gitignore', '{1..100000}\n')),
      call('files.exclude of 20,000 globs', 'list_files', {}, (s) => s.ws.exclude.push(...Array.from({ length: 20_000 }, (_, i) => `**/x${i}`))),
      call('files.exclude of 500 globs of 990 ?', 'read_file', { path: 'src/a.ts' }, (s) => s.ws.exclude.push(...Array.from({ length: 500 }, (_, i) => `${'?'.repeat(990)}${i}`))),
      call('.gitignore of 199 lines of 990 ?', 'list_files', {}, (s) => s.ws.write('.gitignore', Array.from({ length: 199 }, (_, i) => `${'?'.repeat(990)}${i}`).join('\n'))),
      call('files.exclude of 300 globs × 256 expansions', 'read_file', { path: 'src/a.ts' }, (s) => s.ws.exclude.push(...Array.from({ length: 300 }, (_, i) => `**/{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}/x${i}*`))),
      call('.gitignore of 10,000 lines alternating x and !y', 'list_files', {}, (s) => {
        s.ws.write('.gitignore', Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `!*y${i}*` : `*x${i}*`)).join('\n'));
        for (let i = 0; i < 40; i++) s.ws.write(`${'d/'.repeat(60)}f${i}.txt`, 'x\n');
      }),
      call('a .gitignore of 10,000 lines in each of 30 nested folders', 'list_files', {}, (s) => {
        for (let depth = 0; depth < 30; depth++) s.ws.write(`${'n/'.repeat(depth)}.gitignore`, Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `!*y${i}*` : `*x${i}*`)).join('\n'));
        for (let i = 0; i < 20; i++) s.ws.write(`${'n/'.repeat(30)}f${i}.txt`, 'x\n');
      }),
      call('20,000 files.exclude-hidden entries in one folder', 'search_text', { query: 'x' }, (s) => {
        s.ws.exclude.push('**/*.hidden');
        for (let i = 0; i < 20_000; i++) fs.writeFileSync(path.join(s.ws.root, `f${i}.hidden`), '');
      }),
    ],
  },
  {
    name: 'repetitive text (snippets, long lines, long strings)',
    inputs: [
      ...[`${'0'.repeat(50_000)}1${'0'.repeat(50_000)}`, `${'0'.repeat(5_000)}1${'0'.repeat(5_000)}`].map((oldText) =>
        call(`propose_edit 0×${oldText.indexOf('1')}, 1, 0×… in 2,000,000 0`, 'propose_edit', { path: 'zeros.txt', edits: [{ oldText, newText: 'x' }] }, (s) => s.ws.write('zeros.txt', '0'.repeat(2_000_000))),
      ),
      ...['[ab].{990}c', '(?:a.){450}q'].map((query) =>
        call(`search_text ${query} over 200 lines of 10,000`, 'search_text', { query, isRegex: true }, (s) => s.ws.write('data/a.txt', `${`${'a'.repeat(499)}c`.repeat(20)}\n`.repeat(200))),
      ),
      uncheckable('30 strings of 11,000 characters against a.{900}c', { type: 'object', properties: { xs: { type: 'array', items: { type: 'string', pattern: 'a.{900}c' } } } }, { xs: Array.from({ length: 30 }, (_, i) => `${'a'.repeat(499)}c`.repeat(22).slice(i)) }),
      uncheckable('30 strings of 2,000 characters against a.{900}c', { type: 'object', properties: { xs: { type: 'array', items: { type: 'string', pattern: 'a.{900}c' } } } }, { xs: Array.from({ length: 30 }, (_, i) => `${'a'.repeat(499)}c`.repeat(4).slice(i)) }),
    ],
  },
  {
    name: 'long path',
    inputs: longPaths.flatMap((requested) => [
      call(`read_file ${requested.slice(0, 6)}… (${requested.length})`, 'read_file', { path: requested }),
      call(`propose_edit ${requested.slice(0, 6)}… (${requested.length})`, 'propose_edit', { path: requested, content: 'x' }),
    ]),
  },
  {
    name: 'pattern in a function schema',
    inputs: [
      ...['^(a+)+$', '^(a|aa)+$', '(x+x+)+y'].map((pattern) => ({
        label: pattern,
        run: async () => ({ note: (await callCustom({ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { s: { type: 'string', pattern } } } }, command: 'x.f' }, JSON.stringify({ s: `${'a'.repeat(30)}!` }))).slice(0, 60) }),
      })),
      {
        label: 'patternProperties (a+)+$',
        run: async () => ({ note: (await callCustom({ type: 'function', function: { name: 'g', parameters: { type: 'object', patternProperties: { '^(a+)+$': { type: 'number' } } } } }, JSON.stringify({ [`${'a'.repeat(30)}!`]: 1 }))).slice(0, 60) }),
      },
    ],
  },
  {
    name: 'large tree (due within the 20 s walk)',
    inputs: [100_000, 200_000].flatMap((count) =>
      (
        [
          ['list_files', { glob: '**/*.none' }],
          ['search_text', { query: 'absent' }],
        ] as const
      ).map(([name, args]) => manyFiles(`${name} over ${count.toLocaleString('en-US')} files in one folder`, count, name, args)),
    ),
  },
  {
    name: 'schema whose checks multiply or loop',
    inputs: [
      uncheckable('anyOf of two $refs, 40 levels', doubling('anyOf', 40, { type: 'string', minLength: 5 }), { s: 'a' }),
      uncheckable('oneOf of two $refs, 30 levels', doubling('oneOf', 30, { type: 'number' }), { s: 'a' }),
      uncheckable('allOf of two $refs, 40 levels', doubling('allOf', 40, { type: 'string' }), { s: 'a' }),
      uncheckable('anyOf along a value 60 deep', { type: 'object', properties: { s: { $ref: '#/definitions/n' } }, definitions: { n: { anyOf: ['y', 'z'].map((name) => ({ allOf: [{ properties: { x: { $ref: '#/definitions/n' } } }, { required: [name] }] })) } } }, { s: JSON.parse(`${'{"x":'.repeat(60)}{}${'}'.repeat(60)}`) as unknown }),
      uncheckable('$ref loop', { type: 'object', properties: { s: { $ref: '#/definitions/a' } }, definitions: { a: { $ref: '#/definitions/b' }, b: { $ref: '#/definitions/a' } } }, { s: 1 }),
      uncheckable('a 50 MB value against [a-z]{900}', { type: 'object', properties: { s: { type: 'string', pattern: '[a-z]{900}' } } }, { s: 'a'.repeat(50_000_000) }),
      uncheckable('a pattern of 20 × .{1000}', { type: 'object', properties: { s: { type: 'string', pattern: '.{1000}'.repeat(20) } } }, { s: 'a' }),
      uncheckable('a schema of 100,000 properties', { type: 'object', properties: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`p${i}`, { type: 'string' }])) }, {}),
      uncheckable('100 patternProperties on 100,000 keys', { type: 'object', patternProperties: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`^k${i}[a-z]{5,40}z$`, { type: 'number' }])) }, Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`key${i}abcdefghijklmnopqrstuvwxyz`, 1]))),
      uncheckable('300 patterns of [a-z]{900}', { type: 'object', properties: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}`, { type: 'string', pattern: `[a-z]{${900 + (i % 90)}}x${i}` }])) }, {}),
    ],
  },
  {
    name: 'schema or arguments nested deep',
    inputs: [
      ...[2_000, 3_000].map((depth) => storeLists(`assistant file, parameters ${depth} deep`, (dir) => fs.writeFileSync(path.join(dir, 'deep.assistant.json'), `{"version":1,"name":"Deep","model":"gpt-4.1","tools":[{"type":"function","function":{"name":"f","parameters":${nestedText(depth)}}}]}`))),
      storeLists('assistant file, instructions 50,000 deep', (dir) => fs.writeFileSync(path.join(dir, 'deep.assistant.json'), `{"version":1,"name":"Deep","model":"gpt-4.1","instructions":${'['.repeat(50_000)}${']'.repeat(50_000)}}`)),
      {
        label: 'custom function, parameters 2,000 deep',
        run: async () => {
          const output = await callCustom({ type: 'function', function: { name: 'f', parameters: JSON.parse(nestedText(2_000)) as Record<string, unknown> }, command: 'x.f' }, '{}');
          return { broken: !/not a usable JSON Schema/.test(output), note: output.slice(0, 60) };
        },
      },
      {
        label: 'arguments 100,000 deep',
        run: async () => {
          const output = await callCustom({ type: 'function', function: { name: 'f' }, command: 'x.f' }, `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
          return { broken: !/nest deeper/.test(output), note: output.slice(0, 60) };
        },
      },
      {
        label: 'parseAssistantFile, parameters 5,000 deep',
        run: async () => ({ broken: parseAssistantFile(`{"version":1,"name":"D","model":"m","tools":[{"type":"function","function":{"name":"f","parameters":${nestedText(5_000)}}}]}`).errors.length === 0 }),
      },
    ],
  },
  {
    name: 'FIFO',
    inputs: [
      storeLists('x.assistant.json is a FIFO', (dir) => mkfifo(path.join(dir, 'x.assistant.json'))),
      storeLists('five FIFOs named *.assistant.json', (dir) => [1, 2, 3, 4, 5].forEach((n) => mkfifo(path.join(dir, `p${n}.assistant.json`)))),
      call('read_file of a FIFO', 'read_file', { path: 'pipe.txt' }, (s) => mkfifo(path.join(s.ws.root, 'pipe.txt'))),
      call('read_file of a link to a FIFO', 'read_file', { path: 'l.txt' }, (s) => (mkfifo(path.join(s.ws.root, 'pipe.txt')), link(s, path.join(s.ws.root, 'pipe.txt'), 'l.txt'))),
      call('list_files and search_text beside FIFOs', 'search_text', { query: 'export' }, (s) => (mkfifo(path.join(s.ws.root, 'src', 'p.ts')), mkfifo(path.join(s.ws.root, '.gitignore')))),
      call('propose_edit of a FIFO', 'propose_edit', { path: 'pipe.txt', edits: [{ oldText: 'a', newText: 'b' }] }, (s) => mkfifo(path.join(s.ws.root, 'pipe.txt'))),
    ],
  },
  {
    name: 'call that never returns, then Stop',
    inputs: [stopped('workspace function that ignores its signal', never), stopped('workspace function that answers 10 s after abort', heedsLate), stopped('bound command that never returns', { type: 'function', function: { name: 'cmd' }, command: 'x.never' })],
  },
  {
    name: 'long lists in a schema (uniqueItems)',
    inputs: [
      ...([['200,000 numbers', (i: number) => i], ['100,000 objects', (i: number) => ({ id: i, tags: ['a'] })]] as const).map(([label, item]) =>
        storeLists(`assistant file, an enum of ${label}`, (dir) => fs.writeFileSync(path.join(dir, 'enum.assistant.json'), JSON.stringify({ version: 1, name: 'Enum', model: 'gpt-4.1', tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { e: { enum: Array.from({ length: label.startsWith('200') ? 200_000 : 100_000 }, (_, i) => item(i)) } } } } }] }))),
      ),
      {
        label: 'arguments of 100,000 objects under uniqueItems',
        run: async () => {
          const list = JSON.stringify({ list: Array.from({ length: 100_000 }, (_, i) => ({ n: i })) });
          const output = await callCustom({ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { list: { type: 'array', uniqueItems: true } } } }, command: 'x.f' }, list);
          return { broken: output !== 'ran', note: output.slice(0, 60) };
        },
      },
    ],
  },
  {
    name: 'large repository file',
    inputs: [
      storeLists('assistant file of 600 MB (sparse)', (dir) => (fs.writeFileSync(path.join(dir, 'big.assistant.json'), '{"version":1,"name":"Big"'), fs.truncateSync(path.join(dir, 'big.assistant.json'), 600 * 1024 * 1024))),
      {
        label: 'attached file of 400 MB, read and hashed',
        async run(s) {
          const file = path.join(s.ws.root, 'data.csv');
          // Written a megabyte at a time, so the writing holds the loop no longer than the reading may.
          const handle = await fs.promises.open(file, 'w');
          const line = Buffer.alloc(1024 * 1024, '1,2,3\n');
          for (let i = 0; i < 400; i++) await handle.write(line);
          await handle.close();
          const files = { uploadFile: async () => ({ id: 'file-1', filename: 'data.csv', bytes: 0, purpose: 'assistants', createdAt: 0 }), retrieveFile: async () => Promise.reject(new Error('not kept')) };
          const index = { get: () => undefined, set: async () => undefined, forget: async () => undefined };
          const [result] = await uploadFiles([{ absolute: file, display: 'data.csv', tool: 'code_interpreter' }], { files, fs: nodeWorkspaceFs, index, provider: 'p' });
          // Reading 400 MB takes its time: only a blocked loop is a hang here.
          return { broken: !result.ok, lateMs: 0, note: result.ok ? result.sha256.slice(0, 12) : result.reason };
        },
      },
      storeLists('assistant file of 8 GB (sparse)', (dir) => (fs.writeFileSync(path.join(dir, 'big.assistant.json'), '{"version":1,"name":"Big"'), fs.truncateSync(path.join(dir, 'big.assistant.json'), 8 * 1024 * 1024 * 1024))),
    ],
  },
  ...SERVER_KINDS,
  ...ANSWER_KINDS,
  LOST_WRITE_KIND,
  LOCK_KIND,
];

interface Row {
  kind: string;
  tried: number;
  escapes: number;
  hangs: number;
  lostWrites: number;
  broken: number;
  worstBlockMs: number;
  worstMs: number;
  failures: string[];
}

async function tryInput(input: Input): Promise<{ seen: Seen; blockedMs: number; tookMs: number; gaveUp: boolean }> {
  const s = scene();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  let gaveUp = false;
  let seen: Seen;
  try {
    seen = await Promise.race([
      input.run(s),
      new Promise<Seen>((resolve) =>
        setTimeout(() => {
          gaveUp = true;
          resolve({ note: 'gave up' });
        }, input.giveUpMs ?? GIVE_UP_MS).unref(),
      ),
    ]);
  } catch (error) {
    seen = { broken: true, note: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 80) : String(error) };
  }
  const tookMs = performance.now() - started;
  // The sampling timer records a block when it fires after it: let it fire before reading.
  await new Promise((resolve) => setTimeout(resolve, 30));
  delay.disable();
  s.ws.dispose();
  fs.rmSync(s.outside, { recursive: true, force: true });
  return { seen, blockedMs: delay.max / 1e6, tookMs, gaveUp };
}

async function main(): Promise<void> {
  const only = process.argv.includes('--kind') ? process.argv[process.argv.indexOf('--kind') + 1] : undefined;
  const rows: Row[] = [];
  for (const kind of KINDS.filter((k) => !only || k.name.includes(only))) {
    const row: Row = { kind: kind.name, tried: 0, escapes: 0, hangs: 0, lostWrites: 0, broken: 0, worstBlockMs: 0, worstMs: 0, failures: [] };
    for (const input of kind.inputs) {
      const { seen, blockedMs, tookMs, gaveUp } = await tryInput(input);
      const hung = gaveUp || blockedMs > HANG_MS || (seen.lateMs ?? (tookMs > HANG_MS ? tookMs : 0)) > HANG_MS;
      row.tried += 1;
      row.escapes += seen.escaped ? 1 : 0;
      row.hangs += hung ? 1 : 0;
      row.lostWrites += seen.lostWrites ?? 0;
      row.broken += seen.broken ? 1 : 0;
      row.worstBlockMs = Math.max(row.worstBlockMs, blockedMs);
      row.worstMs = Math.max(row.worstMs, tookMs);
      if (seen.escaped || hung || seen.broken || seen.lostWrites) row.failures.push(`${input.label}: ${[seen.escaped && 'escaped', hung && `hung (${Math.round(Math.max(blockedMs, tookMs))} ms)`, seen.lostWrites && `${seen.lostWrites} lost`, seen.broken && 'broken'].filter(Boolean).join(', ')}${seen.note ? ` (${seen.note})` : ''}`);
    }
    rows.push(row);
  }
  const pad = (text: string | number, width: number) => String(text).padStart(width);
  console.log(`${'kind'.padEnd(52)}${pad('tried', 6)}${pad('escapes', 9)}${pad('hangs', 7)}${pad('lost writes', 13)}${pad('broken', 8)}${pad('worst block', 13)}${pad('slowest', 10)}`);
  for (const row of rows) {
    console.log(`${row.kind.padEnd(52)}${pad(row.tried, 6)}${pad(row.escapes, 9)}${pad(row.hangs, 7)}${pad(row.lostWrites, 13)}${pad(row.broken, 8)}${pad(`${Math.round(row.worstBlockMs)} ms`, 13)}${pad(`${Math.round(row.worstMs)} ms`, 10)}`);
  }
  const total = (key: 'tried' | 'escapes' | 'hangs' | 'lostWrites' | 'broken') => rows.reduce((sum, row) => sum + row[key], 0);
  console.log(`${'all'.padEnd(52)}${pad(total('tried'), 6)}${pad(total('escapes'), 9)}${pad(total('hangs'), 7)}${pad(total('lostWrites'), 13)}${pad(total('broken'), 8)}`);
  for (const row of rows) for (const failure of row.failures) console.log(`  ${row.kind}: ${failure}`);
  // An input given up on may hold a file-system thread (a FIFO opened for reading): do not wait for it.
  process.exit(0);
}

void main();
