import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, until } from './extensionApi';

const TESTS = {
  version: 1,
  assistant: 'workspace-helper.assistant.json',
  tests: [
    { name: 'Echoes the question', question: 'What does restock do?', repeat: 2, expect: [{ type: 'contains', value: 'You asked: *What does restock do?*' }] },
    { name: 'Says goodbye', question: 'Hello there', expect: [{ type: 'contains', value: 'Goodbye' }] },
    { name: 'Reads the file', question: 'read the file src/inventory.ts', expect: [{ type: 'function-call', name: 'read_file', arguments: { path: 'src/inventory.ts' } }, { type: 'contains', value: 'LOW_STOCK_THRESHOLD' }] },
  ],
};

describe('assistant tests in the Testing API (inside VS Code, against the fake server)', () => {
  before(function () {
    if (!process.env.OPENAI_BASE_URL) this.skip();
  });

  it('lists a test file and its cases in the tree, and runs them: a pass, a failure with its diff, a read of the workspace', async () => {
    const { assistantTests } = await api();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    const uri = vscode.Uri.joinPath(folder.uri, '.assistants', 'integration.assistant-tests.json');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(TESTS, null, 2)));
    try {
      await assistantTests.discover();
      const file = await until(() => {
        const item = assistantTests.controller.items.get(uri.toString());
        return item && item.children.size === 3 ? item : undefined;
      }, 'the test file in the tree');
      assert.equal(file.label, 'integration.assistant-tests.json');
      const cases: vscode.TestItem[] = [];
      file.children.forEach((item) => cases.push(item));
      assert.deepEqual(cases.map((item) => item.label), ['Echoes the question', 'Says goodbye', 'Reads the file']);
      assert.ok(cases.every((item) => item.range && item.range.start.line > 0), 'each case sits at the line of its question');

      const outcomes = await assistantTests.run([file]);
      assert.equal(outcomes.get(cases[0].id)?.state, 'passed', outcomes.get(cases[0].id)?.message);
      const failed = outcomes.get(cases[1].id);
      assert.equal(failed?.state, 'failed');
      assert.match(failed?.message ?? '', /The answer does not contain "Goodbye"\.\nexpected: Goodbye\nactual: ## Answer/);
      assert.ok((failed?.duration ?? -1) >= 0, 'a duration is reported');
      assert.equal(outcomes.get(cases[2].id)?.state, 'passed', outcomes.get(cases[2].id)?.message);

      // One case alone runs only that case.
      const one = await assistantTests.run([cases[1]]);
      assert.deepEqual([...one.keys()], [cases[1].id]);

    } finally {
      await vscode.workspace.fs.delete(uri);
    }
  });

  it('Cancel stops a run in flight: the slow answer (8 s) is not waited for and nothing is reported passed', async () => {
    const { assistantTests } = await api();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const uri = vscode.Uri.joinPath(folder.uri, '.assistants', 'slow.assistant-tests.json');
    const slow = { version: 1, assistant: 'workspace-helper.assistant.json', tests: [{ question: 'give me a slow answer', repeat: 3, expect: [{ type: 'contains', value: 'Sentence 20' }] }] };
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(slow)));
    try {
      await assistantTests.discover();
      const item = await until(() => assistantTests.controller.items.get(uri.toString()), 'the slow file in the tree');
      const source = new vscode.CancellationTokenSource();
      const started = Date.now();
      setTimeout(() => source.cancel(), 1_000);
      const outcomes = await assistantTests.run([item], source.token);
      assert.ok(Date.now() - started < 5_000, `the run ended ${Date.now() - started} ms after it started`);
      assert.equal([...outcomes.values()].filter((o) => o.state === 'passed').length, 0);
    } finally {
      await vscode.workspace.fs.delete(uri);
    }
  });

  it('shows a file that is not valid with its problem, and runs nothing', async () => {
    const { assistantTests } = await api();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const uri = vscode.Uri.joinPath(folder.uri, '.assistants', 'broken.assistant-tests.yaml');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('version: 1\ntests:\n  - expect: []\n'));
    try {
      await assistantTests.discover();
      const item = await until(() => assistantTests.controller.items.get(uri.toString()), 'the broken file in the tree');
      assert.match(String(item.error), /question/);
      const outcomes = await assistantTests.run([item]);
      assert.equal(outcomes.get(item.id)?.state, 'errored');
    } finally {
      await vscode.workspace.fs.delete(uri);
    }
  });
});
