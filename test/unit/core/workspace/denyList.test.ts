import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Confinement, DEFAULT_DENY } from '../../../../src/core/workspace/confinement';
import { GLOB_LIST_MAX_PATTERNS } from '../../../../src/core/workspace/glob';
import { locateKnowledgeSource } from '../../../../src/core/knowledge/sources';
import type { SkipReason } from '../../../../src/core/workspace/walk';
import { walkFiles } from '../../../../src/core/workspace/walk';
import { nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import type { FunctionFixture } from '../functions/fixture';
import { functionFixture } from '../functions/fixture';

/** Files docs/security.md says are kept from the assistant, one or more per kind. */
const SECRETS = [
  '.env',
  '.env.local',
  '.env-production',
  '.env_local',
  'config/.env-dev',
  'deploy/prod.env',
  'keys/server.pem',
  'keys/server.key',
  'keys/putty.ppk',
  'keys/AuthKey_ABC.p8',
  'deploy/id_rsa',
  'home/id_ed25519_sk',
  'home/id_work',
  '.gnupg/private-keys-v1.d/x.key',
  '.gnupg/pubring.kbx',
  '.ssh/config',
  '.vault-token',
  'ci/.npm-token',
  'api.token',
  'gcp/token.json',
  'gcp/credentials.json',
  'gcp/client_secret_123.json',
  '.npmrc',
  'infra/terraform.tfstate',
];

describe('the deny list: one list for read, list, search, attach, knowledge and edit', () => {
  let ws: FunctionFixture;
  beforeEach(() => {
    ws = functionFixture();
    for (const file of SECRETS) ws.write(file, 'SECRET_VALUE=hunter2\n');
    ws.write('src/environment.ts', 'export const env = "SECRET_VALUE is read from the environment";\n');
    ws.write('src/identity.ts', 'export const id = 1;\n');
  });
  afterEach(() => ws.dispose());

  it('read_file refuses every kind, at any depth and in any case', async () => {
    for (const file of [...SECRETS, 'CONFIG/.ENV-DEV', 'Keys/Server.PEM']) {
      const output = await ws.call('read_file', { path: file });
      assert.match(output, /may hold secrets/, file);
      assert.doesNotMatch(output, /hunter2/, file);
    }
    assert.match(await ws.call('read_file', { path: 'src/environment.ts' }), /SECRET_VALUE is read/, 'a name merely containing env is read');
  });

  it('list_files and search_text never show them', async () => {
    const listed = (await ws.call('list_files', {})).split('\n');
    assert.deepEqual(listed, ['src/environment.ts', 'src/identity.ts']);
    const found = await ws.call('search_text', { query: 'SECRET_VALUE' });
    assert.deepEqual(found.split('\n').map((line) => line.split(':')[0]), ['src/environment.ts']);
    assert.doesNotMatch(found, /hunter2/);
  });

  it('propose_edit refuses to write them, or to create one', async () => {
    ws.policies.propose_edit = 'allow';
    ws.decide = (proposed) => ({ applied: true, text: proposed });
    for (const file of ['.env-production', 'config/.env_local', 'keys/new.pem', '.gnupg/gpg.conf', 'new/id_deploy']) {
      assert.match(await ws.call('propose_edit', { path: file, content: 'x' }), /may hold secrets/, file);
    }
    assert.equal(ws.proposals.length, 0);
    assert.equal(fs.readFileSync(path.join(ws.root, '.env-production'), 'utf8'), 'SECRET_VALUE=hunter2\n');
  });

  it('a folder picked for Attach or Add to Knowledge leaves them out, counted as hidden', async () => {
    const start = await ws.confinement.resolve('.');
    assert.ok(start.ok);
    const skipped: Array<[string, SkipReason]> = [];
    const taken: string[] = [];
    for await (const file of walkFiles(nodeWorkspaceFs, ws.confinement, start, { onSkip: (display, reason) => skipped.push([display, reason]) })) taken.push(file.display);
    assert.deepEqual(taken, ['src/environment.ts', 'src/identity.ts']);
    assert.ok(skipped.every(([, reason]) => reason === 'hidden'));
    // Picked one by one (the Explorer's multi-select, a knowledge file's path on Sync), each is refused too.
    for (const file of SECRETS) assert.equal((await ws.confinement.resolve(path.join(ws.root, file))).ok, false, file);
  });

  it('the security page says what the list refuses: every glob of the default list is named in its deny list', () => {
    const page = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'docs', 'security.md'), 'utf8');
    const start = page.indexOf('**Secrets, one deny list**');
    const denyList = page.slice(start, page.indexOf('\n- **', start));
    assert.ok(start >= 0 && denyList.length > 100, 'docs/security.md has the deny list');
    for (const glob of DEFAULT_DENY) assert.ok(denyList.includes(`\`${glob.replace(/^\*\*\//, '')}\``), `${glob} is not named in the deny list of docs/security.md`);
  });
});

