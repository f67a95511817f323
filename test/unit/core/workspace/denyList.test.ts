import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_DENY } from '../../../../src/core/workspace/confinement';
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
