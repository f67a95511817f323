import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { skipSummary } from '../../../../src/core/attachments/skipSummary';
import { nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import { Confinement, DEFAULT_DENY } from '../../../../src/core/workspace/confinement';

describe('the summary of files left out of an attach or a knowledge add', () => {
  let base: string;
  beforeEach(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skips-')));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('names a file the deny list refuses by its path, in one clause without nested brackets or the absolute path', async () => {
    const confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: [base], deny: DEFAULT_DENY, exclude: ['**/*.log'] }), false);
    const skipped = [];
    for (const name of ['.env-local', 'config/.env.production', 'build.log']) {
      fs.mkdirSync(path.dirname(path.join(base, name)), { recursive: true });
      fs.writeFileSync(path.join(base, name), 'TOKEN=1');
      // The Explorer gives absolute paths: the reason must not speak of "the absolute path ending in".
      const result = await confinement.resolve(path.join(base, name));
      assert.equal(result.ok, false, name);
      if (!result.ok) skipped.push({ display: name, reason: result.about ?? result.reason });
    }
    assert.equal(skipSummary(skipped.slice(0, 1)), 'skipped 1: .env-local may hold secrets (assistants.functions.deny)');
    const all = skipSummary(skipped);
    assert.equal(all, 'skipped 3: .env-local and config/.env.production may hold secrets (assistants.functions.deny); build.log is hidden by files.exclude');
    assert.doesNotMatch(all, /\([^)]*\(|absolute path|\.;|\.\)/, 'no nested brackets, no stray full stops');
  });

  it('groups many files of one reason under a few names and a count, with the verb agreeing', () => {
    const ignored = ['a.js', 'b.js', 'c.js', 'd.js', 'e.js'].map((display) => ({ display, reason: 'is ignored by .gitignore' }));
    assert.equal(skipSummary(ignored), 'skipped 5: a.js, b.js, c.js and 2 more are ignored by .gitignore');
    assert.equal(skipSummary([{ display: 'x', reason: 'links to a folder.' }, { display: 'y', reason: 'links to a folder' }]), 'skipped 2: x and y link to a folder');
    assert.equal(skipSummary([]), '');
  });

  it('names files a repository named with a line break or a direction override on one line', async () => {
    const confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: [base], deny: DEFAULT_DENY, exclude: [] }), false);
    const skipped = [];
    for (const name of ['.env\n[info] Attached 1 file.', 'id_\u202Etxt.pem', 'keys/\u2067a\u2069.key']) {
      fs.mkdirSync(path.dirname(path.join(base, name)), { recursive: true });
      fs.writeFileSync(path.join(base, name), 'secret');
      const result = await confinement.admit(path.join(base, name));
      assert.equal(result.ok, false);
      if (!result.ok) skipped.push({ display: path.relative(base, path.join(base, name)), reason: result.about ?? result.reason });
    }
    const summary = skipSummary(skipped);
    assert.equal(summary, 'skipped 3: .env [info] Attached 1 file., id_ txt.pem and keys/ a .key may hold secrets (assistants.functions.deny)');
  });
});
