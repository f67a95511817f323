import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, until } from './extensionApi';
import type { AddKnowledgeResult } from '../../src/host/knowledge/knowledge';
import type { KnowledgeReport } from '../../src/core/knowledge/sync';

function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri;
}

/** The fake server, asked directly: what the vector store really holds. */
async function server<T>(method: string, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${process.env.OPENAI_BASE_URL}${path}`, { method, headers: { authorization: `Bearer ${process.env.OPENAI_API_KEY}` } });
  return { status: response.status, body: (await response.json()) as T };
}

type WireFile = { id: string; status: string; attributes: Record<string, string> };

const write = (relative: string, text: string) => vscode.workspace.fs.writeFile(vscode.Uri.joinPath(root(), relative), new TextEncoder().encode(text));

describe('assistant knowledge (inside VS Code)', () => {
  let watching: vscode.Disposable | undefined;
  before(function () {
    if (!process.env.OPENAI_BASE_URL) this.skip();
  });
  afterEach(() => watching?.dispose());

  it('Add to Knowledge on a folder, the view, Sync after an edit and a delete, Remove from Knowledge', async () => {
    const assistants = await api();
    await write('handbook/intro.md', '# Handbook\nRestock when stock is low.\n');
    await write('handbook/widget.tsx', 'export const Widget = () => null;\n');
    await write('handbook/empty.md', '');
    await write('handbook/broken.pdf', 'not a PDF at all\n');
    await write('handbook/build.log', 'noise\n');
    await write('handbook/.gitignore', '*.log\n');
    const folder = vscode.Uri.joinPath(root(), 'handbook');
    // Every change to knowledge tells the Knowledge view to draw itself again.
    let redraws = 0;
    watching = assistants.onDidChangeKnowledge(() => redraws++);
    const redrawn = async (change: () => Thenable<unknown>, what: string) => {
      const before = redraws;
      const result = await change();
      assert.ok(redraws > before, `the Knowledge view is refreshed after ${what}`);
      return result;
    };

    const added = (await redrawn(() => vscode.commands.executeCommand<AddKnowledgeResult>('assistants.addToKnowledge', folder, [folder]), 'an add')) as AddKnowledgeResult;
    assert.deepEqual(added.added.sort(), ['handbook/.gitignore', 'handbook/broken.pdf', 'handbook/intro.md', 'handbook/widget.tsx']);
    assert.deepEqual(added.skipped.map((s) => [s.path, s.reason]), [['handbook/build.log', 'is ignored by .gitignore']]);
    assert.deepEqual(added.refused.map((r) => r.path), ['handbook/empty.md']);
    assert.match(added.refused[0].reason, /empty/);

    // The store is recorded in the active assistant's file, with file search.
    const active = (await assistants.assistants()).find((a) => a.active);
    assert.ok(active?.file, 'the active assistant is a file');
    const file = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(active.file)))) as { tools: { type: string }[]; tool_resources?: { file_search?: { vector_store_ids: string[] } } };
    const vectorStoreId = file.tool_resources?.file_search?.vector_store_ids[0];
    assert.ok(vectorStoreId, 'the vector store is written into the assistant file');
    assert.ok(file.tools.some((t) => t.type === 'file_search'));
    const listed = async () => (await server<{ data: WireFile[] }>('GET', `/vector_stores/${vectorStoreId}/files?limit=100`)).body.data;
    const byPath = async () => new Map((await listed()).map((f) => [f.attributes.workspace_path, f]));
    assert.deepEqual([...(await byPath()).keys()].sort(), ['handbook/.gitignore', 'handbook/broken.pdf', 'handbook/intro.md', 'handbook/widget.tsx']);
    const widget = (await byPath()).get('handbook/widget.tsx');
    assert.equal((await server<{ filename: string }>('GET', `/files/${widget?.id}`)).body.filename, 'widget.tsx.txt');

    // The Knowledge view lists the store and its files with their status, a failure with its reason; indexing ends on its own.
    const items = await until(async () => {
      const all = await assistants.knowledgeItems();
      return all.length === 5 && all.every((i) => i.description !== 'indexing…') ? all : undefined;
    }, 'the files to be indexed');
    assert.equal(items[0].contextValue, 'knowledgeStore');
    assert.match(items[0].description ?? '', /^4 files, 1 failed/);
    assert.deepEqual(items.slice(1).map((i) => [i.label, i.description]), [
      ['handbook/.gitignore', 'ready'],
      ['handbook/broken.pdf', 'failed: The file could not be parsed as a PDF.'],
      ['handbook/intro.md', 'ready'],
      ['handbook/widget.tsx', 'ready'],
    ]);

    // Nothing changed: nothing uploaded, and the failed PDF is not tried again; it stays failed, with its reason and a Retry.
    const failedId = (await byPath()).get('handbook/broken.pdf')?.id;
    const quiet = (await redrawn(() => vscode.commands.executeCommand<KnowledgeReport>('assistants.syncKnowledge'), 'a sync')) as KnowledgeReport;
    assert.deepEqual([quiet.unchanged.length, quiet.retried, quiet.failed, quiet.uploadedBytes, quiet.replaced, quiet.removed], [3, [], [{ path: 'handbook/broken.pdf', reason: 'The file could not be parsed as a PDF.' }], 0, [], []]);
    assert.equal((await byPath()).get('handbook/broken.pdf')?.id, failedId, 'the failed copy is left as it is');
    const broken = (await assistants.knowledgeItems()).find((i) => i.label === 'handbook/broken.pdf');
    assert.equal(broken?.contextValue, 'knowledgeFile.source.failed', 'the failed file offers Retry Indexing');
    // Retry Indexing on it: the same file is added again (nothing uploaded), and indexing fails again with the same reason.
    const retried = (await redrawn(() => vscode.commands.executeCommand<KnowledgeReport>('assistants.retryKnowledgeFile', broken?.node), 'a retry')) as KnowledgeReport;
    assert.deepEqual([retried.retried, retried.uploadedBytes], [['handbook/broken.pdf'], 0]);
    await until(async () => ((await assistants.knowledgeItems()).find((i) => i.label === 'handbook/broken.pdf')?.description === 'failed: The file could not be parsed as a PDF.' ? true : undefined), 'the retried file to fail again');
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(root(), 'handbook', 'broken.pdf'));
    await vscode.commands.executeCommand('assistants.syncKnowledge', { removeDeleted: true });

    // An edit and a delete: the edited file is replaced (its old file gone), the deleted one removed.
    const oldIntro = (await byPath()).get('handbook/intro.md')?.id;
    await write('handbook/intro.md', '# Handbook\nRestock when stock is at 3 or below.\n');
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(root(), 'handbook', 'widget.tsx'));
    const synced = await vscode.commands.executeCommand<KnowledgeReport>('assistants.syncKnowledge', { removeDeleted: true });
    assert.deepEqual([synced.replaced, synced.removed, synced.unchanged], [['handbook/intro.md'], ['handbook/widget.tsx'], ['handbook/.gitignore']]);
    assert.ok(synced.uploadedBytes > 0);
    assert.equal((await server('GET', `/files/${oldIntro}`)).status, 404, 'the old copy is deleted');
    const after = await byPath();
    assert.deepEqual([...after.keys()].sort(), ['handbook/.gitignore', 'handbook/intro.md']);
    assert.notEqual(after.get('handbook/intro.md')?.id, oldIntro);

    // Remove from Knowledge on a file of the view.
    const gitignore = (await assistants.knowledgeItems()).find((i) => i.label === 'handbook/.gitignore');
    assert.ok(gitignore);
    await redrawn(() => vscode.commands.executeCommand('assistants.removeFromKnowledge', gitignore.node), 'a removal');
    assert.deepEqual([...(await byPath()).keys()], ['handbook/intro.md']);
    assert.deepEqual((await assistants.knowledgeItems()).slice(1).map((i) => i.label), ['handbook/intro.md']);

    // Open Source File opens the workspace file behind a knowledge file.
    const intro = (await assistants.knowledgeItems()).find((i) => i.label === 'handbook/intro.md');
    await vscode.commands.executeCommand('assistants.openKnowledgeSource', intro?.node);
    assert.equal(vscode.window.activeTextEditor?.document.uri.path, vscode.Uri.joinPath(root(), 'handbook', 'intro.md').path);

    // Files someone else put in the store, naming workspace files nobody chose (one of them gitignored, one the user's own path):
    // Sync sends none of them and deletes nothing; the view says they were added elsewhere.
    await write('handbook/private.md', 'not for the assistant\n');
    await write('handbook/debug.log', 'token=abc\n');
    const planted: string[] = [];
    for (const path of ['handbook/private.md', 'handbook/debug.log', 'handbook/intro.md', 'handbook/vanished.md']) {
      const form = new FormData();
      form.append('purpose', 'assistants');
      form.append('file', new Blob(['planted\n']), 'planted.md');
      const uploaded = (await (await fetch(`${process.env.OPENAI_BASE_URL}/files`, { method: 'POST', headers: { authorization: `Bearer ${process.env.OPENAI_API_KEY}` }, body: form })).json()) as { id: string };
      const attributes = { workspace_path: path, sha256: '0'.repeat(64), assistants_mark: 'f'.repeat(32) };
      const added = await fetch(`${process.env.OPENAI_BASE_URL}/vector_stores/${vectorStoreId}/file_batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${process.env.OPENAI_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ files: [{ file_id: uploaded.id, attributes }] }),
      });
      assert.equal(added.status, 200);
      planted.push(uploaded.id);
    }
    const leftAlone = await vscode.commands.executeCommand<KnowledgeReport>('assistants.syncKnowledge', { removeDeleted: true });
    assert.deepEqual([leftAlone.leftAlone.sort(), leftAlone.uploadedBytes, leftAlone.added, leftAlone.replaced, leftAlone.removed], [
      ['handbook/debug.log', 'handbook/intro.md', 'handbook/private.md', 'handbook/vanished.md'],
      0,
      [],
      [],
      [],
    ]);
    for (const id of planted) assert.equal((await server('GET', `/files/${id}`)).status, 200, 'their files are not deleted');
    const shown = await until(async () => {
      const all = await assistants.knowledgeItems();
      return all.length === 6 && all.every((i) => !String(i.description).startsWith('indexing')) ? all : undefined;
    }, 'the planted files to be listed');
    const foreign = shown.filter((i) => String(i.description).endsWith('added elsewhere'));
    assert.deepEqual(foreign.map((i) => [i.label, i.contextValue]), [
      ['handbook/debug.log', 'knowledgeFile'],
      ['handbook/intro.md', 'knowledgeFile'],
      ['handbook/private.md', 'knowledgeFile'],
      ['handbook/vanished.md', 'knowledgeFile'],
    ]);

    // The store vanishes from the server (deleted elsewhere, or expired): its row says so and offers Remove from Assistant;
    // Sync says so too instead of failing; removed, the assistant no longer names it and the next Add makes a new store.
    assert.equal((await server('DELETE', `/vector_stores/${vectorStoreId}`)).status, 200);
    await vscode.commands.executeCommand('assistants.refreshKnowledge');
    const gone = await until(async () => {
      const [row] = await assistants.knowledgeItems();
      return row?.contextValue === 'knowledgeStore.missing' ? row : undefined;
    }, 'the row of the vanished store');
    assert.match(gone.description ?? '', /^gone from the server$/);
    const quietSync = await vscode.commands.executeCommand<KnowledgeReport>('assistants.syncKnowledge', { removeDeleted: true });
    assert.deepEqual([quietSync.uploadedBytes, quietSync.removed], [0, []]);
    await redrawn(() => vscode.commands.executeCommand('assistants.removeKnowledgeStore', gone.node), 'removing the store from the assistant');
    const fixed = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(active.file!)))) as { tool_resources?: { file_search?: { vector_store_ids: string[] } } };
    assert.equal(fixed.tool_resources?.file_search, undefined, 'the assistant no longer names the store');
    const readded = await vscode.commands.executeCommand<AddKnowledgeResult>('assistants.addToKnowledge', vscode.Uri.joinPath(root(), 'handbook', 'intro.md'));
    assert.deepEqual(readded.added, ['handbook/intro.md']);
    const renewed = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(active.file!)))) as { tool_resources?: { file_search?: { vector_store_ids: string[] } } };
    assert.notEqual(renewed.tool_resources?.file_search?.vector_store_ids[0], vectorStoreId, 'a new store');
  });
});
