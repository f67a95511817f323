import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import { Confinement, DEFAULT_DENY } from '../../../../src/core/workspace/confinement';
import { knowledgeCandidates, locateKnowledgeSource } from '../../../../src/core/knowledge/sources';

describe('the files Add to Knowledge offers in its picker', () => {
  let root: string;
  let confinement: Confinement;
  const write = (name: string, text = 'x') => {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  };
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pick-')));
    confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: [root], deny: DEFAULT_DENY, exclude: ['**/*.tmp'] }), false);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('leaves out every file Add would refuse: secrets, excluded and .gitignore-d files', async () => {
    for (const name of ['README.md', 'src/app.ts', '.env-local', 'config/.env.production', 'keys/server.pem', 'scratch.tmp', 'build/out.js', 'notes.log']) write(name);
    write('.gitignore', 'build/\n*.log\n');
    const { files, more } = await knowledgeCandidates(confinement, nodeWorkspaceFs, [root], { limit: 100 });
    assert.equal(more, false);
    assert.deepEqual(files.map((f) => f.display).sort(), ['.gitignore', 'README.md', 'src/app.ts']);
    // The one filter: each file offered is one Add takes, and each left out one it refuses.
    for (const name of ['README.md', 'src/app.ts', '.env-local', 'config/.env.production', 'keys/server.pem', 'scratch.tmp', 'build/out.js', 'notes.log']) {
      const taken = 'absolute' in (await locateKnowledgeSource(confinement, nodeWorkspaceFs, name));
      assert.equal(files.some((f) => f.display === name), taken, name);
    }
  });

  it('stops at its limit and says there are more', async () => {
    for (let i = 0; i < 5; i++) write(`doc${i}.md`);
    const { files, more } = await knowledgeCandidates(confinement, nodeWorkspaceFs, [root], { limit: 3 });
    assert.equal(files.length, 3);
    assert.equal(more, true);
  });
});
