import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, EDIT_LIMIT_CHARS } from '../../../../src/core/functions/proposeEdit';
import type { FunctionFixture } from './fixture';
import { functionFixture } from './fixture';

describe('propose_edit', () => {
  let ws: FunctionFixture;
  const read = (relative: string) => fs.readFileSync(path.join(ws.root, relative), 'utf8');
  beforeEach(() => {
    ws = functionFixture();
    ws.write('src/a.ts', 'const a = 1;\nconst b = 2;\n');
    ws.policies.propose_edit = 'allow';
  });
  afterEach(() => ws.dispose());

  it('asks for approval by default, and a denial shows nothing and writes nothing', async () => {
    delete ws.policies.propose_edit;
    ws.answers.push('deny');
    const output = await ws.call('propose_edit', { path: 'src/a.ts', edits: [{ oldText: 'const a = 1;', newText: 'const a = 10;' }] });
    assert.match(output, /denied/);
    assert.equal(ws.asked[0].writes, true);
    assert.equal(ws.proposals.length, 0);
    assert.equal(read('src/a.ts'), 'const a = 1;\nconst b = 2;\n');
  });

  it('shows the proposal and writes nothing when the user discards it', async () => {
    const output = await ws.call('propose_edit', { path: 'src/a.ts', edits: [{ oldText: 'const a = 1;', newText: 'const a = 10;' }] });
    assert.equal(output, 'The user discarded the proposed edit; src/a.ts is unchanged.');
    assert.deepEqual(ws.proposals, [{ display: 'src/a.ts', original: 'const a = 1;\nconst b = 2;\n', proposed: 'const a = 10;\nconst b = 2;\n' }]);
    assert.equal(read('src/a.ts'), 'const a = 1;\nconst b = 2;\n');
  });

  it('writes what the user accepts: all of it, or their trimmed version, and tells the model which', async () => {
    ws.decide = (proposed) => ({ applied: true, text: proposed });
    const edits = [
      { oldText: 'const a = 1;', newText: 'const a = 10;' },
      { oldText: 'const b = 2;', newText: 'const b = 20;' },
    ];
    assert.equal(await ws.call('propose_edit', { path: 'src/a.ts', edits }), 'The user applied the edit to src/a.ts.');
    assert.equal(read('src/a.ts'), 'const a = 10;\nconst b = 20;\n');
    ws.decide = () => ({ applied: true, text: 'const a = 100;\nconst b = 20;\n' });
    const partial = await ws.call('propose_edit', { path: 'src/a.ts', edits: [{ oldText: 'const a = 10;\nconst b = 20;', newText: 'const a = 100;\nconst b = 200;' }] });
    assert.match(partial, /with changes of their own/);
    assert.equal(read('src/a.ts'), 'const a = 100;\nconst b = 20;\n');
  });

  it('creates a new file from content, inside the workspace only', async () => {
    ws.decide = (proposed) => ({ applied: true, text: proposed });
    assert.equal(await ws.call('propose_edit', { path: 'docs/new.md', content: '# New\n' }), 'The user applied the edit to docs/new.md.');
    assert.equal(read('docs/new.md'), '# New\n');
    assert.match(await ws.call('propose_edit', { path: '../evil.sh', content: 'x' }), /outside the workspace/);
    assert.match(await ws.call('propose_edit', { path: '.env', content: 'TOKEN=x' }), /may hold secrets/);
    assert.equal(ws.proposals.length, 1);
  });

  it('refuses unusable proposals with a reason the model can act on', async () => {
    assert.match(await ws.call('propose_edit', { path: 'src/a.ts', edits: [{ oldText: 'nope', newText: 'x' }] }), /does not occur/);
    assert.match(await ws.call('propose_edit', { path: 'src/a.ts', edits: [{ oldText: 'const', newText: 'let' }] }), /more than once/);
    assert.match(await ws.call('propose_edit', { path: 'src/a.ts' }), /either edits or content/);
    assert.match(await ws.call('propose_edit', { path: 'missing.ts', edits: [{ oldText: 'a', newText: 'b' }] }), /does not exist; give content/);
    ws.write('img.png', new Uint8Array([1, 0, 2]));
    assert.match(await ws.call('propose_edit', { path: 'img.png', content: 'x' }), /binary/);
    assert.match(await ws.call('propose_edit', { path: 'src/a.ts', content: 'const a = 1;\nconst b = 2;\n' }), /unchanged; nothing was shown/);
    assert.equal(ws.proposals.length, 0);
  });

  for (const [label, args] of [
    ['a new file of 50 MB', { path: 'big.txt', content: 'x'.repeat(50_000_000) }],
    ['a rewrite one character over the limit', { path: 'src/a.ts', content: 'y'.repeat(EDIT_LIMIT_CHARS + 1) }],
    ['an edit whose replacement is 3 MB', { path: 'src/a.ts', edits: [{ oldText: 'const b', newText: `const b${'z'.repeat(3_000_000)}` }] }],
    ['100 edits of 30 kB each on one another', { path: 'src/a.ts', edits: Array.from({ length: 100 }, () => ({ oldText: 'const b', newText: `${'w'.repeat(30_000)}const b` })) }],
  ] as const) {
    it(`refuses ${label} before anything is shown, saying how much a proposal may hold`, async () => {
      assert.match(await ws.call('propose_edit', args), /has \d+ characters, more than a proposal may hold \(2000000\); propose a smaller file, or change it in smaller steps\./);
      assert.equal(ws.proposals.length, 0);
      assert.equal(read('src/a.ts'), 'const a = 1;\nconst b = 2;\n');
    });
  }

  it('applies edits in order, each on the result of the last', async () => {
    assert.equal(await applyEdits('abc', [{ oldText: 'b', newText: 'bb' }, { oldText: 'bbc', newText: 'X' }]), 'aX');
  });
});
