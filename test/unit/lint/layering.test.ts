import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const RULE = '@typescript-eslint/no-restricted-imports';

async function ruleHits(code: string, file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('layering lint rule', function () {
  this.timeout(30_000);

  it('fails a runtime vscode import under src/core', async () => {
    const hits = await ruleHits("import * as vscode from 'vscode';\nexport const uri = vscode.Uri;\n", 'src/core/fixture.ts');
    assert.equal(hits.length, 1);
    assert.match(hits[0], /import vscode types only/);
  });

  it('fails it under src/backends too', async () => {
    const hits = await ruleHits("import { window } from 'vscode';\nexport const w = window;\n", 'src/backends/fixture.ts');
    assert.equal(hits.length, 1);
  });

  it('allows a type-only vscode import under src/core', async () => {
    const hits = await ruleHits("import type * as vscode from 'vscode';\nexport type U = vscode.Uri;\n", 'src/core/fixture.ts');
    assert.deepEqual(hits, []);
  });

  it('allows vscode in the host', async () => {
    const hits = await ruleHits("import * as vscode from 'vscode';\nexport const uri = vscode.Uri;\n", 'src/host/fixture.ts');
    assert.deepEqual(hits, []);
  });

  it('keeps host code out of the webview', async () => {
    const hits = await ruleHits("import { ChatSession } from '../src/core/chatSession';\nexport const c = ChatSession;\n", 'webview/fixture.ts');
    assert.equal(hits.length, 1);
  });
});
