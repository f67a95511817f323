import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { forTerminal, runCli } from '../../../src/cli';
import { asAssistantsError } from '../../../src/core/errors';
import { FakeOpenAIServer } from '../../fakes/fakeServer';

describe('test-assistants CLI', () => {
  let fake: FakeOpenAIServer;
  let root: string;
  let lines: string[];
  const out = { log: (line: string) => lines.push(line) };

  beforeEach(async () => {
    fake = await FakeOpenAIServer.start();
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'test-assistants-cli-')));
    lines = [];
    await fs.mkdir(path.join(root, '.assistants'));
    await fs.mkdir(path.join(root, 'node_modules', 'pkg'), { recursive: true });
    await fs.writeFile(path.join(root, '.assistants', 'helper.assistant.json'), JSON.stringify({ version: 1, name: 'Helper', model: 'gpt-4.1-mini' }));
    // A dependency's test file is never run.
    await fs.writeFile(path.join(root, 'node_modules', 'pkg', 'x.assistant-tests.json'), '{');
  });
  afterEach(async () => {
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  const env = () => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl });

  it('runs every test file of the workspace against the server, prints each case and "N passed, N failed", and exits 1 on a failure', async () => {
    await fs.writeFile(
      path.join(root, '.assistants', 'helper.assistant-tests.json'),
      JSON.stringify({ version: 1, tests: [{ name: 'Echoes', question: 'What is a monad?', expect: [{ type: 'contains', value: 'monad' }] }, { name: 'Denies', question: 'Hello', expect: [{ type: 'contains', value: 'Goodbye' }] }] }),
    );
    await fs.writeFile(path.join(root, '.assistants', 'helper.assistant-tests.yaml'), 'version: 1\ntests:\n  - question: Anything?\n    repeat: 2\n    expect:\n      - type: regex\n        value: "^## Answer"\n');
    const code = await runCli(['--workspace', root], env(), out);
    const text = lines.join('\n');
    assert.equal(code, 1);
    assert.match(text, /\.assistants\/helper\.assistant-tests\.json\n {2}✓ Echoes \(\d+\.\d s, \d+ tokens, \$0\.\d{4}\)/);
    assert.match(text, / {2}✗ Denies .*\n {6}The answer does not contain "Goodbye"\.\n {6}expected: Goodbye\n {6}actual: {3}## Answer/);
    assert.match(text, / {2}✓ Anything\? 2\/2 passed/);
    assert.equal(lines.at(-1), '2 passed, 1 failed');
    assert.ok(!text.includes('node_modules'));
  });

  it('exits 0 when every case passes, and runs only the files named', async () => {
    await fs.writeFile(path.join(root, '.assistants', 'helper.assistant-tests.json'), JSON.stringify({ version: 1, tests: [{ question: 'Hi', expect: [{ type: 'icontains', value: 'you asked' }] }] }));
    await fs.writeFile(path.join(root, '.assistants', 'other.assistant-tests.json'), JSON.stringify({ version: 1, assistant: 'helper.assistant.json', tests: [{ question: 'Hi', expect: [{ type: 'contains', value: 'nope' }] }] }));
    const code = await runCli(['--workspace', root, path.join(root, '.assistants', 'helper.assistant-tests.json')], env(), out);
    assert.equal(code, 0, lines.join('\n'));
    assert.equal(lines.at(-1), '1 passed, 0 failed');
  });

  it('reports a file whose schema names a $schema it cannot read as not run, and runs the other files and prints the summary', async () => {
    for (const $schema of ['https://json-schema.org/draft/2020-12/schema', 'http://json-schema.org/draft-04/schema#']) {
      lines = [];
      await fs.writeFile(path.join(root, '.assistants', 'a.assistant-tests.json'), JSON.stringify({ version: 1, assistant: 'helper.assistant.json', tests: [{ question: 'Hi', expect: [{ type: 'json-schema', value: { $schema, type: 'object' } }] }] }));
      await fs.writeFile(path.join(root, '.assistants', 'helper.assistant-tests.json'), JSON.stringify({ version: 1, tests: [{ name: 'Echoes', question: 'Hi', expect: [{ type: 'icontains', value: 'you asked' }] }] }));
      assert.equal(await runCli(['--workspace', root], env(), out), 1);
      const text = lines.join('\n');
      assert.ok(text.includes(`a.assistant-tests.json\n  ✗ not run: tests.0.expect.0.value names "$schema": "${$schema}", which the runner does not support;`), text);
      assert.match(text, /✓ Echoes/);
      assert.match(text, /2 files \(1 not run\)/);
      assert.equal(lines.at(-1), '1 passed, 0 failed');
    }
  });

  it('offers the read-only workspace functions, confined and with the deny list, and denies a write', async () => {
    await fs.writeFile(path.join(root, 'notes.md'), 'Deploys run on Fridays.\n');
    await fs.writeFile(path.join(root, '.env'), 'API_KEY=sk-live-secret\n');
    const tests = [
      { name: 'reads', question: 'read the file notes.md', expect: [{ type: 'function-call', name: 'read_file', arguments: { path: 'notes.md' } }, { type: 'contains', value: 'Deploys run on Fridays.' }] },
      { name: 'refused', question: 'call read_file with {"path":".env"}', expect: [{ type: 'not-contains', value: 'sk-live-secret' }, { type: 'contains', value: 'Refused' }] },
      { name: 'denied', question: 'call propose_edit with {"path":"notes.md","edits":[]}', expect: [{ type: 'contains', value: 'sk-live-secret' }] },
    ];
    await fs.writeFile(path.join(root, '.assistants', 'helper.assistant-tests.json'), JSON.stringify({ version: 1, tests }));
    assert.equal(await runCli(['--workspace', root], env(), out), 1);
    const text = lines.join('\n');
    assert.match(text, /✓ reads/);
    assert.match(text, /✓ refused/);
    assert.match(text, /✗ denied[^\n]*\n {6}The answer does not contain "sk-live-secret"/, 'propose_edit is not offered headless');
    assert.equal(lines.at(-1), '2 passed, 1 failed');
  });

  it('says what is wrong, without running, for a file that is not valid or a missing key', async () => {
    await fs.writeFile(path.join(root, '.assistants', 'helper.assistant-tests.json'), JSON.stringify({ version: 1, tests: [{ expect: [] }] }));
    assert.equal(await runCli(['--workspace', root], env(), out), 1);
    assert.match(lines.join('\n'), /✗ not run: tests\.0 must have required property 'question'/);
    lines = [];
    assert.equal(await runCli(['--workspace', root], { OPENAI_BASE_URL: fake.baseUrl }, out), 2);
    assert.match(lines[0], /OPENAI_API_KEY is not set/);
    assert.equal(fake.requests.length, 0);
    lines = [];
    assert.equal(await runCli(['--concurrency', '0'], env(), out), 2);
    assert.match(lines[0], /--concurrency takes a whole number/);
  });

  it('says an unexpected failure without pointing to VS Code\'s log, which a terminal has not', () => {
    for (const thrown of [new Error('the pipe broke.'), new TypeError('x is not a function')]) {
      const line = forTerminal(`  ✗ not run: ${asAssistantsError(thrown).message}`);
      assert.match(line, /^ {2}✗ not run: Something unexpected went wrong: [^]*[^.]\.$/, line);
      assert.doesNotMatch(line, /Show Log|Assistants:/, line);
    }
  });

  it('says in a sentence why an assistant file that is a folder, a pipe or has a NUL in its name is not run, never Node\'s words', async () => {
    await fs.mkdir(path.join(root, '.assistants', 'dir.assistant.json'));
    const tests = (assistant: string) => JSON.stringify({ version: 1, assistant, tests: [{ question: 'q' }] });
    await fs.writeFile(path.join(root, '.assistants', 'a.assistant-tests.json'), tests('dir.assistant.json'));
    await fs.writeFile(path.join(root, '.assistants', 'b.assistant-tests.json'), tests('a\u0000.assistant.json'));
    assert.equal(await runCli(['--workspace', root], env(), out), 1);
    const text = lines.join('\n');
    assert.match(text, /✗ not run: The assistant file "dir\.assistant\.json" is a folder, not a file;/);
    assert.match(text, /✗ not run: The assistant file "a\\u0000\.assistant\.json" contains a NUL character;/);
    assert.doesNotMatch(text, /EISDIR|null bytes|unexpected|Show Log/);
  });

  it('refuses, exit 2 and without running anything, a target that does not exist, is no test file or is a folder holding none, naming each', async () => {
    const ok = path.join(root, '.assistants', 'helper.assistant-tests.json');
    await fs.writeFile(ok, JSON.stringify({ version: 1, tests: [{ question: 'Hi', expect: [{ type: 'icontains', value: 'you asked' }] }] }));
    await fs.mkdir(path.join(root, 'empty'));
    await fs.writeFile(path.join(root, 'notes.md'), 'x');
    const cases: Array<[string[], RegExp[]]> = [
      [[ok, 'tset/', 'nope.assistant-test.json'], [/^"tset\/" does not exist; name a test file or a folder that holds some\.$/m, /^"nope\.assistant-test\.json" does not exist;/m]],
      [[path.join(root, 'empty'), ok], [/^The folder ".*empty" holds no \*\.assistant-tests\.json or \.yaml files; name one that does\.$/m]],
      [[path.join(root, 'notes.md')], [/^".*notes\.md" is not a test file; its name must end in \.assistant-tests\.json, \.yaml or \.yml\.$/m]],
      [['--workspace', path.join(root, 'nope')], [/^The workspace ".*nope" is not a folder; give --workspace an existing folder\.$/m]],
    ];
    for (const [args, sentences] of cases) {
      lines = [];
      const code = await runCli(args.includes('--workspace') ? args : ['--workspace', root, ...args], env(), out);
      const text = lines.join('\n');
      assert.equal(code, 2, text);
      for (const sentence of sentences) assert.match(text, sentence);
      assert.match(text, /^Usage: test-assistants/m);
      assert.doesNotMatch(text, /passed/, 'nothing ran');
    }
    assert.equal(fake.requests.length, 0, 'nothing was asked');
  });

  it('reads a test file that starts with a byte order mark, as the Test Explorer does (JSON and YAML)', async () => {
    const bom = '\ufeff';
    await fs.writeFile(path.join(root, '.assistants', 'helper.assistant-tests.json'), bom + JSON.stringify({ version: 1, tests: [{ name: 'json', question: 'Hi', expect: [{ type: 'icontains', value: 'you asked' }] }] }));
    await fs.writeFile(path.join(root, '.assistants', 'helper.assistant-tests.yaml'), `${bom}version: 1\ntests:\n  - name: yaml\n    question: Hi\n    expect:\n      - type: icontains\n        value: you asked\n`);
    const code = await runCli(['--workspace', root], env(), out);
    const text = lines.join('\n');
    assert.equal(code, 0, text);
    assert.match(text, /✓ json/);
    assert.match(text, /✓ yaml/);
    assert.equal(lines.at(-1), '2 passed, 0 failed');
  });
});
