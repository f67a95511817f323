import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Confinement, DEFAULT_DENY } from '../../../../src/core/workspace/confinement';
import { nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';

describe('Confinement: one gate for every workspace path', () => {
  let base: string;
  let root: string;
  let outside: string;
  let exclude: string[];
  const gate = (roots: () => string[], caseInsensitive = false, aliasNames = false) =>
    new Confinement(nodeWorkspaceFs, () => ({ roots: roots(), deny: DEFAULT_DENY, exclude }), caseInsensitive, aliasNames);

  beforeEach(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'confine-')));
    root = path.join(base, 'project');
    outside = path.join(base, 'elsewhere');
    fs.mkdirSync(path.join(root, 'src'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'a');
    fs.writeFileSync(path.join(outside, 'credentials'), 'secret');
    exclude = [];
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  const refused = async (confinement: Confinement, requested: string, pattern: RegExp) => {
    const result = await confinement.resolve(requested);
    assert.equal(result.ok, false, `${requested} was let through`);
    if (!result.ok) {
      assert.match(result.reason, pattern, `${requested}: ${result.reason}`);
      assert.ok(!result.reason.includes(base), `the reason names a local path: ${result.reason}`);
    }
  };

  it('lets plain relative paths in, with a display path relative to the folder', async () => {
    const result = await gate(() => [root]).resolve('./src/../src/a.ts');
    assert.deepEqual(result, { ok: true, absolute: path.join(root, 'src', 'a.ts'), root, display: 'src/a.ts' });
  });

  for (const requested of ['../elsewhere/credentials', 'src/../../elsewhere/credentials', '..', 'src/../..', '..\\elsewhere\\credentials', 'src\\..\\..\\x']) {
    it(`refuses ${requested} (.. leaving the folder)`, async () => {
      await refused(gate(() => [root]), requested, /outside the workspace/);
    });
  }

  for (const requested of ['%2e%2e/elsewhere/credentials', 'src%2F..%2F..%2Fx', '..%5c..%5cx', 'src/a.ts%00.png', '%2E%2E']) {
    it(`refuses the encoded path ${requested}`, async () => {
      await refused(gate(() => [root]), requested, /percent-encoded/);
    });
  }

  it('refuses absolute paths elsewhere, home paths, URIs and NUL bytes; accepts an absolute path inside', async () => {
    const confinement = gate(() => [root]);
    await refused(confinement, path.join(outside, 'credentials'), /outside the workspace/);
    await refused(confinement, '/etc/passwd', /outside the workspace/);
    await refused(confinement, '~/.ssh/id_rsa', /outside the workspace/);
    await refused(confinement, 'file:///etc/passwd', /URI/);
    await refused(confinement, 'src/a.ts\u0000', /NUL/);
    await refused(confinement, '   ', /No path/);
    const inside = await confinement.resolve(path.join(root, 'src', 'a.ts'));
    assert.ok(inside.ok && inside.display === 'src/a.ts');
  });

  it('refuses a sibling folder whose name starts with the root name', async () => {
    fs.mkdirSync(`${root}-evil`);
    await refused(gate(() => [root]), `${root}-evil/x`, /outside the workspace/);
    await refused(gate(() => [root]), '../project-evil/x', /outside the workspace/);
  });

  it('follows links inside the workspace and refuses links (file or folder) that leave it', async () => {
    fs.symlinkSync(path.join(root, 'src', 'a.ts'), path.join(root, 'alias.ts'));
    fs.symlinkSync(path.join(outside, 'credentials'), path.join(root, 'config.txt'));
    fs.symlinkSync(outside, path.join(root, 'linked-dir'));
    const confinement = gate(() => [root]);
    const alias = await confinement.resolve('alias.ts');
    assert.ok(alias.ok && alias.absolute === path.join(root, 'src', 'a.ts'));
    await refused(confinement, 'config.txt', /links to a place outside the workspace/);
    await refused(confinement, 'linked-dir/credentials', /links to a place outside the workspace/);
    await refused(confinement, 'linked-dir/not-there-yet.txt', /links to a place outside the workspace/);
  });

  it('works in a workspace opened through a link (as /tmp is on macOS): a missing file is missing, not "outside"', async () => {
    const linkedRoot = path.join(base, 'link-to-project');
    fs.symlinkSync(root, linkedRoot);
    const confinement = gate(() => [linkedRoot]);
    const missing = await confinement.resolve('src/missing.ts');
    assert.ok(missing.ok, JSON.stringify(missing));
    assert.equal(missing.display, 'src/missing.ts');
    const present = await confinement.resolve('src/a.ts');
    assert.ok(present.ok && present.display === 'src/a.ts');
    // The canonical spelling and the linked spelling of an absolute path both count as inside.
    assert.ok((await confinement.resolve(path.join(root, 'src', 'a.ts'))).ok);
    assert.ok((await confinement.resolve(path.join(linkedRoot, 'src', 'a.ts'))).ok);
    await refused(confinement, '../elsewhere/credentials', /outside the workspace/);
  });

  it('keeps secrets out: env files, keys, .git, token files, and links to them', async () => {
    const confinement = gate(() => [root]);
    for (const file of ['.env', '.env.local', 'config/.env.production', '.git/config', '.git', 'keys/server.pem', 'deploy/id_rsa', 'deploy/id_ed25519.pub', '.npmrc', 'sub/.pypirc', '.netrc', '.yarnrc.yml', 'cert.p12']) {
      await refused(confinement, file, /may hold secrets/);
    }
    // Token files of git, direnv, yarn 1, cargo, rubygems, kubectl, PostgreSQL, Vault, the GitHub CLI, Terraform, Java keystores.
    const tokenFiles = ['.git-credentials', '.envrc', 'sub/.yarnrc', '.cargo/credentials.toml', '.cargo/credentials', '.gem/credentials', '.kube/config', '.pgpass', '.vault-token', '.config/gh/hosts.yml', 'infra/terraform.tfstate', 'infra/terraform.tfstate.backup', 'android/release.keystore', 'app.jks'];
    for (const file of tokenFiles) {
      await refused(confinement, file, /may hold secrets/);
    }
    fs.writeFileSync(path.join(root, '.env'), 'TOKEN=1');
    fs.symlinkSync(path.join(root, '.env'), path.join(root, 'innocent.txt'));
    await refused(confinement, 'innocent.txt', /may hold secrets/);
    assert.ok((await confinement.resolve('src/environment.ts')).ok, 'a name merely containing env is fine');
  });

  it('is not fooled by case: .ENV, .Git/config, KEY.PEM', async () => {
    const confinement = gate(() => [root]);
    for (const file of ['.ENV', '.Env.Local', '.Git/config', '.GIT/HEAD', 'KEY.PEM', '.NPMRC']) await refused(confinement, file, /may hold secrets/);
  });

  for (const [requested, alias] of [
    ['keys/site.pem.', /a name ending in a dot or a space/],
    ['src /a.ts', /a name ending in a dot or a space/],
    ['keys\\site.pem. . ', /a name ending in a dot or a space/],
    ['keys/site.pem::$DATA', /a data stream/],
    ['.env-production:$DATA', /a data stream/],
    ['ENV-PR~1', /a short 8\.3 name/],
    ['config/CREDEN~1.JSO', /a short 8\.3 name/],
    ['KEYS~1/site.pem', /a short 8\.3 name/],
  ] as const) {
    it(`refuses ${JSON.stringify(requested)} where Windows reads it as another name of a file (no deny pattern matches it)`, async () => {
      await refused(gate(() => [root], true, true), requested, alias);
    });
  }

  it('takes plain names, dots inside names and .. where files have no other names, and on Windows', async () => {
    for (const aliasNames of [false, true]) {
      assert.equal((await gate(() => [root], aliasNames, aliasNames).resolve('./src/../src/a.ts')).ok, true);
      assert.equal((await gate(() => [root], aliasNames, aliasNames).resolve('src/a.test.ts')).ok, true);
    }
    assert.equal((await gate(() => [root]).resolve('src/notes.')).ok, true, 'a trailing dot is part of the name elsewhere');
  });

  it('compares folders without regard to case on case-insensitive file systems', async () => {
    const confinement = gate(() => [root], true);
    const upper = await confinement.resolve(path.join(root.toUpperCase(), 'SRC', 'A.TS'));
    assert.equal(upper.ok, true);
    const sensitive = await gate(() => [root], false).resolve(path.join(root.toUpperCase(), 'SRC', 'A.TS'));
    assert.equal(sensitive.ok, false);
  });

  it('honours files.exclude, for the path and for what is inside an excluded folder', async () => {
    exclude = ['**/dist', '**/*.log'];
    const confinement = gate(() => [root]);
    await refused(confinement, 'dist/bundle.js', /files\.exclude/);
    await refused(confinement, 'logs/run.log', /files\.exclude/);
    assert.ok((await confinement.resolve('src/a.ts')).ok);
  });

  it('ships the same deny list as the setting\'s default', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
    };
    assert.deepEqual(manifest.contributes.configuration.properties['assistants.functions.deny'].default, DEFAULT_DENY);
  });

  it('answers with a sentence when no folder is open', async () => {
    await refused(gate(() => []), 'a.ts', /No folder is open/);
  });

  it('starts a multi-root path at the folder it names', async () => {
    const second = path.join(base, 'docs');
    fs.mkdirSync(second);
    fs.writeFileSync(path.join(second, 'guide.md'), 'g');
    const confinement = gate(() => [root, second]);
    const result = await confinement.resolve('docs/guide.md');
    assert.ok(result.ok && result.absolute === path.join(second, 'guide.md') && result.display === 'docs/guide.md');
    const first = await confinement.resolve('src/a.ts');
    assert.ok(first.ok && first.display === 'project/src/a.ts');
  });
});