describe('a deny list that cannot be used in full fails closed', () => {
  let ws: FunctionFixture;
  beforeEach(() => {
    ws = functionFixture();
    ws.write('.env', 'SECRET_VALUE=hunter2\n');
    ws.write('vault/prod.secret', 'SECRET_VALUE=hunter2\n');
    ws.write('src/identity.ts', 'export const id = 1;\n');
  });
  afterEach(() => ws.dispose());

  const broken: Array<[string, () => unknown[], RegExp]> = [
    ['an entry that is an object, not a glob in quotes', () => [...DEFAULT_DENY, { glob: '**/*.secret' }], /\{"glob":"\*\*\/\*\.secret"\} is not a glob in quotes; correct or remove that pattern/],
    ['an entry that is a number', () => [...DEFAULT_DENY, 42, '**/*.secret'], /fix assistants\.functions\.deny: 42 is not a glob in quotes/],
    ['a glob with a space at its end (it would match no file)', () => [...DEFAULT_DENY, '**/*.secret '], /fix assistants\.functions\.deny: "\*\*\/\*\.secret " has white space at its start or end; correct or remove that pattern/],
    ['a glob with a line break at its end', () => [...DEFAULT_DENY, '**/*.secret\n'], /"\*\*\/\*\.secret\\n" has white space at its start or end/],
    ['an empty entry', () => [...DEFAULT_DENY, '', '**/*.secret'], /fix assistants\.functions\.deny: "" is empty; correct or remove that pattern/],
    ['a glob RE2 cannot compile, holding a line separator and a direction override', () => [...DEFAULT_DENY, '**/[z-a]\u2028\u202e.secret', '**/*.secret'], /"\*\*\/\[z-a\]\\u2028\\u202e\.secret" is not a valid glob/],
    ['600 patterns (past the limit of 500)', () => [...DEFAULT_DENY, ...Array.from({ length: 600 }, (_, i) => `**/generated${i}.secret`), '**/*.secret'], /"\*\*\/generated\d+\.secret" \(and \d+ more patterns\) is past the list's limit of 500 patterns.*shorten the list to at most 500 patterns/],
    ['a glob RE2 cannot compile', () => [...DEFAULT_DENY, '**/[z-a].secret', '**/*.secret'], /"\*\*\/\[z-a\]\.secret" is not a valid glob \(.*invalid character class range.*\); correct or remove that pattern/],
    ['a glob too long', () => [...DEFAULT_DENY, `**/${'s'.repeat(1_200)}`, '**/*.secret'], /"\*\*\/s{77}…" cannot be used: the glob has 1203 characters/],
    ['a glob whose braces expand too far (cut in files.exclude)', () => [...DEFAULT_DENY, '**/{1..100000}.secret', '**/*.secret'], /"\*\*\/\{1\.\.100000\}\.secret" cannot be used: the glob's braces expand to more than 256 patterns/],
    ['a glob whose expansions make too large an expression', () => [...DEFAULT_DENY, `**/${'{a,b}'.repeat(8)}${'?'.repeat(900)}.secret`, '**/*.secret'], /cannot be used: the glob is too large: its 256 brace expansions make [\d,]+ characters of expression, and at most 8,000 are accepted.*; correct or remove that pattern/],
    ['globs making too large an expression together', () => [...DEFAULT_DENY, ...Array.from({ length: 40 }, (_, i) => `**/${'?'.repeat(900)}${i}.secret`), '**/*.secret'], /\(and \d+ more patterns\) is past the list's limit of 16,000 characters of expression \(its globs translated, together\); shorten the list or its longest patterns/],
  ];
  for (const [label, deny, names] of broken) {
    it(`${label}: every function, Attach and Knowledge refuse, naming the pattern and the fix`, async () => {
      ws.deny = deny();
      ws.policies.propose_edit = 'allow';
      for (const file of ['src/identity.ts', 'vault/prod.secret', '.env']) {
        const output = await ws.call('read_file', { path: file });
        assert.match(output, /no workspace file is read while part of assistants\.functions\.deny cannot be used/, file);
        assert.match(output, /fix assistants\.functions\.deny: /, file);
        assert.match(output, names, file);
        assert.doesNotMatch(output, /[\n\r\u2028\u2029\u202a-\u202e]/, `${file}: the sentence reads on one line, in its own order`);
        assert.doesNotMatch(output, /hunter2|id = 1/, file);
      }
      for (const [name, args] of [['list_files', {}], ['search_text', { query: 'SECRET_VALUE' }], ['propose_edit', { path: 'src/new.ts', content: 'x' }]] as const) {
        const output = await ws.call(name, args);
        assert.match(output, /fix assistants\.functions\.deny: /, `${name}: ${output}`);
        assert.doesNotMatch(output, /hunter2|identity/, name);
      }
      // Attach and Add to Knowledge: the picked path is refused with the sentence's clause, which their summaries show.
      const picked = await ws.confinement.resolve(path.join(ws.root, 'src/identity.ts'));
      assert.equal(picked.ok, false);
      assert.match(!picked.ok ? picked.about ?? '' : '', /^is not read while part of assistants\.functions\.deny cannot be used; fix assistants\.functions\.deny: /);
      const located = await locateKnowledgeSource(ws.confinement, nodeWorkspaceFs, 'vault/prod.secret');
      assert.match('refused' in located ? located.refused : '', names);
      assert.equal(ws.confinement.hidden('src/identity.ts'), true, 'walkers skip everything');
    });
  }

  it('a list in full use keeps working: its own patterns deny, the rest is read, and fixing the list lifts the refusal', async () => {
    ws.deny = [...DEFAULT_DENY, '**/*.secret', ...Array.from({ length: 400 }, (_, i) => `**/generated${i}.secret`)];
    assert.match(await ws.call('read_file', { path: 'vault/prod.secret' }), /may hold secrets.*\*\*\/\*\.secret/);
    assert.match(await ws.call('read_file', { path: 'src/identity.ts' }), /id = 1/);
    ws.deny = [...DEFAULT_DENY, '**/[z-a].secret'];
    assert.match(await ws.call('read_file', { path: 'src/identity.ts' }), /fix assistants\.functions\.deny/);
    ws.deny = [...DEFAULT_DENY];
    assert.match(await ws.call('read_file', { path: 'src/identity.ts' }), /id = 1/);
    assert.match(await ws.call('read_file', { path: '.env' }), /may hold secrets/);
  });

  it('files.exclude keeps the globs it can use, and tells which it left out', async () => {
    const told: string[][] = [];
    const confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: [ws.root], deny: DEFAULT_DENY, exclude: ['**/[z-a]', 'vault', ...Array.from({ length: 600 }, (_, i) => `**/x${i}`)] }), false, false, (unusable) => told.push(unusable.map((u) => u.pattern)));
    assert.equal((await confinement.resolve('src/identity.ts')).ok, true);
    assert.match(await confinement.resolve('vault/prod.secret').then((r) => (r.ok ? '' : r.reason)), /hidden by the files\.exclude setting \(vault\)/);
    assert.equal((await confinement.resolve('x599')).ok, true, 'past the limit: left out');
    assert.equal(told.length, 1, 'told once per list');
    assert.equal(told[0][0], '**/[z-a]');
    assert.equal(told[0].length, 1 + 600 - (GLOB_LIST_MAX_PATTERNS - 1));
  });
});
